// From a parsed request's shared fields to the engine's GenerationRequests:
// sampling parameters (OpenAI defaults, logit_bias checked against the
// vocabulary) and one sequence per choice, n per prompt, in choice order
// (index = prompt_index * n + i). Pure, thread-safe.
#pragma once

#include <chrono>

#include <cstdint>
#include <vector>

#include "request/generation_request.h"
#include "runtime/sampler.h"
#include "grammar/mask_cache.h"
#include "server/api_result.h"
#include "server/grammar_library.h"
#include "server/sampling_fields.h"
#include "server/tool_use.h"
#include "tokenizer/tokenizer.h"

namespace fab::server {

// ToSamplingParams with logit_bias attached; 400 param "logit_bias" for a
// token id outside the vocabulary.
ApiResult<SamplingParams> ResolveSamplingParams(const SamplingFields& fields, int32_t n_vocab,
                                                         uint64_t seed_if_absent);

struct SequenceOptions {
  SamplingParams sampling;  // choice i of each prompt samples with seed + i
  Priority priority = Priority::kInteractive;
  int64_t n_choices_per_prompt = 1;
  int32_t n_top_logprobs = 0;
  bool prompt_logprobs = false;
  bool ignore_eos = false;  // no stop tokens: generate max_new_tokens exactly
  std::optional<std::chrono::steady_clock::time_point> deadline;  // metadata.deadline
  // Structured output: every sequence gets its own constraint over this
  // shared grammar (grammar/grammar_constraint.h); null: unconstrained.
  std::shared_ptr<grammar::TokenMaskCache> grammar;
  // Tool calls (chat): every sequence gets its own ToolCallConstraint; null: none.
  std::shared_ptr<const ToolUse> tools;
};

// ResolveSamplingParams, then the options every endpoint takes from the
// shared fields (priority, ignore_eos, n). Logprob options stay at their
// defaults: their fields differ per endpoint.
ApiResult<SequenceOptions> ResolveSequenceOptions(const SamplingFields& fields, int32_t n_vocab,
                                                  uint64_t seed_if_absent);

// Compiles (or finds) the grammar fields.grammar asks for into options.grammar;
// 400 naming the field when it does not compile, with what was refused.
std::optional<ApiError> AttachGrammar(const SamplingFields& fields, GrammarLibrary& library, SequenceOptions& options);

// One request per choice. `max_new_tokens[p]` (≥ 1) is prompt p's budget.
// The tokenizer's end-of-generation ids are every sequence's stop tokens
// unless options.ignore_eos.
std::vector<GenerationRequest> BuildSequences(const std::vector<std::vector<TokenId>>& prompts,
                                                      const std::vector<int64_t>& max_new_tokens,
                                                      const SequenceOptions& options, const Tokenizer& tokenizer);

}  // namespace fab::server
