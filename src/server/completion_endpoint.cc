#include "server/completion_endpoint.h"

#include <ctime>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "server/completion_request.h"
#include "server/json_fields.h"
#include "server/generation_job.h"
#include "server/prompt_checks.h"
#include "server/sequence_builder.h"

namespace fab::server {
namespace {

// The ids and the echo text of one prompt.
ApiResult<JobPrompt> TokenizePrompt(const Tokenizer& tokenizer, const Prompt& prompt, size_t index) {
  JobPrompt out;
  if (const auto* ids = std::get_if<std::vector<TokenId>>(&prompt)) {
    out.tokens = *ids;
    StreamingDetokenizer detokenizer(tokenizer);
    for (const TokenId id : *ids) out.echo_text += detokenizer.Push(id);
    out.echo_text += detokenizer.Flush();
    return out;
  }
  const std::string& text = std::get<std::string>(prompt);
  const std::string param = ElementParam("prompt", index);
  StatusOr<std::vector<TokenId>> ids = tokenizer.Encode(text, EncodeOptions{.add_special = true, .parse_special = true});
  if (!ids.ok()) return InvalidFieldError(param, "cannot be tokenized: " + ids.status().message());
  if (ids->empty()) return InvalidFieldError(param, "the prompt is empty");
  out.tokens = std::move(ids).value();
  out.echo_text = text;
  return out;
}

}  // namespace

HandlerResult HandleCompletions(const HandlerContext& context, const Caller& caller, const HttpRequest& request,
                                std::chrono::steady_clock::time_point received) {
  ApiResult<CompletionRequest> parsed = ParseCompletionRequest(request.body);
  if (!parsed.ok()) return ErrorResponse(parsed.error());
  const CompletionRequest& completion = parsed.value();
  if (auto error = CheckModelName(context, caller, completion.model)) return ErrorResponse(*error);
  const Tokenizer& tokenizer = context.tokenizer();
  if (auto error = CheckTokenIdsInVocabulary(completion.prompts, tokenizer.n_vocab())) return ErrorResponse(*error);

  const SamplingFields& fields = completion.sampling;
  const int64_t requested_max_tokens = fields.max_tokens.value_or(kDefaultCompletionMaxTokens);
  const bool score_only = completion.echo && requested_max_tokens == 0;
  JobSpec spec;
  std::vector<std::vector<TokenId>> prompt_ids;
  std::vector<int64_t> max_new_tokens;
  for (size_t index = 0; index < completion.prompts.size(); ++index) {
    ApiResult<JobPrompt> prompt = TokenizePrompt(tokenizer, completion.prompts[index], index);
    if (!prompt.ok()) return ErrorResponse(prompt.error());
    ApiResult<int64_t> budget = ResolveMaxTokens("prompt", static_cast<int64_t>(prompt->tokens.size()),
                                                 requested_max_tokens, context.model.n_context);
    if (!budget.ok()) return ErrorResponse(budget.error());
    max_new_tokens.push_back(score_only ? 1 : budget.value());
    prompt_ids.push_back(prompt->tokens);
    spec.prompts.push_back(std::move(prompt).value());
  }
  ApiResult<SequenceOptions> resolved = ResolveSequenceOptions(fields, tokenizer.n_vocab(), context.random.Next());
  if (!resolved.ok()) return ErrorResponse(resolved.error());

  SequenceOptions options = std::move(resolved).value();
  if (auto error = AttachGrammar(fields, *context.grammars, options)) return ErrorResponse(*error);
  options.n_top_logprobs = completion.logprobs.value_or(0);
  options.prompt_logprobs = completion.echo && completion.logprobs.has_value();
  std::vector<GenerationRequest> sequences = BuildSequences(prompt_ids, max_new_tokens, options, tokenizer);

  const std::string id = context.random.NewId("cmpl-");
  spec.format = ApiFormat::kCompletion;
  spec.header = ResponseHeader{id, static_cast<int64_t>(std::time(nullptr)), context.model.name};
  spec.stream = fields.stream;
  spec.service_tier = fields.service_tier;
  spec.include_usage = fields.include_usage;
  spec.echo = completion.echo;
  spec.score_only = score_only;
  spec.want_logprobs = completion.logprobs.has_value();
  spec.stop = fields.stop;
  spec.n_choices_per_prompt = fields.n;
  spec.log = JobLogEntry(request, id, context.model.name, fields);
  spec.received = received;
  return GenerationJob::Start(std::move(spec), std::move(sequences), context, caller);
}

}  // namespace fab::server
