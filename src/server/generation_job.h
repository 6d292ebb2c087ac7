// GenerationJob: one accepted /v1/completions or /v1/chat/completions
// request while the engine generates it — every choice (prompts × n
// sequences, submitted together), the ResponseStream the transport drains,
// and the bookkeeping that ends it: usage, metrics, one request log line.
// Threads: built and submitted on a transport thread; the engine's step
// thread then drives it through one observer per choice; the transport may
// abandon it from its own thread. One mutex guards the state; callbacks stay
// cheap (detokenize, match stops, serialize a chunk) and never block.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "request/generation_request.h"
#include "engine/request_observer.h"
#include "server/choice_stream.h"
#include "server/handler_context.h"
#include "server/http_exchange.h"
#include "server/openai_response.h"
#include "server/request_log.h"
#include "server/sampling_fields.h"
#include "server/tool_use.h"

namespace fab::server {

enum class ApiFormat { kCompletion, kChat };

// One prompt of a job.
struct JobPrompt {
  std::vector<TokenId> tokens;  // what the engine gets
  std::string echo_text;        // shown before each of its choices when echoing (completions)
};

struct JobSpec {
  ApiFormat format = ApiFormat::kCompletion;
  ResponseHeader header;
  bool stream = false;
  bool include_usage = false;  // streams: a usage chunk before [DONE]
  bool echo = false;           // completions: each choice starts with its prompt (and its logprobs)
  bool score_only = false;     // echo with max_tokens 0: the one token the engine makes is dropped
  bool want_logprobs = false;  // per-token logprob entries (completions `logprobs`, chat `logprobs`)
  std::vector<std::string> stop;
  std::vector<JobPrompt> prompts;
  int64_t n_choices_per_prompt = 1;  // choice index = prompt_index * n + i
  RequestLogEntry log;               // request_id, method, path, remote, model, user, stream
  std::chrono::steady_clock::time_point received;
  int64_t arrival_ms = 0;            // `received` as Unix milliseconds
  std::optional<std::string> service_tier;  // the request's OpenAI service_tier
  std::shared_ptr<const ToolUse> tools;     // chat: parse each choice's output for tool calls; null: none
};

// The log fields of a generation request known before it runs.
RequestLogEntry JobLogEntry(const HttpRequest& request, std::string request_id, std::string model,
                            const SamplingFields& fields);

class GenerationJob : public std::enable_shared_from_this<GenerationJob> {
 public:
  // Submits `requests` (one per choice, in choice order) with SubmitAll and
  // returns the ResponseStream, or the error response when the engine
  // refuses them (nothing runs then).
  // With books (context.metering.governor) and a caller with a key, the
  // job is first admitted against the caller's quotas (control/quota_gate.h)
  // and, when it ends, its ledger row is written before its final usage
  // goes out (the usage chunk and [DONE] of a stream, a whole response).
  static HandlerResult Start(JobSpec spec, std::vector<GenerationRequest> requests, const HandlerContext& context,
                             const Caller& caller);

  GenerationJob(JobSpec spec, const HandlerContext& context, const Caller& caller);
  ~GenerationJob();

  // Engine callbacks for choice `choice` (step thread).
  void OnTopLogprobs(size_t choice, std::span<const TokenLogprob> top);
  void OnPromptLogprobs(size_t choice, std::span<const engine::PromptTokenLogprob> prompt);
  void OnToken(size_t choice, TokenId token, float logprob);
  void OnFinish(size_t choice, const engine::RequestSummary& summary);

  // The client is gone: cancel every sequence still running (any thread).
  void Abandon();

 private:
  struct ChoiceState;

  // The engine accepted the sequences under `ids` (choice order).
  void Started(const std::vector<RequestId>& ids);
  // Echoes the prompt before the choice's first output (once).
  void BeginChoice(size_t choice, std::span<const engine::PromptTokenLogprob> prompt_scores);
  // Records or streams a delta of choice `choice`; `finish` ends it.
  void Emit(size_t choice, ChoiceStream::Delta delta, std::optional<FinishReason> finish);
  void EndChoice(size_t choice, const engine::RequestSummary& summary);
  void CancelChoice(size_t choice);
  void CancelAllChoices();
  std::string StreamChunk(size_t choice, const std::string& text, const std::vector<LogprobEntry>& logprobs,
                          std::optional<FinishReason> finish);
  // Runs a tool-using choice's delta through its parser: delta.text keeps
  // the content; the calls it began or continued are returned as deltas.
  std::vector<ToolCallDelta> ParseToolCalls(size_t choice, ChoiceStream::Delta& delta, bool final);
  // A new tool call id in the form the family's template accepts.
  std::string NewToolCallId();
  Usage TotalUsage() const;
  // Every choice ended in the engine: the ledger row, then the last bytes
  // and the log line.
  void Finalize();
  // The last bytes once the row is durable (or `booked` says why not).
  struct Ending;
  static void Deliver(const Ending& ending, const Status& booked);

  const JobSpec spec_;
  const HandlerContext& context_;
  const Caller caller_;
  HeaderList rate_limit_headers_;  // set before the engine sees the job
  control::Tier tier_ = control::Tier::kStandard;  // set before the engine sees the job
  const std::shared_ptr<ResponseStream> stream_;

  std::mutex mutex_;
  std::vector<ChoiceState> choices_;  // guarded by mutex_
  size_t n_engine_finished_ = 0;      // guarded by mutex_
  bool abandoned_ = false;            // guarded by mutex_
  std::optional<Status> error_;       // guarded by mutex_; the first kError
  // The OpenAI error a failed choice ends the job with.
  static ApiError JobError(const Status& error);
};

}  // namespace fab::server
