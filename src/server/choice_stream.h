// ChoiceStream: one choice's generated tokens turned into what a client may
// see — text deltas that are whole UTF-8 characters and never contain any
// part of a stop string, each with the logprob entries of the tokens whose
// text starts inside it. Stop strings end the choice (the stop string and
// everything after it are dropped, text and logprobs alike). One per
// choice; not thread-safe (its GenerationJob locks). The Tokenizer must
// outlive it.
#pragma once

#include <cstdint>
#include <deque>
#include <span>
#include <string>
#include <vector>

#include "base/types.h"
#include "engine/request_observer.h"
#include "server/openai_response.h"
#include "tokenizer/stop_string_matcher.h"
#include "tokenizer/tokenizer.h"

namespace fab::server {

// The alternatives as a response shows them: (token bytes, logprob), best first.
std::vector<std::pair<std::string, float>> AlternativePieces(const Tokenizer& tokenizer,
                                                             std::span<const TokenLogprob> top);

class ChoiceStream {
 public:
  // `want_logprobs`: keep a LogprobEntry per token for the deltas.
  // `shown`: control tokens that appear as their text (a tool-call marker
  // such as "[TOOL_CALLS]"); the others show nothing.
  ChoiceStream(const Tokenizer& tokenizer, std::vector<std::string> stops, bool want_logprobs,
               std::vector<TokenId> shown = {});

  struct Delta {
    std::string text;                    // may be empty
    std::vector<LogprobEntry> logprobs;  // the tokens whose text starts in this delta (want_logprobs)
    bool stopped = false;                // a stop string matched: the choice is over
  };

  // One generated token that is not an end-of-generation token, its
  // logprob and best alternatives (empty unless asked for).
  Delta Push(TokenId token, float logprob, std::span<const TokenLogprob> top);
  // The generation ended for another reason (length, end of generation):
  // whatever is still held back, with the remaining logprob entries.
  Delta Flush();

 private:
  struct PendingLogprob {
    int64_t text_start = 0;  // byte offset of the token's text in the detokenized output
    LogprobEntry entry;
  };
  // Moves the entries whose text starts before n_emitted_bytes_ into *delta.
  void ReleaseLogprobs(Delta* delta);

  const Tokenizer* tokenizer_;
  StreamingDetokenizer detokenizer_;
  StopStringMatcher matcher_;
  const bool want_logprobs_;
  const std::vector<TokenId> shown_;
  int64_t n_detokenized_bytes_ = 0;
  int64_t n_emitted_bytes_ = 0;
  std::deque<PendingLogprob> pending_logprobs_;
};

}  // namespace fab::server
