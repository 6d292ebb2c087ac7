#include "server/generation_job.h"

#include <algorithm>
#include <utility>

#include "base/clock.h"
#include "server/sse_framing.h"

namespace fab::server {
namespace {

using engine::RequestSummary;

// Forwards one choice's engine callbacks to its job; keeps the job alive
// until the engine is done with the choice.
class ChoiceObserver final : public engine::RequestObserver {
 public:
  ChoiceObserver(std::shared_ptr<GenerationJob> job, size_t choice) : job_(std::move(job)), choice_(choice) {}

  void OnToken(TokenId token, float logprob) override { job_->OnToken(choice_, token, logprob); }
  void OnTopLogprobs(std::span<const TokenLogprob> top) override { job_->OnTopLogprobs(choice_, top); }
  void OnPromptLogprobs(std::span<const engine::PromptTokenLogprob> prompt) override {
    job_->OnPromptLogprobs(choice_, prompt);
  }
  void OnFinish(const RequestSummary& summary) override { job_->OnFinish(choice_, summary); }

 private:
  const std::shared_ptr<GenerationJob> job_;
  const size_t choice_;
};

double SecondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

RequestLogEntry JobLogEntry(const HttpRequest& request, std::string request_id, std::string model,
                            const SamplingFields& fields) {
  RequestLogEntry log;
  log.request_id = std::move(request_id);
  log.method = request.method;
  log.path = request.target.substr(0, request.target.find('?'));
  log.remote = request.remote;
  log.model = std::move(model);
  log.user = fields.user;
  log.stream = fields.stream;
  return log;
}

struct GenerationJob::ChoiceState {
  ChoiceState(size_t prompt, const Tokenizer& tokenizer, const JobSpec& spec)
      : prompt_index(prompt),
        stream(tokenizer, spec.stop, spec.want_logprobs,
               spec.tools ? spec.tools->shown_control_tokens : std::vector<TokenId>{}) {
    if (spec.tools) tool_parser.emplace(spec.tools->syntax, spec.tools->in_think);
  }

