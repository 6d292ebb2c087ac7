// PreTokenizer: the regex split that byte-level BPE applies before merging,
// one per `tokenizer.ggml.pre` family, with the semantics of Hugging Face's
// Split pre-tokenizer in "Isolated" mode as transformers.js runs it: every
// match is a piece and so is every gap between matches; a "Sequence" of
// Splits applies each stage to every piece of the stage before.
// Patterns are compiled once (PCRE2, UTF + Unicode properties, JIT when the
// platform has it). Immutable after Create; Split is thread-safe (per-thread
// match state). Internal to src/tokenizer/.
#pragma once

#include <memory>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace fab::tokenizer_internal {

class PreTokenizer {
 public:
  // Known names: "llama-bpe" (Llama 3), "qwen2" (Qwen 2/2.5/3), "gpt-2" and
  // "default" (GPT-2), "deepseek-v3" (DeepSeek V3), "gpt-4o" (o200k: GPT-4o,
  // gpt-oss), "tekken" (Mistral Nemo). Unimplemented naming any other;
  // Internal if PCRE2 refuses a pattern (a bug here, not bad input).
  static StatusOr<std::unique_ptr<PreTokenizer>> Create(std::string_view name);
  // True for the families whose Hugging Face BPE model sets "ignore_merges"
  // (a pre-token that is itself a vocabulary token is emitted whole):
  // "llama-bpe", "gpt-4o" and "tekken", as llama.cpp also derives it from
  // the name.
  static bool IgnoresMerges(std::string_view name);

  ~PreTokenizer();
  PreTokenizer(const PreTokenizer&) = delete;
  PreTokenizer& operator=(const PreTokenizer&) = delete;

  // Appends the pieces of `text` to *pieces (views into `text`, non-empty,
  // in order, together exactly `text`). `text` must be valid UTF-8 (not
  // checked again). Linear in the text for every supported pattern.
  // ResourceExhausted if the regex engine hits its memory limit.
  Status Split(std::string_view text, std::vector<std::string_view>* pieces) const;

 private:
  class Stage;
  explicit PreTokenizer(std::vector<std::unique_ptr<Stage>> stages);

  std::vector<std::unique_ptr<Stage>> stages_;  // applied in order
};

}  // namespace fab::tokenizer_internal
