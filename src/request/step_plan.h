// StepPlan and StepResult: what one engine step computes, as plain data. The
// scheduler writes a StepPlan (which sequences, which k >= 1 tokens of each,
// where their KV lives); the runtime runs one batched forward pass over all of
// it and returns a StepResult (one sampled token per sequence that asked for
// one, and the scores of prompt tokens a sequence asked to score). There is
// no prefill or decode phase: a prefill chunk, a recompute
// after preemption and a decode token are all "k tokens from first_position".
// Ownership: every span points into scheduler-owned storage (the request's
// tokens, the KV cache's block tables, the request's sampling parameters) and
// stays valid until the scheduler's next mutating call (Update, Cancel, Add or
// Schedule); the engine runs Execute in between. Not thread-safe. Header-only.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "base/types.h"
#include "request/ids.h"
#include "request/logprobs.h"
#include "request/sampling_params.h"
#include "request/token_constraint.h"

namespace fab {

// One sequence's share of a step.
struct ScheduledSequence {
  SeqId seq_id = 0;
  // The tokens to feed: [n_tokens >= 1], at positions first_position,
  // first_position + 1, ... Their KV must be written to the slots below.
  std::span<const TokenId> tokens;
  int64_t first_position = 0;
  // Every token of the sequence up to and including `tokens`:
  // [first_position + tokens.size()]; history[first_position + i] == tokens[i].
  // Positions before first_position already hold KV; the sampler's penalties
  // read the whole history.
  std::span<const TokenId> history;
  // The sequence's block table: position p lives in slot p % block_size of
  // block block_ids[p / block_size]. Covers at least every fed position.
  // Blocks may be shared with other sequences, but only whole blocks below
  // first_position (read-only prefix-cache hits); every slot written this
  // step belongs to this sequence alone.
  std::span<const BlockId> block_ids;
  // True when the last fed token is the last known token of the sequence
  // (the last prompt token or the previous sampled token): the runtime must
  // sample from the logits of tokens.back() and report it in StepResult.
  // False for a prefill chunk that stops inside the prompt: no logits needed.
  bool sample = false;
  // How to sample; non-null when `sample`. The runtime keeps one Sampler per
  // seq_id (its generator state lives across steps) and drops it when the
  // seq_id appears in StepPlan::ended.
  const SamplingParams* sampling = nullptr;
  // When non-null (and `sample`), the runtime samples only among the tokens
  // it allows and tells it the token sampled (request/token_constraint.h).
  TokenConstraint* constraint = nullptr;
  // Alternatives to report with the sampled token and each scored prompt
  // token (SampledToken::top, PromptScore::top): [0, kMaxTopLogprobs].
  int32_t n_top_logprobs = 0;
  // Prompt scoring: fed row i is scored against score_next[i], the token at
  // position first_position + i + 1 (PromptScore). At most n_tokens() entries,
  // and at most n_tokens() - 1 when `sample` (the last row then predicts a
  // new token). Empty for every sequence that does not score its prompt: the
  // runtime then computes no extra logits rows.
  std::span<const TokenId> score_next;

  int64_t n_tokens() const { return static_cast<int64_t>(tokens.size()); }
};

struct StepPlan {
  int32_t block_size = 0;  // token slots per KV block
  // In scheduling order (decodes first, then prefill chunks); one entry per
  // sequence at most. Sum of n_tokens() <= the scheduler's token budget.
  std::vector<ScheduledSequence> sequences;
  // Sequences that finished or were cancelled since the previous plan: the
  // runtime may drop per-sequence state (samplers). Their blocks are already
  // free and may appear in other tables.
  std::vector<SeqId> ended;

  bool empty() const { return sequences.empty(); }
  int64_t n_tokens() const {
    int64_t total = 0;
    for (const ScheduledSequence& sequence : sequences) total += sequence.n_tokens();
    return total;
  }
};

// One sampled token.
struct SampledToken {
  SeqId seq_id = 0;
  TokenId token = 0;
  float logprob = 0.0f;  // raw log-probability of `token` (see TokenLogprob)
  // The sequence's n_top_logprobs most likely tokens at this position, best
  // first (ties: lower id first); empty when it asked for none.
  std::vector<TokenLogprob> top = {};
};

// The score of one prompt token (ScheduledSequence::score_next).
struct PromptScore {
  SeqId seq_id = 0;
  int64_t position = 0;  // of `token`, >= 1
  TokenId token = 0;
  float logprob = 0.0f;  // raw log-probability of `token` given positions [0, position)
  std::vector<TokenLogprob> top = {};  // as SampledToken::top
};

struct StepResult {
  // Exactly one entry per plan sequence with sample == true, in plan order.
  std::vector<SampledToken> sampled;
  // One entry per score_next token of the plan, in plan order, then by position.
  std::vector<PromptScore> prompt_scores;
};

}  // namespace fab
