// AddVocabMetadata: writes a VocabData as the tokenizer.* metadata of a GGUF
// file, the inverse of LoadVocabFromGguf (vocab_from_gguf.h): reading the
// keys back gives an equal VocabData. Keys (llama.cpp's names and types):
// tokenizer.ggml.{model, pre, tokens, scores, token_type, merges,
// bos/eos/eot/eom/unknown/padding_token_id (uint32), add_bos_token,
// add_eos_token, add_space_prefix, normalizer} and tokenizer.chat_template.
// pre, merges, normalizer and chat_template are written only when non-empty;
// an id of -1 is omitted, or written as 0xFFFFFFFF ("none") where the reader
// would otherwise assume a default (BOS/EOS/UNK of the "llama" model).
// The caller validates the vocabulary first (ValidateVocabData).
#pragma once

#include "gguf/gguf_writer.h"
#include "tokenizer/vocab.h"

namespace fab {

void AddVocabMetadata(const VocabData& vocab, GgufWriter& writer);

}  // namespace fab
