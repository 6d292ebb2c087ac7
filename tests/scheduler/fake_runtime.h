// FakeRuntime: plays the runtime for scheduler tests. It keeps "KV pages" of
// token ids: each step it writes every fed token into the slot its block table
// names, then, for a sequence that samples, reads the sequence's whole context
// back through the table and "samples" a deterministic function of (request,
// position, context read from the pages). So a wrong table, a lost or
// overwritten block, or a wrong recompute after preemption changes the tokens
// a request generates; equal outputs under different pools mean the KV was
// right. Plan-shape errors are reported as gtest failures.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <functional>
#include <span>
#include <vector>

#include "request/step_plan.h"

namespace fab::scheduler {

// A token in [kFirstFakeToken, kFirstFakeToken + kFakeVocab) mixed from the context.
inline constexpr TokenId kFirstFakeToken = 1000;
inline constexpr TokenId kFakeVocab = 5000;

inline TokenId ContextHashToken(SeqId, int64_t position, std::span<const TokenId> context) {
  uint64_t hash = 0x9e3779b97f4a7c15ull ^ static_cast<uint64_t>(position);
  for (TokenId token : context) {
    hash ^= static_cast<uint64_t>(token) + 0x9e3779b97f4a7c15ull + (hash << 6) + (hash >> 2);
  }
  return kFirstFakeToken + static_cast<TokenId>(hash % kFakeVocab);
}

class FakeRuntime {
 public:
  // (sequence, position of the new token, tokens at positions [0, position)) -> token
  using TokenFunction = std::function<TokenId(SeqId, int64_t, std::span<const TokenId>)>;

  FakeRuntime(int32_t n_blocks, int32_t block_size, TokenFunction token_function = ContextHashToken)
      : block_size_(block_size),
        pages_(static_cast<size_t>(n_blocks) * static_cast<size_t>(block_size), -1),
        token_function_(std::move(token_function)) {}

  StepResult Execute(const StepPlan& plan) {
    EXPECT_EQ(plan.block_size, block_size_);
    StepResult result;
    for (const ScheduledSequence& sequence : plan.sequences) {
      ++n_sequence_steps_;
      EXPECT_GE(sequence.n_tokens(), 1);
      EXPECT_EQ(static_cast<int64_t>(sequence.history.size()), sequence.first_position + sequence.n_tokens());
      for (int64_t i = 0; i < sequence.n_tokens(); ++i) {
        const int64_t position = sequence.first_position + i;
        EXPECT_EQ(sequence.history[static_cast<size_t>(position)], sequence.tokens[static_cast<size_t>(i)]);
        Slot(sequence, position) = sequence.tokens[static_cast<size_t>(i)];
      }
      if (!sequence.sample) continue;
      EXPECT_NE(sequence.sampling, nullptr);
      const int64_t n_context = sequence.first_position + sequence.n_tokens();
      std::vector<TokenId> context(static_cast<size_t>(n_context));
      for (int64_t position = 0; position < n_context; ++position) {
        context[static_cast<size_t>(position)] = Slot(sequence, position);
      }
      EXPECT_TRUE(std::equal(context.begin(), context.end(), sequence.history.begin()))
          << "sequence " << sequence.seq_id << " reads KV that is not its own";
      result.sampled.push_back({sequence.seq_id, token_function_(sequence.seq_id, n_context, context), 0.0f});
    }
    return result;
  }

  int64_t n_sequence_steps() const { return n_sequence_steps_; }

 private:
  TokenId& Slot(const ScheduledSequence& sequence, int64_t position) {
    const size_t block_idx = static_cast<size_t>(position / block_size_);
    static TokenId dummy = -1;
    if (block_idx >= sequence.block_ids.size()) {
      ADD_FAILURE() << "sequence " << sequence.seq_id << " has no block for position " << position;
      return dummy;
    }
    const size_t slot = static_cast<size_t>(sequence.block_ids[block_idx]) * static_cast<size_t>(block_size_) +
                        static_cast<size_t>(position % block_size_);
    return pages_.at(slot);
  }

  int32_t block_size_;
  std::vector<TokenId> pages_;
  TokenFunction token_function_;
  int64_t n_sequence_steps_ = 0;
};

}  // namespace fab::scheduler
