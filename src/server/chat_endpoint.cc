#include "server/chat_endpoint.h"

#include <ctime>
#include <string>
#include <utility>
#include <vector>

#include "server/chat_prompt.h"
#include "server/chat_request.h"
#include "server/generation_job.h"
#include "server/prompt_checks.h"
#include "server/sequence_builder.h"
#include "server/tool_use.h"

namespace fab::server {

HandlerResult HandleChatCompletions(const HandlerContext& context, const Caller& caller, const HttpRequest& request,
                                    std::chrono::steady_clock::time_point received) {
  ApiResult<ChatRequest> parsed = ParseChatRequest(request.body);
  if (!parsed.ok()) return ErrorResponse(parsed.error());
  const ChatRequest& chat = parsed.value();
  if (auto error = CheckModelName(context, caller, chat.model)) return ErrorResponse(*error);
  const Tokenizer& tokenizer = context.tokenizer();

  ApiResult<std::vector<TokenId>> prompt =
      ChatPromptTokens(context, chat.messages, chat.tools, /*add_generation_prompt=*/true);
  if (!prompt.ok()) return ErrorResponse(prompt.error());
  const SamplingFields& fields = chat.sampling;
  ApiResult<int64_t> budget = ResolveMaxTokens("messages", static_cast<int64_t>(prompt->size()), fields.max_tokens,
                                               context.model.n_context);
  if (!budget.ok()) return ErrorResponse(budget.error());
  ApiResult<SequenceOptions> resolved = ResolveSequenceOptions(fields, tokenizer.n_vocab(), context.random.Next());
  if (!resolved.ok()) return ErrorResponse(resolved.error());

  SequenceOptions options = std::move(resolved).value();
  ApiResult<std::optional<ToolUse>> tools = PlanToolUse(chat, context, prompt.value());
  if (!tools.ok()) return ErrorResponse(tools.error());
  if (tools.value()) {
    options.tools = std::make_shared<const ToolUse>(std::move(*tools.value()));  // response_format included
  } else if (auto error = AttachGrammar(fields, *context.grammars, options)) {
    return ErrorResponse(*error);
  }
  options.n_top_logprobs = chat.logprobs ? chat.top_logprobs.value_or(0) : 0;
  std::vector<GenerationRequest> sequences =
      BuildSequences({prompt.value()}, {budget.value()}, options, tokenizer);

  const std::string id = context.random.NewId("chatcmpl-");
  JobSpec spec;
  spec.format = ApiFormat::kChat;
  spec.header = ResponseHeader{id, static_cast<int64_t>(std::time(nullptr)), context.model.name};
  spec.stream = fields.stream;
  spec.service_tier = fields.service_tier;
  spec.include_usage = fields.include_usage;
  spec.want_logprobs = chat.logprobs;
  spec.tools = options.tools;
  spec.stop = fields.stop;
  spec.prompts.push_back(JobPrompt{std::move(prompt).value(), ""});
  spec.n_choices_per_prompt = fields.n;
  spec.log = JobLogEntry(request, id, context.model.name, fields);
  spec.received = received;
  return GenerationJob::Start(std::move(spec), std::move(sequences), context, caller);
}

}  // namespace fab::server
