#include "api/c_api_options.h"

#include <string>
#include <utility>

namespace fab::capi {
namespace {

Status Invalid(const std::string& message) { return InvalidArgumentError(message); }

StatusOr<std::vector<tokenfab::ChatMessage>> ToMessages(const tf_chat_message* messages, size_t n_messages) {
  if (n_messages > kMaxMessages) {
    return Invalid("n_messages " + std::to_string(n_messages) + " is above " + std::to_string(kMaxMessages));
  }
  if (messages == nullptr) return Invalid("messages is NULL but n_messages is " + std::to_string(n_messages));
  std::vector<tokenfab::ChatMessage> out;
  out.reserve(n_messages);
  for (size_t i = 0; i < n_messages; ++i) {
    if (messages[i].role == nullptr || messages[i].content == nullptr) {
      return Invalid("messages[" + std::to_string(i) + "] has a NULL role or content");
    }
    out.push_back(tokenfab::ChatMessage{messages[i].role, messages[i].content});
  }
  return out;
}

StatusOr<std::vector<std::string>> ToStops(const char* const* stop, size_t n_stop) {
  if (n_stop == 0) return std::vector<std::string>();
  if (n_stop > kMaxStopStrings) {
    return Invalid("n_stop " + std::to_string(n_stop) + " is above " + std::to_string(kMaxStopStrings));
  }
  if (stop == nullptr) return Invalid("stop is NULL but n_stop is " + std::to_string(n_stop));
  std::vector<std::string> out;
  out.reserve(n_stop);
  for (size_t i = 0; i < n_stop; ++i) {
    if (stop[i] == nullptr) return Invalid("stop[" + std::to_string(i) + "] is NULL");
    out.emplace_back(stop[i]);
  }
  return out;
}

// The one prompt `options` names, into `request` (tokenfab.h's order:
// messages, else prompt_tokens, else prompt).
Status SetPrompt(const tf_request_options& options, int64_t n_ctx, tokenfab::GenerateRequest& request) {
  if (options.n_messages > 0) {
    FAB_ASSIGN_OR_RETURN(request.messages, ToMessages(options.messages, options.n_messages));
    return OkStatus();
  }
  if (options.n_prompt_tokens > 0) {
    if (options.n_prompt_tokens > static_cast<uint64_t>(n_ctx)) {
      return Invalid("n_prompt_tokens " + std::to_string(options.n_prompt_tokens) +
                     " is above the engine's context of " + std::to_string(n_ctx));
    }
    if (options.prompt_tokens == nullptr) {
      return Invalid("prompt_tokens is NULL but n_prompt_tokens is " + std::to_string(options.n_prompt_tokens));
    }
    request.prompt_tokens.assign(options.prompt_tokens, options.prompt_tokens + options.n_prompt_tokens);
    return OkStatus();
  }
  if (options.prompt == nullptr) return Invalid("prompt is NULL and neither prompt_tokens nor messages is given");
  request.prompt = options.prompt;
  return OkStatus();
}

}  // namespace

tf_engine_options DefaultEngineOptions() {
  const tokenfab::EngineOptions defaults;
  tf_engine_options options{};
  options.n_threads = defaults.n_threads;
  options.n_ctx = defaults.n_ctx;
  options.kv_cache = nullptr;
  options.kv_dtype = nullptr;
  options.max_sequences = defaults.max_sequences;
  options.max_waiting = defaults.max_waiting;
  options.max_step_tokens = defaults.max_step_tokens;
  return options;
}

tokenfab::EngineOptions ToEngineOptions(const tf_engine_options& options) {
  tokenfab::EngineOptions out;
  out.n_threads = options.n_threads;
  out.n_ctx = options.n_ctx;
  if (options.kv_cache != nullptr) out.kv_cache = options.kv_cache;
  if (options.kv_dtype != nullptr) out.kv_dtype = options.kv_dtype;
  out.max_sequences = options.max_sequences;
  out.max_waiting = options.max_waiting;
  out.max_step_tokens = options.max_step_tokens;
  return out;
}

tf_request_options DefaultRequestOptions() {
  const tokenfab::GenerateRequest defaults;
  const tokenfab::SamplingParams& sampling = defaults.sampling;
  tf_request_options options{};
  options.max_tokens = defaults.max_tokens;
  options.temperature = sampling.temperature;
  options.top_k = sampling.top_k;
  options.top_p = sampling.top_p;
  options.min_p = sampling.min_p;
  options.repetition_penalty = sampling.repetition_penalty;
  options.frequency_penalty = sampling.frequency_penalty;
  options.presence_penalty = sampling.presence_penalty;
  options.penalty_last_n = sampling.penalty_last_n;
  options.seed = sampling.seed;
  options.priority = static_cast<int32_t>(defaults.priority);
  options.ignore_eos = defaults.ignore_eos ? 1 : 0;
  return options;
}

StatusOr<tokenfab::GenerateRequest> ToGenerateRequest(const tf_request_options& options, int64_t n_ctx) {
  tokenfab::GenerateRequest request;
  FAB_RETURN_IF_ERROR(SetPrompt(options, n_ctx, request));
  request.max_tokens = options.max_tokens;  // Engine::Submit refuses < 1
  tokenfab::SamplingParams& sampling = request.sampling;
  sampling.temperature = options.temperature;
  sampling.top_k = options.top_k;
  sampling.top_p = options.top_p;
  sampling.min_p = options.min_p;
  sampling.repetition_penalty = options.repetition_penalty;
  sampling.frequency_penalty = options.frequency_penalty;
  sampling.presence_penalty = options.presence_penalty;
  sampling.penalty_last_n = options.penalty_last_n;
  sampling.seed = options.seed;
  FAB_RETURN_IF_ERROR(sampling.Validate());
  FAB_ASSIGN_OR_RETURN(request.stop, ToStops(options.stop, options.n_stop));
  if (options.priority != TF_PRIORITY_INTERACTIVE && options.priority != TF_PRIORITY_BATCH &&
      options.priority != TF_PRIORITY_PREMIUM) {
    return Invalid("priority " + std::to_string(options.priority) + " is none of TF_PRIORITY_INTERACTIVE (0), "
                   "TF_PRIORITY_BATCH (1) and TF_PRIORITY_PREMIUM (2)");
  }
  request.priority = static_cast<tokenfab::Priority>(options.priority);
  request.ignore_eos = options.ignore_eos != 0;
  return request;
}

}  // namespace fab::capi
