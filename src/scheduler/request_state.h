// RequestState: the scheduler's private record of one live request. Its
// tokens are the prompt followed by every generated token; the first
// n_tokens_computed of them hold KV in the cache. While running, at least the
// last token is not computed yet (it is the next one to feed). Internal to
// scheduler/.
#pragma once

#include <cstdint>
#include <vector>

#include "kvcache/block_hash.h"
#include "scheduler/request.h"

namespace fab::scheduler {

struct RequestState {
  Request request;              // stop_tokens sorted, deduplicated
  std::vector<TokenId> tokens;  // [n_prompt + n_generated]
  // Chained hashes of the prompt's full blocks: [n_prompt / block_size].
  std::vector<kvcache::BlockHash> prompt_block_hashes;
  int64_t n_tokens_computed = 0;
  uint64_t arrival = 0;  // Add() order; smaller = earlier
  bool running = false;
  bool admitted_before = false;
  RequestCounters counters;

  int64_t n_tokens() const { return static_cast<int64_t>(tokens.size()); }
  int64_t n_tokens_pending() const { return n_tokens() - n_tokens_computed; }
  // Whether the runtime must still score the prompt (request.prompt_logprobs
  // until the first token; a recompute after that scores nothing).
  bool scores_prompt() const { return request.prompt_logprobs && counters.n_generated == 0; }
};

}  // namespace fab::scheduler
