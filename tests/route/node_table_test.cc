// The router's view of its nodes: ejection after consecutive failures and
// admission after consecutive successes, drained nodes skipped, and each
// policy's choice — round robin in turn, least-loaded by queue, prefix by
// the longest run of the request's blocks a node holds, weighed against
// its queue.
#include "route/node_table.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <vector>

#include "kvcache/block_hash.h"

namespace fab::route {
namespace {


std::vector<TokenId> Tokens(int n, int start) {
  std::vector<TokenId> tokens;
  for (int i = 0; i < n; ++i) tokens.push_back(start + i);
  return tokens;
}

// The hashes of the first `n_blocks` blocks of `tokens`, as a node with `seed` reports them.
NodePrefixes Holding(const std::vector<TokenId>& tokens, size_t n_blocks, uint64_t seed) {
  NodePrefixes prefixes;
  prefixes.block_size = 16;
  prefixes.hash_seed = seed;
  kvcache::BlockHasher hasher(seed);
  kvcache::BlockHash parent = hasher.RootHash(0);
  for (size_t b = 0; b < n_blocks; ++b) {
    parent = hasher.ChainHash(parent, std::span<const TokenId>(tokens.data() + 16 * b, 16));
    prefixes.blocks.insert(kvcache::HexString(parent));
  }
  return prefixes;
}

TEST(NodeTable, EjectsAfterConsecutiveFailuresAndAdmitsAfterConsecutiveSuccesses) {
  NodeTable table({"http://a", "http://b"}, NodeTableOptions{3, 2});
  table.RecordFailure(0);
  table.RecordFailure(0);
  table.RecordSuccess(0);  // the run of failures is broken
  table.RecordFailure(0);
  table.RecordFailure(0);
  EXPECT_TRUE(table.healthy(0));
  table.RecordFailure(0);
  EXPECT_FALSE(table.healthy(0));
  for (int i = 0; i < 5; ++i) EXPECT_EQ(table.Choose(Policy::kRoundRobin, {}, {})->node, 1u) << "ejected nodes get nothing";
  table.RecordSuccess(0);
  EXPECT_FALSE(table.healthy(0));
  table.RecordSuccess(0);
  EXPECT_TRUE(table.healthy(0));
  EXPECT_EQ(table.Find("http://b"), 1u);
  EXPECT_FALSE(table.Find("http://c").has_value());
}

TEST(NodeTable, RoundRobinTakesTurnsSkippingDrainedAndExcludedNodes) {
  NodeTable table({"a", "b", "c"});
  std::vector<size_t> picks;
  for (int i = 0; i < 6; ++i) picks.push_back(table.Choose(Policy::kRoundRobin, {}, {})->node);
  EXPECT_EQ(picks, (std::vector<size_t>{0, 1, 2, 0, 1, 2}));
  table.SetDraining(1, true);
  for (int i = 0; i < 4; ++i) EXPECT_NE(table.Choose(Policy::kRoundRobin, {}, {})->node, 1u);
  EXPECT_EQ(table.Choose(Policy::kLeastLoaded, {}, {0, 2}), std::nullopt) << "a retry skips the nodes tried";
}

TEST(NodeTable, LeastLoadedPicksTheShortestQueueThenFewestRunning) {
  NodeTable table({"a", "b", "c"});
  table.SetLoad(0, {4, 1, 0.1});
  table.SetLoad(1, {1, 9, 0.9});
  table.SetLoad(2, {1, 2, 0.5});
  const std::optional<Pick> pick = table.Choose(Policy::kLeastLoaded, {}, {});
  ASSERT_TRUE(pick.has_value());
  EXPECT_EQ(pick->node, 2u);
  EXPECT_EQ(pick->reason, "least-loaded");
}

TEST(NodeTable, PrefixPicksTheNodeHoldingTheLongestLeadingRunUnlessItsQueueOutweighsIt) {
  NodeTable table({"a", "b", "c"});
  const std::vector<TokenId> prompt = Tokens(160, 1000);  // 10 full blocks
  table.SetPrefixes(0, Holding(prompt, 2, 11));
  table.SetPrefixes(1, Holding(prompt, 8, 22));  // each node has its own seed
  std::vector<TokenId> other = Tokens(160, 5000);
  table.SetPrefixes(2, Holding(other, 10, 33));
  std::optional<Pick> pick = table.Choose(Policy::kPrefix, prompt, {});
  ASSERT_TRUE(pick.has_value());
  EXPECT_EQ(pick->node, 1u);
  EXPECT_EQ(pick->reason, "prefix");
  EXPECT_DOUBLE_EQ(pick->prefix_hit, 0.8);
  // A run that breaks does not count past the break.
  std::vector<TokenId> changed = prompt;
  changed[20] = 7;  // block 1 differs
  EXPECT_EQ(table.Choose(Policy::kPrefix, changed, {})->prefix_hit, 0.1);
  // Node 1 with the longest queue: 0.8 − 1 < 0.2 − 0.
  table.SetLoad(1, {20, 0, 0});
  table.SetLoad(0, {0, 0, 0});
  EXPECT_EQ(table.Choose(Policy::kPrefix, prompt, {})->node, 0u);
  // No node holds anything of it: the least loaded.
  const std::optional<Pick> cold = table.Choose(Policy::kPrefix, Tokens(64, 9000), {});
  EXPECT_EQ(cold->reason, "least-loaded");
  EXPECT_EQ(cold->node, 0u);
}

TEST(NodeTable, ReadsPolicyNames) {
  EXPECT_EQ(*ParsePolicy("prefix"), Policy::kPrefix);
  EXPECT_EQ(*ParsePolicy("least-loaded"), Policy::kLeastLoaded);
  EXPECT_EQ(*ParsePolicy("round-robin"), Policy::kRoundRobin);
  EXPECT_FALSE(ParsePolicy("random").ok());
}

}  // namespace
}  // namespace fab::route
