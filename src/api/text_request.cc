#include "api/text_request.h"

#include <chrono>
#include <utility>

namespace fab::api {
namespace {

double Seconds(engine::Clock::duration duration) { return std::chrono::duration<double>(duration).count(); }

}  // namespace

TextRequest::TextRequest(const Tokenizer& tokenizer, engine::Engine& engine, std::vector<std::string> stop,
                         tokenfab::Callbacks callbacks)
    : tokenizer_(tokenizer),
      engine_(engine),
      callbacks_(std::move(callbacks)),
      detokenizer_(tokenizer),
      stops_(std::move(stop)) {}

void TextRequest::OnToken(TokenId token, float logprob) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (stops_.stopped()) return;  // the cancel is on its way
  result_.tokens.push_back(token);
  if (tokenizer_.IsEndOfGeneration(token)) {
    Emit(token, logprob, "");
    return;
  }
  StopStringMatcher::Step step = stops_.Push(detokenizer_.Push(token));
  Emit(token, logprob, std::move(step.emit));
  if (step.stopped) (void)engine_.Cancel(id_);  // NotFound: it ended this step anyway
}

void TextRequest::Emit(TokenId token, float logprob, std::string text) {
  result_.text += text;
  if (callbacks_.on_token) callbacks_.on_token(tokenfab::TokenEvent{id_, token, logprob, std::move(text)});
}

void TextRequest::OnFinish(const engine::RequestSummary& summary) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (summary.reason == FinishReason::kError) {
    if (callbacks_.on_done) callbacks_.on_done(summary.error.ok() ? InternalError("generation failed") : summary.error);
    return;
  }
  result_.id = id_;
  result_.finish_reason = summary.reason;
  if (!stops_.stopped()) {
    StopStringMatcher::Step tail = stops_.Push(detokenizer_.Flush());
    std::string held = std::move(tail.emit);
    if (!tail.stopped) held += stops_.Flush();
    if (!held.empty()) Emit(tokenfab::kNoToken, 0.0f, std::move(held));
  }
  if (stops_.stopped()) result_.finish_reason = FinishReason::kStopString;
  result_.n_prompt_tokens = summary.counters.n_prompt_tokens;
  result_.n_cached_prompt_tokens = summary.counters.n_cached_prompt_tokens;
  result_.time_to_first_token_s = summary.timings.time_to_first_token_seconds().value_or(0.0);
  result_.total_s = Seconds(summary.timings.finished - summary.timings.submitted);
  if (callbacks_.on_done) callbacks_.on_done(std::move(result_));
}

}  // namespace fab::api