  size_t prompt_index;
  ChoiceStream stream;
  std::optional<toolcall::ToolCallParser> tool_parser;  // tool-using chat choices
  std::vector<ToolCall> tool_calls;                     // the calls so far
  std::optional<RequestId> id;
  bool cancel_wanted = false;
  bool begun = false;                           // the echo (if any) went out
  std::vector<TokenLogprob> next_top;  // OnTopLogprobs, for the next OnToken
  std::string text;                             // whole responses: everything so far
  std::vector<LogprobEntry> logprobs;           // whole responses: every entry so far
  int64_t n_text_bytes_sent = 0;                // streams: for text_offset
  int64_t n_completion_tokens = 0;
  std::optional<FinishReason> finish;           // set once the choice's output is final
  std::optional<RequestSummary> summary;        // set by OnFinish
};

GenerationJob::GenerationJob(JobSpec spec, const HandlerContext& context, const Caller& caller)
    : spec_(std::move(spec)),
      context_(context),
      caller_(caller),
      stream_(std::make_shared<ResponseStream>(spec_.stream ? ResponseStream::Kind::kStreamed
                                                            : ResponseStream::Kind::kWhole)) {
  for (size_t prompt = 0; prompt < spec_.prompts.size(); ++prompt) {
    for (int64_t i = 0; i < spec_.n_choices_per_prompt; ++i) {
      choices_.emplace_back(prompt, context_.tokenizer(), spec_);
    }
  }
}

GenerationJob::~GenerationJob() = default;

ApiError GenerationJob::JobError(const Status& error) {
  // A passed deadline is the client's (504); anything else went wrong here (500).
  if (error.code() == StatusCode::kDeadlineExceeded) return ErrorFromStatus(error);
  return ErrorFromStatus(InternalError(error.message()));
}

HandlerResult GenerationJob::Start(JobSpec spec, std::vector<GenerationRequest> requests,
                                   const HandlerContext& context, const Caller& caller) {
  spec.arrival_ms = UnixMillis() - std::chrono::duration_cast<std::chrono::milliseconds>(
                                       std::chrono::steady_clock::now() - spec.received)
                                       .count();
  const control::Tier tier = ResolveTier(caller, spec.service_tier);
  int64_t n_tokens = 0;
  for (GenerationRequest& request : requests) {
    n_tokens += static_cast<int64_t>(request.prompt.size()) + request.max_new_tokens;
    request.priority = TierPriority(tier, request.priority);
  }
  ApiResult<AdmittedJob> admitted = AdmitJob(context.metering, caller, spec.header.id, n_tokens);
  if (!admitted.ok()) return ErrorResponse(admitted.error());
  auto job = std::make_shared<GenerationJob>(std::move(spec), context, caller);
  job->tier_ = tier;
  job->rate_limit_headers_ = admitted->headers;
  if (job->spec_.stream) job->stream_->SetHeadHeaders(admitted->headers);
  FAB_CHECK(requests.size() == job->choices_.size()) << "one GenerationRequest per choice";
  std::vector<std::shared_ptr<engine::RequestObserver>> observers;
  for (size_t choice = 0; choice < requests.size(); ++choice) {
    observers.push_back(std::make_shared<ChoiceObserver>(job, choice));
  }
  std::weak_ptr<GenerationJob> weak_job = job;
  job->stream_->SetOnAbandon([weak_job] {
    if (std::shared_ptr<GenerationJob> alive = weak_job.lock()) alive->Abandon();
  });
  if (job->spec_.stream && job->spec_.format == ApiFormat::kChat) {
    // The role chunks go first; nothing else can be appended before SubmitAll.
    for (size_t choice = 0; choice < job->choices_.size(); ++choice) {
      Choice opening{static_cast<int64_t>(choice), "", std::nullopt, nullptr, {}};
      job->stream_->Append(SseEvent(ChatChunk(job->spec_.header, opening, /*first=*/true)));
    }
  }
  StatusOr<std::vector<RequestId>> ids =
      context.engine.SubmitAll(std::move(requests), std::move(observers));
  if (!ids.ok()) {
    if (admitted->reserved) ReleaseJob(context.metering, job->spec_.header.id);
    HttpResponse refused = ErrorResponse(ErrorFromStatus(ids.status()));
    for (const auto& header : admitted->headers) refused.headers.push_back(header);
    return refused;
  }
  job->Started(*ids);
  return job->stream_;
}

void GenerationJob::Started(const std::vector<RequestId>& ids) {
  std::lock_guard<std::mutex> lock(mutex_);
  for (size_t choice = 0; choice < choices_.size() && choice < ids.size(); ++choice) {
    choices_[choice].id = ids[choice];
    if (choices_[choice].cancel_wanted) CancelChoice(choice);
  }
}

void GenerationJob::OnTopLogprobs(size_t choice, std::span<const TokenLogprob> top) {
  std::lock_guard<std::mutex> lock(mutex_);
  choices_[choice].next_top.assign(top.begin(), top.end());
}

void GenerationJob::OnPromptLogprobs(size_t choice, std::span<const engine::PromptTokenLogprob> prompt) {
  std::lock_guard<std::mutex> lock(mutex_);
  BeginChoice(choice, prompt);
}

void GenerationJob::OnToken(size_t choice, TokenId token, float logprob) {
  std::lock_guard<std::mutex> lock(mutex_);
  ChoiceState& state = choices_[choice];
  std::vector<TokenLogprob> top = std::move(state.next_top);
  state.next_top.clear();
  if (state.finish || spec_.score_only) return;  // past a stop string, or a scoring request's dropped token
  BeginChoice(choice, {});
  ++state.n_completion_tokens;
  if (context_.tokenizer().IsEndOfGeneration(token)) return;  // ends the choice in OnFinish; never text
  ChoiceStream::Delta delta = state.stream.Push(token, logprob, top);
  const bool stopped = delta.stopped;
  Emit(choice, std::move(delta), stopped ? std::optional<FinishReason>(FinishReason::kStopString) : std::nullopt);
  if (stopped) CancelChoice(choice);
}

void GenerationJob::OnFinish(size_t choice, const RequestSummary& summary) {
  std::lock_guard<std::mutex> lock(mutex_);
  // A stop string ends the engine request by cancelling it (or, when the
  // request ran to its end before the ids were known, not at all): metrics
  // count it as a stop, as vLLM does.
  if (summary.reason != FinishReason::kStopToken && choices_[choice].finish == FinishReason::kStopString) {
    RequestSummary stopped = summary;
    stopped.reason = FinishReason::kStopString;
    context_.metrics.ObserveRequest(stopped);
  } else {
    context_.metrics.ObserveRequest(summary);
  }
  EndChoice(choice, summary);
  if (++n_engine_finished_ == choices_.size()) Finalize();
}

void GenerationJob::Abandon() {
  std::lock_guard<std::mutex> lock(mutex_);
  abandoned_ = true;
  CancelAllChoices();
}

void GenerationJob::BeginChoice(size_t choice, std::span<const engine::PromptTokenLogprob> prompt_scores) {
  ChoiceState& state = choices_[choice];
  if (state.begun) return;
  state.begun = true;
  if (!spec_.echo) return;
  const JobPrompt& prompt = spec_.prompts[state.prompt_index];
  ChoiceStream::Delta echo;
  echo.text = prompt.echo_text;
  if (spec_.want_logprobs) {
    // Position 0 has no context: its logprob is null. Without scores from the
    // engine every entry is null.
    for (size_t position = 0; position < prompt.tokens.size(); ++position) {
      LogprobEntry entry{context_.tokenizer().TokenBytes(prompt.tokens[position]), std::nullopt, {}};
      const size_t scored = position - 1;
      if (position > 0 && scored < prompt_scores.size()) {
        entry.logprob = prompt_scores[scored].logprob;
        entry.top = AlternativePieces(context_.tokenizer(), prompt_scores[scored].top);
      }
      echo.logprobs.push_back(std::move(entry));
    }
  }
  Emit(choice, std::move(echo), std::nullopt);
}

std::string GenerationJob::NewToolCallId() {
  if (!spec_.tools || !spec_.tools->syntax.nine_character_ids) return context_.random.NewId("call_");
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  uint64_t bits = context_.random.Next();
  std::string id;
  for (int i = 0; i < 9; ++i, bits /= 62) id.push_back(kAlphabet[bits % 62]);
  return id;
}

std::vector<ToolCallDelta> GenerationJob::ParseToolCalls(size_t choice, ChoiceStream::Delta& delta, bool final) {
  ChoiceState& state = choices_[choice];
  std::vector<toolcall::ToolCallEvent> events;
  state.tool_parser->Push(delta.text, &events);
  if (final) state.tool_parser->Finish(&events);
  delta.text.clear();
  std::vector<ToolCallDelta> calls;
  for (toolcall::ToolCallEvent& event : events) {
    const auto index = static_cast<int64_t>(event.call);
    switch (event.kind) {
      case toolcall::ToolCallEvent::Kind::kContent:
        delta.text += event.text;
        break;
      case toolcall::ToolCallEvent::Kind::kCallBegin:
        state.tool_calls.push_back(ToolCall{NewToolCallId(), event.text, ""});
        calls.push_back(ToolCallDelta{index, state.tool_calls.back().id, event.text, ""});
        break;
      case toolcall::ToolCallEvent::Kind::kArguments:
        state.tool_calls[event.call].arguments += event.text;
        if (calls.empty() || calls.back().index != index) calls.push_back(ToolCallDelta{index, {}, {}, ""});
        calls.back().arguments += event.text;
        break;
    }
  }
  return calls;
}

void GenerationJob::Emit(size_t choice, ChoiceStream::Delta delta, std::optional<FinishReason> finish) {
  ChoiceState& state = choices_[choice];
  std::vector<ToolCallDelta> calls;
  if (state.tool_parser) calls = ParseToolCalls(choice, delta, finish.has_value());
  if (finish) state.finish = finish;
  if (!spec_.stream) {
    state.text += delta.text;
    for (LogprobEntry& entry : delta.logprobs) state.logprobs.push_back(std::move(entry));
    return;
  }
  if (error_) return;  // the stream already carries the error event
  if (!calls.empty()) {
    // Content before the calls, the calls, then the end in a chunk of its own.
    if (!delta.text.empty() || !delta.logprobs.empty()) {
      stream_->Append(SseEvent(StreamChunk(choice, delta.text, delta.logprobs, std::nullopt)));
      state.n_text_bytes_sent += static_cast<int64_t>(delta.text.size());
    }
    stream_->Append(SseEvent(ChatToolCallChunk(spec_.header, static_cast<int64_t>(choice), calls)));
    if (finish) stream_->Append(SseEvent(StreamChunk(choice, "", {}, finish)));
    return;
  }
  if (delta.text.empty() && delta.logprobs.empty() && !finish) return;
  stream_->Append(SseEvent(StreamChunk(choice, delta.text, delta.logprobs, finish)));
  state.n_text_bytes_sent += static_cast<int64_t>(delta.text.size());
}

std::string GenerationJob::StreamChunk(size_t choice, const std::string& text,
                                       const std::vector<LogprobEntry>& logprobs,
                                       std::optional<FinishReason> finish) {
  Choice chunk{static_cast<int64_t>(choice), text, finish, nullptr, {}};
  if (finish) chunk.tool_calls = choices_[choice].tool_calls;  // the finish reason says whether it called
  if (spec_.format == ApiFormat::kChat) {
    if (spec_.want_logprobs) chunk.logprobs = ChatLogprobsJson(logprobs);
    return ChatChunk(spec_.header, chunk, /*first=*/false);
  }
  if (spec_.want_logprobs) chunk.logprobs = CompletionLogprobsJson(logprobs, choices_[choice].n_text_bytes_sent);
  return CompletionBody(spec_.header, {chunk}, std::nullopt);
}

// Finish reasons: the engine's max_tokens, a full KV cache and a cancel we
// did not ask for (the drain deadline) all cut the text short: "length".
// An end-of-generation token or a stop string: "stop".
void GenerationJob::EndChoice(size_t choice, const RequestSummary& summary) {
  ChoiceState& state = choices_[choice];
  state.summary = summary;
  if (state.finish) return;  // a stop string ended it already
  BeginChoice(choice, {});
  if (summary.reason == FinishReason::kError) {
    state.finish = FinishReason::kError;
    if (!error_) {
      error_ = summary.error.ok() ? InternalError("generation failed") : summary.error;
      if (spec_.stream) stream_->Append(SseEvent(ErrorBody(JobError(*error_))));
      CancelAllChoices();
    }
    return;
  }
  ChoiceStream::Delta tail = spec_.score_only ? ChoiceStream::Delta{} : state.stream.Flush();
  // A scoring request's one generated token is dropped, whatever it was: its
  // choice always ends "length" (max_tokens 0 reached).
  FinishReason reason = summary.reason;
  if (spec_.score_only) {
    reason = FinishReason::kMaxTokens;
  } else if (tail.stopped) {
    reason = FinishReason::kStopString;
  }
  Emit(choice, std::move(tail), reason);
}

void GenerationJob::CancelChoice(size_t choice) {
  ChoiceState& state = choices_[choice];
  state.cancel_wanted = true;
  if (state.id && !state.summary) (void)context_.engine.Cancel(*state.id);  // NotFound: it just ended
}

void GenerationJob::CancelAllChoices() {
  for (size_t choice = 0; choice < choices_.size(); ++choice) {
    if (!choices_[choice].cancel_wanted) CancelChoice(choice);
  }
}

// prompt_tokens counts each prompt once however many choices it has (as
// OpenAI does); cached_tokens is, per prompt, the fewest prompt tokens any of
// its choices found in the prefix cache.
Usage GenerationJob::TotalUsage() const {
  Usage usage;
  std::vector<std::optional<int64_t>> cached(spec_.prompts.size());
  for (const ChoiceState& state : choices_) {
    usage.n_completion_tokens += state.n_completion_tokens;
    if (!state.summary) continue;
    std::optional<int64_t>& fewest = cached[state.prompt_index];
    const int64_t n_cached = state.summary->counters.n_cached_prompt_tokens;
    fewest = fewest ? std::min(*fewest, n_cached) : n_cached;
  }
  for (size_t prompt = 0; prompt < spec_.prompts.size(); ++prompt) {
    usage.n_prompt_tokens += static_cast<int64_t>(spec_.prompts[prompt].tokens.size());
    usage.n_cached_prompt_tokens += cached[prompt].value_or(0);
  }
  return usage;
}

// What goes out once the ledger row is durable: the last bytes of a
// stream (the usage chunk and [DONE]) or the whole response, and the log
// line; or, when the row could not be written, an error instead of usage.
struct GenerationJob::Ending {
  std::shared_ptr<ResponseStream> stream;
  bool streamed = false;
  std::string stream_tail;        // streamed: the usage chunk (if asked) and [DONE]
  ResponseHead whole;             // whole: the response
  RequestLogEntry log;
  std::chrono::steady_clock::time_point received;
  ServerMetrics* metrics = nullptr;
  UsageSample usage;              // for the energy and cost metrics
  std::optional<std::chrono::steady_clock::time_point> ledger_started;  // when the row was queued
};

void GenerationJob::Deliver(const Ending& ending, const Status& booked) {
  RequestLogEntry log = ending.log;
  if (ending.ledger_started) {
    log.ledger_s = SecondsSince(*ending.ledger_started);
    if (ending.metrics != nullptr) ending.metrics->ObserveLedgerWrite(*log.ledger_s);
  }
  // Metrics first: a client that saw its usage finds it in /metrics.
  if (booked.ok() && ending.metrics != nullptr) ending.metrics->ObserveUsage(ending.usage);
  if (!booked.ok()) {
    const ApiError error = ErrorFromStatus(
        UnavailableError("the request ran, but the ledger could not record it: " + booked.message()));
    log.error = error.message;
    if (ending.streamed) {
      ending.stream->Append(SseEvent(ErrorBody(error)));
      ending.stream->Append(std::string(kSseDone));
      ending.stream->Finish();
    } else {
      log.status = error.http_status;
      ending.stream->Complete(ErrorResponse(error));
    }
  } else if (ending.streamed) {
    ending.stream->Append(ending.stream_tail);
    ending.stream->Finish();
  } else {
    ending.stream->Complete(ending.whole);
  }
  log.duration_s = SecondsSince(ending.received);
  LogRequest(log);
}

void GenerationJob::Finalize() {
  const Usage usage = TotalUsage();
  Ending ending;
  ending.stream = stream_;
  ending.streamed = spec_.stream;
  ending.received = spec_.received;
  ending.metrics = &context_.metrics;
  RequestLogEntry& log = ending.log;
  log = spec_.log;
  log.status = 200;
  log.n_prompt_tokens = usage.n_prompt_tokens;
  log.n_cached_prompt_tokens = usage.n_cached_prompt_tokens;
  log.n_completion_tokens = usage.n_completion_tokens;
  log.finish_reason = choices_.empty() || !choices_[0].finish ? "" : OpenAiFinishReason(*choices_[0].finish);
  if (!choices_.empty() && !choices_[0].tool_calls.empty() && log.finish_reason == "stop") log.finish_reason = "tool_calls";
  double joules = 0.0, machine_seconds = 0.0, e2e_s = 0.0;
  for (const ChoiceState& state : choices_) {
    if (!state.summary) continue;
    log.queue_s = std::max(log.queue_s, state.summary->timings.queue_seconds());
    const std::optional<double> ttft = state.summary->timings.time_to_first_token_seconds();
    if (ttft && (!log.ttft_s || *ttft < *log.ttft_s)) log.ttft_s = ttft;
    joules += state.summary->joules;
    machine_seconds += state.summary->machine_seconds;
    e2e_s = std::max(e2e_s, state.summary->timings.end_to_end_seconds());
  }
  if (error_) {
    const ApiError error = JobError(*error_);
    log.finish_reason = "error";
    log.error = error.message;
    if (spec_.stream) {
      ending.stream_tail = std::string(kSseDone);
    } else {
      log.status = error.http_status;
      ending.whole = ErrorResponse(error);
    }
  } else if (spec_.stream) {
    if (spec_.include_usage) {
      ending.stream_tail = SseEvent(spec_.format == ApiFormat::kChat ? ChatUsageChunk(spec_.header, usage)
                                                                     : CompletionUsageChunk(spec_.header, usage));
    }
    ending.stream_tail += std::string(kSseDone);
  } else {
    std::vector<Choice> body_choices;
    for (size_t choice = 0; choice < choices_.size(); ++choice) {
      const ChoiceState& state = choices_[choice];
      Choice item{static_cast<int64_t>(choice), state.text, state.finish, nullptr, state.tool_calls};
      if (spec_.want_logprobs) {
        item.logprobs = spec_.format == ApiFormat::kChat ? ChatLogprobsJson(state.logprobs)
                                                         : CompletionLogprobsJson(state.logprobs, 0);
      }
      body_choices.push_back(std::move(item));
    }
    ending.whole.body = spec_.format == ApiFormat::kChat ? ChatBody(spec_.header, body_choices, usage)
                                                         : CompletionBody(spec_.header, body_choices, usage);
  }
  for (const auto& header : rate_limit_headers_) ending.whole.headers.push_back(header);
  if (abandoned_) log.finish_reason = "cancelled";
  if (!abandoned_) {
    // The tier's objectives: the earliest first token, and each choice's mean time per output token.
    std::optional<double> worst_tpot;
    for (const ChoiceState& state : choices_) {
      if (!state.summary || state.summary->counters.n_generated < 2) continue;
      const std::optional<double> ttft = state.summary->timings.time_to_first_token_seconds();
      if (!ttft) continue;
      const double tpot = (state.summary->timings.end_to_end_seconds() - *ttft) /
                          static_cast<double>(state.summary->counters.n_generated - 1);
      worst_tpot = std::max(worst_tpot.value_or(0.0), tpot);
    }
    const bool within = !error_ && control::WithinSlo(context_.metering.slo.For(tier_), log.ttft_s, worst_tpot);
    context_.metrics.ObserveSlo(std::string(control::TierName(tier_)), within);
  }

  const control::CostModel& prices = context_.metering.cost;
  const double cost = prices.Cost(joules, machine_seconds);
  const std::string tenant = caller_.principal ? caller_.principal->tenant_name : "";
  ending.usage = UsageSample{tenant,  context_.engine.energy_source(), usage.n_prompt_tokens,
                             usage.n_completion_tokens, joules, cost, prices.currency};
  control::Governor* governor = context_.metering.governor;
  if (governor == nullptr) {
    Deliver(ending, OkStatus());
    return;
  }
  control::LedgerRow row;
  row.request_id = spec_.header.id;
  if (caller_.principal) {
    row.tenant_id = caller_.principal->tenant_id;
    row.tenant = caller_.principal->tenant_name;
    row.key_id = caller_.principal->key_id;
  }
  row.tier = std::string(control::TierName(tier_));
  row.model = spec_.header.model;
  row.arrival_ms = spec_.arrival_ms;
  row.queue_s = log.queue_s;
  row.ttft_s = log.ttft_s;
  row.e2e_s = e2e_s;
  row.prompt_tokens = usage.n_prompt_tokens;
  row.cached_tokens = usage.n_cached_prompt_tokens;
  row.completion_tokens = usage.n_completion_tokens;
  row.finish_reason = log.finish_reason.empty() ? "unknown" : log.finish_reason;
  row.joules = joules;
  row.energy_source = ending.usage.energy_source;
  row.cost = cost;
  governor->Observe(usage.n_prompt_tokens + usage.n_completion_tokens, joules, cost);
  ending.ledger_started = std::chrono::steady_clock::now();
  governor->ledger().Record(std::move(row), [ending = std::move(ending)](const Status& booked) {
    Deliver(ending, booked);
  });
}

}  // namespace fab::server
