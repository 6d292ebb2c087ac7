// LoadVocabFromGguf: reads the tokenizer.ggml.* metadata of a GGUF file into
// a VocabData and validates it (ValidateVocabData), so a hostile file gives a
// Status, never a crash. Keys read: model, tokens (required); scores,
// token_type, {bos,eos,eot,eom,unknown,padding}_token_id, add_bos_token,
// add_eos_token, add_space_prefix, pre, merges, tokenizer.chat_template
// (optional, with llama.cpp's defaults for the "llama" model: BOS 1, EOS 2,
// UNK 0, add_bos true, add_space_prefix true; none for "gpt2"), and our own
// tokenizer.ggml.normalizer ("nfc" or ""; absent: "nfc" for pre "qwen2").
#pragma once

#include "base/status.h"
#include "gguf/gguf_file.h"
#include "tokenizer/vocab.h"

namespace fab {

StatusOr<VocabData> LoadVocabFromGguf(const GgufFile& gguf);

}  // namespace fab
