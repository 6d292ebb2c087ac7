// ImportHfTokenizer: a Hugging Face tokenizer (the text of tokenizer.json and,
// when present, tokenizer_config.json) as a VocabData that GGUF can carry.
// Supported: model.type "BPE" that is either
//   - byte-level (a ByteLevel pre-tokenizer) → model "gpt2", the pre-tokenizer
//     named from its split regexes (hf_pipeline.h), merges as "left right";
//   - SentencePiece-style (byte_fallback, spaces as "▁") → model "llama",
//     each token scored −(rank of the first merge that makes it), so SPM's
//     highest-score-first merging follows the BPE merge ranks; single
//     characters and byte/control tokens score 0, tokens no merge makes
//     score −n_merges; "<0xNN>" tokens get type byte. As in SentencePiece
//     itself (and unlike HF's BPE), two pieces that join to a token are
//     merged even when no merge lists that pair; tokenizers converted from
//     SentencePiece list every such pair, so their ids agree.
// Ids: model.vocab plus added_tokens must cover 0..n-1 exactly (holes are
// refused, never filled); an added token at an id of model.vocab must have
// the same text. Added tokens are control when "special", else user-defined.
// model.ignore_merges is not carried (GGUF has no key for it; llama.cpp
// implies it from the pre-tokenizer: "llama-bpe", "gpt-4o" and "tekken"
// ignore merges).
// Special ids, add_bos/add_eos and the chat template: hf_special_tokens.h.
// Errors: InvalidArgument naming the file and JSON path for malformed input,
// Unimplemented for valid tokenizers we cannot represent (Unigram, WordPiece,
// unknown pre-tokenizers…), ResourceExhausted over the size caps. Never
// aborts on hostile input. Thread-safe (pure function).
#pragma once

#include <cstddef>
#include <string_view>

#include "base/status.h"
#include "tokenizer/vocab.h"

namespace fab {

inline constexpr size_t kMaxHfTokenizerJsonBytes = size_t{256} << 20;
inline constexpr size_t kMaxHfConfigJsonBytes = size_t{64} << 20;
inline constexpr size_t kMaxHfMerges = size_t{1} << 22;

// tokenizer_config_json is "" when the file is absent. The result passes
// ValidateVocabData.
StatusOr<VocabData> ImportHfTokenizer(std::string_view tokenizer_json,
                                      std::string_view tokenizer_config_json);

}  // namespace fab
