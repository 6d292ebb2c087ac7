#include "server/choice_stream.h"

#include <algorithm>
#include <utility>

namespace fab::server {

std::vector<std::pair<std::string, float>> AlternativePieces(const Tokenizer& tokenizer,
                                                             std::span<const TokenLogprob> top) {
  std::vector<std::pair<std::string, float>> pieces;
  pieces.reserve(top.size());
  for (const TokenLogprob& alternative : top) {
    pieces.emplace_back(tokenizer.TokenBytes(alternative.token), alternative.logprob);
  }
  return pieces;
}

ChoiceStream::ChoiceStream(const Tokenizer& tokenizer, std::vector<std::string> stops, bool want_logprobs,
                           std::vector<TokenId> shown)
    : tokenizer_(&tokenizer),
      detokenizer_(tokenizer),
      matcher_(std::move(stops)),
      want_logprobs_(want_logprobs),
      shown_(std::move(shown)) {}

ChoiceStream::Delta ChoiceStream::Push(TokenId token, float logprob,
                                       std::span<const TokenLogprob> top) {
  Delta delta;
  if (matcher_.stopped()) {
    delta.stopped = true;
    return delta;
  }
  if (want_logprobs_) {
    pending_logprobs_.push_back(PendingLogprob{
        n_detokenized_bytes_, LogprobEntry{tokenizer_->TokenBytes(token), logprob, AlternativePieces(*tokenizer_, top)}});
  }
  const bool shown = std::find(shown_.begin(), shown_.end(), token) != shown_.end();
  const std::string text =
      shown ? detokenizer_.Flush() + std::string(tokenizer_->TokenText(token)) : detokenizer_.Push(token);
  n_detokenized_bytes_ += static_cast<int64_t>(text.size());
  StopStringMatcher::Step step = matcher_.Push(text);
  n_emitted_bytes_ += static_cast<int64_t>(step.emit.size());
  delta.text = std::move(step.emit);
  delta.stopped = step.stopped;
  ReleaseLogprobs(&delta);
  if (delta.stopped) pending_logprobs_.clear();  // tokens of the stop string and after
  return delta;
}

ChoiceStream::Delta ChoiceStream::Flush() {
  Delta delta;
  if (matcher_.stopped()) {
    delta.stopped = true;
    return delta;
  }
  StopStringMatcher::Step step = matcher_.Push(detokenizer_.Flush());
  delta.text = std::move(step.emit);
  delta.stopped = step.stopped;
  if (!step.stopped) delta.text += matcher_.Flush();
  n_emitted_bytes_ += static_cast<int64_t>(delta.text.size());
  if (delta.stopped) {
    ReleaseLogprobs(&delta);
    pending_logprobs_.clear();
  } else {
    for (PendingLogprob& pending : pending_logprobs_) delta.logprobs.push_back(std::move(pending.entry));
    pending_logprobs_.clear();
  }
  return delta;
}

void ChoiceStream::ReleaseLogprobs(Delta* delta) {
  while (!pending_logprobs_.empty() && pending_logprobs_.front().text_start < n_emitted_bytes_) {
    delta->logprobs.push_back(std::move(pending_logprobs_.front().entry));
    pending_logprobs_.pop_front();
  }
}

}  // namespace fab::server
