#include "server/sequence_builder.h"

#include "base/clock.h"

#include <algorithm>
#include <string>
#include <utility>

#include "grammar/grammar_constraint.h"
#include "server/sampling_params.h"

namespace fab::server {

ApiResult<SamplingParams> ResolveSamplingParams(const SamplingFields& fields, int32_t n_vocab,
                                                         uint64_t seed_if_absent) {
  SamplingParams params = ToSamplingParams(fields, seed_if_absent);
  params.logit_bias.assign(fields.logit_bias.begin(), fields.logit_bias.end());
  if (Status checked = CheckLogitBias(params.logit_bias, n_vocab); !checked.ok()) {
    return InvalidFieldError("logit_bias", checked.message());
  }
  return params;
}

ApiResult<SequenceOptions> ResolveSequenceOptions(const SamplingFields& fields, int32_t n_vocab,
                                                  uint64_t seed_if_absent) {
  SequenceOptions options;
  FAB_ASSIGN_OR_RETURN_API_ERROR(options.sampling, ResolveSamplingParams(fields, n_vocab, seed_if_absent));
  options.priority = fields.priority;
  options.ignore_eos = fields.ignore_eos;
  options.n_choices_per_prompt = fields.n;
  if (fields.deadline_ms) {
    options.deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(*fields.deadline_ms - UnixMillis());
  }
  return options;
}

std::optional<ApiError> AttachGrammar(const SamplingFields& fields, GrammarLibrary& library, SequenceOptions& options) {
  if (!fields.grammar) return std::nullopt;
  StatusOr<std::shared_ptr<grammar::TokenMaskCache>> cache = library.Get(*fields.grammar);
  if (!cache.ok()) return InvalidFieldError(fields.grammar->field, cache.status().message());
  options.grammar = std::move(cache).value();
  return std::nullopt;
}

std::vector<GenerationRequest> BuildSequences(const std::vector<std::vector<TokenId>>& prompts,
                                                      const std::vector<int64_t>& max_new_tokens,
                                                      const SequenceOptions& options, const Tokenizer& tokenizer) {
  const std::span<const TokenId> stop_tokens = tokenizer.end_of_generation_ids();
  std::vector<GenerationRequest> requests;
  requests.reserve(prompts.size() * static_cast<size_t>(options.n_choices_per_prompt));
  for (size_t prompt = 0; prompt < prompts.size(); ++prompt) {
    for (int64_t i = 0; i < options.n_choices_per_prompt; ++i) {
      GenerationRequest request;
      request.prompt = prompts[prompt];
      request.max_new_tokens = static_cast<int32_t>(std::clamp<int64_t>(max_new_tokens[prompt], 1, INT32_MAX));
      request.priority = options.priority;
      request.deadline = options.deadline;
      if (!options.ignore_eos) request.stop_tokens.assign(stop_tokens.begin(), stop_tokens.end());
      request.sampling = options.sampling;
      request.sampling.seed = options.sampling.seed + static_cast<uint64_t>(i);
      request.n_top_logprobs = options.n_top_logprobs;
      request.prompt_logprobs = options.prompt_logprobs;
      const std::vector<TokenId> end_tokens(stop_tokens.begin(), stop_tokens.end());
      if (options.grammar) {
        request.constraint = std::make_shared<grammar::GrammarConstraint>(options.grammar, end_tokens);
      } else if (options.tools) {
        request.constraint = std::make_shared<toolcall::ToolCallConstraint>(
            options.tools->syntax, options.tools->mode, options.tools->in_think, options.tools->grammar, end_tokens);
      }
      requests.push_back(std::move(request));
    }
  }
  return requests;
}

}  // namespace fab::server
