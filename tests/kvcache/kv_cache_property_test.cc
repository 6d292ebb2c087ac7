// Property test: thousands of random add / allocate / commit / fork / free /
// preempt operations, as a scheduler might issue them, against a shadow model
// that plays the runtime (it writes token ids into the "KV pages" and copies
// the slots a fork names). After every operation the structural invariants
// hold and every sequence reads exactly its own tokens through its table, so
// a wrong prefix hit, a block shared while still being written or a lost
// fork copy shows up as wrong content.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <map>
#include <random>
#include <string>
#include <tuple>
#include <vector>

#include "kv_cache_invariants.h"
#include "kvcache/kv_cache_manager.h"

namespace fab::kvcache {
namespace {

constexpr uint64_t kHashSeed = 1234;
constexpr int kSteps = 5000;
constexpr size_t kMaxLiveSequences = 12;
constexpr int kPromptFamilies = 3;
constexpr int kMaxPromptTokens = 64;

struct ShadowSequence {
  std::vector<TokenId> committed;  // tokens whose KV is in the pages
  std::vector<TokenId> pending;    // rest of the prompt, committed next
  uint64_t cache_salt = 0;
};

struct Counters {
  int prefix_hits = 0;
  int wont_fit = 0;
  int fork_copies = 0;
  int evictions = 0;
};

class KvCacheProperty : public ::testing::TestWithParam<std::tuple<uint32_t, int32_t>> {
 protected:
  void SetUp() override {
    block_size_ = std::get<1>(GetParam());
    rng_.seed(std::get<0>(GetParam()));
    KvCacheConfig config;
    config.block_size = block_size_;
    config.capacity_tokens = 256;  // far less than the live sequences want: forces misses and eviction
    config.hash_seed = kHashSeed;
    StatusOr<KvCacheManager> cache = KvCacheManager::Create(config);
    ASSERT_TRUE(cache.ok()) << cache.status().ToString();
    cache_.emplace(std::move(cache).value());
    pages_.assign(static_cast<size_t>(cache_->n_blocks()) * block_size_, -1);
    std::uniform_int_distribution<TokenId> token(0, 1000);
    families_.resize(kPromptFamilies);
    for (auto& family : families_) {
      for (int i = 0; i < kMaxPromptTokens; ++i) family.push_back(token(rng_));
    }
  }

  int Uniform(int low, int high) { return std::uniform_int_distribution<int>(low, high)(rng_); }
  SeqId PickLive() {
    auto it = live_.begin();
    std::advance(it, Uniform(0, static_cast<int>(live_.size()) - 1));
    return it->first;
  }
  TokenId& Page(KvSlot slot) { return pages_[static_cast<size_t>(slot.block) * block_size_ + slot.offset]; }

  void Start(SeqId seq, const std::vector<TokenId>& prompt, uint64_t salt) {
    const PrefixMatch match = cache_->MatchPrefix(prompt, salt);
    const int32_t n_free_before = cache_->n_free_blocks();
    const int64_t n_cached = cache_->AddSequence(seq, prompt, salt);
    ASSERT_EQ(n_cached, match.n_tokens);
    ASSERT_EQ(n_cached % block_size_, 0);
    ASSERT_TRUE(prompt.empty() || n_cached < static_cast<int64_t>(prompt.size()));
    ASSERT_EQ(cache_->n_free_blocks(), n_free_before - match.n_blocks_free);
    if (n_cached > 0) ++counters_.prefix_hits;
    ShadowSequence& shadow = live_[seq];
    shadow.committed.assign(prompt.begin(), prompt.begin() + n_cached);
    shadow.pending.assign(prompt.begin() + n_cached, prompt.end());
    shadow.cache_salt = salt;
  }

  void Add() {
    if (live_.size() >= kMaxLiveSequences) return;
    std::vector<TokenId> prompt = families_[static_cast<size_t>(Uniform(0, kPromptFamilies - 1))];
    prompt.resize(static_cast<size_t>(Uniform(0, kMaxPromptTokens)));
    if (!prompt.empty() && Uniform(0, 3) == 0) prompt[static_cast<size_t>(Uniform(0, prompt.size() - 1))] = 7;
    Start(next_seq_++, prompt, Uniform(0, 4) == 0 ? 1 : 0);
  }

  void Allocate() {
    if (live_.empty()) return;
    const SeqId seq = PickLive();
    const int64_t n_new = Uniform(0, 3 * std::max(block_size_, 8));
    const BlockTable before = cache_->table(seq);
    const int32_t n_free_before = cache_->n_free_blocks();
    const int32_t n_indexed_before = cache_->pool().n_indexed();
    const std::optional<AllocatedSlots> slots = cache_->TryAllocate(seq, n_new);
    const int64_t n_blocks_needed = (before.n_tokens() + n_new + block_size_ - 1) / block_size_ - before.n_blocks();
    if (!slots) {
      ++counters_.wont_fit;
      ASSERT_GT(n_blocks_needed, n_free_before) << "refused although it fits";
      ASSERT_EQ(cache_->table(seq).n_tokens(), before.n_tokens());
      ASSERT_EQ(cache_->n_free_blocks(), n_free_before);
      return;
    }
    ASSERT_EQ(slots->first_position, before.n_tokens());
    ASSERT_EQ(slots->n_new_blocks, n_blocks_needed);
    ASSERT_EQ(cache_->n_free_blocks(), n_free_before - n_blocks_needed);
    if (cache_->pool().n_indexed() < n_indexed_before) ++counters_.evictions;
  }

