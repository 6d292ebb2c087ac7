// The text pipeline of a Hugging Face BPE tokenizer.json (normalizer,
// pre_tokenizer, decoder) mapped onto what a GGUF vocabulary can say:
// byte-level BPE with a named pre-tokenizer ("llama-bpe", "qwen2", "gpt-2",
// "deepseek-v3", "gpt-4o", "tekken") and an optional NFC normalizer, or
// SentencePiece-style BPE (byte_fallback, spaces as U+2581) with or without a
// leading U+2581. Anything else is Unimplemented, naming the JSON path and,
// for an unknown split regex, the pattern itself. Pure; thread-safe.
#pragma once

#include <string>

#include "base/status.h"
#include "tokenizer/hf_json.h"

namespace fab::hf_import {

enum class BpeKind {
  kByteLevel,      // GGUF model "gpt2"
  kSentencePiece,  // GGUF model "llama": merges become SPM scores
};

struct HfPipeline {
  BpeKind kind = BpeKind::kByteLevel;
  std::string pre;                // byte-level: the GGUF tokenizer.ggml.pre name
  std::string normalizer;         // byte-level: "" or "nfc"
  bool add_space_prefix = false;  // SentencePiece: prepend U+2581 to the text
};

// `root` is the whole tokenizer.json; byte_fallback is model.byte_fallback.
StatusOr<HfPipeline> ReadHfPipeline(const JsonNode& root, bool byte_fallback);

}  // namespace fab::hf_import