  void Commit() {
    if (live_.empty()) return;
    const SeqId seq = PickLive();
    const BlockTable& table = cache_->table(seq);
    const int64_t n_open = table.n_tokens() - table.n_tokens_committed();
    if (n_open == 0) return;
    ShadowSequence& shadow = live_[seq];
    std::vector<TokenId> tokens;
    for (int64_t i = Uniform(1, static_cast<int>(n_open)); i > 0; --i) {
      if (!shadow.pending.empty()) {
        tokens.push_back(shadow.pending.front());
        shadow.pending.erase(shadow.pending.begin());
      } else {
        tokens.push_back(Uniform(0, 3));  // generated; a tiny vocabulary makes equal blocks likely
      }
    }
    for (TokenId token : tokens) {  // the runtime writes KV before the step commits it
      Page(table.SlotOf(static_cast<int64_t>(shadow.committed.size()))) = token;
      shadow.committed.push_back(token);
    }
    cache_->CommitTokens(seq, tokens);
  }

  void Fork() {
    if (live_.empty() || live_.size() >= kMaxLiveSequences) return;
    const SeqId parent = PickLive();
    const SeqId child = next_seq_++;
    const std::optional<ForkResult> fork = cache_->Fork(parent, child);
    const ShadowSequence parent_shadow = live_[parent];
    if (!fork) {
      ASSERT_EQ(cache_->n_free_blocks(), 0);
      ASSERT_NE(parent_shadow.committed.size() % block_size_, 0u);
      return;
    }
    if (fork->copy) {
      ++counters_.fork_copies;
      for (int32_t offset = 0; offset < fork->copy->n_slots; ++offset) {
        Page({fork->copy->dst_block, offset}) = Page({fork->copy->src_block, offset});
      }
    }
    live_[child] = parent_shadow;
  }

  void Free() {
    if (live_.empty()) return;
    const SeqId seq = PickLive();
    cache_->Free(seq);
    live_.erase(seq);
  }

  void Preempt() {
    if (live_.empty()) return;
    const SeqId seq = PickLive();
    ShadowSequence shadow = live_[seq];
    cache_->Free(seq);
    live_.erase(seq);
    std::vector<TokenId> history = shadow.committed;
    history.insert(history.end(), shadow.pending.begin(), shadow.pending.end());
    Start(seq, history, shadow.cache_salt);
  }

  // Every live sequence reads back exactly its committed tokens, and its
  // hash chain is the chain of those tokens.
  ::testing::AssertionResult ContentMatches() {
    BlockHasher hasher(kHashSeed);
    for (const auto& [seq, shadow] : live_) {
      const BlockTable& table = cache_->table(seq);
      if (table.n_tokens_committed() != static_cast<int64_t>(shadow.committed.size())) {
        return ::testing::AssertionFailure() << "sequence " << seq << " committed count differs";
      }
      BlockHash hash = hasher.RootHash(shadow.cache_salt);
      for (size_t position = 0; position < shadow.committed.size(); ++position) {
        if (Page(table.SlotOf(static_cast<int64_t>(position))) != shadow.committed[position]) {
          return ::testing::AssertionFailure() << "sequence " << seq << " reads a wrong token at " << position;
        }
        if ((position + 1) % block_size_ != 0) continue;
        const size_t block_idx = position / block_size_;
        hash = hasher.ChainHash(hash, std::span<const TokenId>(shadow.committed).subspan(
                                          block_idx * block_size_, static_cast<size_t>(block_size_)));
        if (!(table.full_block_hashes()[block_idx] == hash)) {
          return ::testing::AssertionFailure() << "sequence " << seq << " block " << block_idx << " hash differs";
        }
      }
    }
    return ::testing::AssertionSuccess();
  }

  int32_t block_size_ = 0;
  std::mt19937 rng_;
  std::optional<KvCacheManager> cache_;
  std::vector<TokenId> pages_;  // [n_blocks * block_size], what the runtime would hold
  std::vector<std::vector<TokenId>> families_;
  std::map<SeqId, ShadowSequence> live_;
  SeqId next_seq_ = 0;
  Counters counters_;
};

TEST_P(KvCacheProperty, RandomOperationsKeepEveryInvariantAndEverySequencesTokens) {
  for (int step = 0; step < kSteps; ++step) {
    const int op = Uniform(0, 99);
    if (op < 15) {
      Add();
    } else if (op < 45) {
      Allocate();
    } else if (op < 80) {
      Commit();
    } else if (op < 86) {
      Fork();
    } else if (op < 95) {
      Free();
    } else {
      Preempt();
    }
    if (HasFatalFailure()) FAIL() << "at step " << step;
    ASSERT_TRUE(CheckKvCacheInvariants(*cache_)) << "after step " << step << " (op " << op << ")";
    ASSERT_TRUE(ContentMatches()) << "after step " << step << " (op " << op << ")";
  }
  while (!live_.empty()) Free();
  EXPECT_TRUE(CheckKvCacheInvariants(*cache_));
  EXPECT_EQ(cache_->n_free_blocks(), cache_->n_blocks()) << "blocks leaked";
  EXPECT_EQ(cache_->pool().n_used(), 0);
  // The run exercised what it claims to test.
  EXPECT_GT(counters_.prefix_hits, 10);
  EXPECT_GT(counters_.wont_fit, 10);
  if (block_size_ > 1) {
    EXPECT_GT(counters_.fork_copies, 0);
  }
  EXPECT_GT(counters_.evictions, 0);
}

INSTANTIATE_TEST_SUITE_P(SeedsAndBlockSizes, KvCacheProperty,
                         ::testing::Combine(::testing::Values(1u, 2u, 3u, 4u, 5u),
                                            ::testing::Values(1, 4, 16)),
                         [](const auto& info) {
                           return "Seed" + std::to_string(std::get<0>(info.param)) + "Block" +
                                  std::to_string(std::get<1>(info.param));
                         });

}  // namespace
}  // namespace fab::kvcache
