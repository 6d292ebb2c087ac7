// NodeTable: what `tokenfab route` knows of its nodes — their health, load
// and prefix blocks — and the choice of a node for a request. Health: a node
// is ejected after `eject_after` consecutive failures (probes or requests)
// and admitted again after `admit_after` consecutive successful probes; a
// drained node takes no new requests. Load comes from the node's /metrics
// (tokenfab:num_requests_waiting, num_requests_running, kv_cache_usage_perc)
// and its prefix blocks from /v1/prefix_blocks (server/utility_endpoints.h).
// Choice, among healthy, undrained nodes (docs/deploy.md):
//   round-robin   the next in turn
//   least-loaded  the fewest waiting, then running, then the lowest KV use
//   prefix        the highest score = hit − waiting / max(1, most waiting)
//                 − 0.25 × kv_use, where hit is the share of the request's
//                 full prompt blocks whose leading run the node holds (its own
//                 hash seed and block size); ties go to least-loaded
// Thread-safe (one mutex).
#pragma once

#include <cstddef>
#include <cstdint>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <unordered_set>
#include <vector>

#include "base/status.h"
#include "base/types.h"

namespace fab::route {

enum class Policy { kPrefix, kLeastLoaded, kRoundRobin };

// "prefix", "least-loaded", "round-robin" → Policy; InvalidArgument otherwise.
StatusOr<Policy> ParsePolicy(const std::string& name);

struct NodeLoad {
  double waiting = 0.0;
  double running = 0.0;
  double kv_usage = 0.0;  // 0..1
};

// A node's prefix blocks as it reported them.
struct NodePrefixes {
  int32_t block_size = 0;
  uint64_t hash_seed = 0;
  std::unordered_set<std::string> blocks;  // 32 hex digits each
};

struct Pick {
  size_t node = 0;
  std::string reason;         // "prefix", "least-loaded", "round-robin"
  double prefix_hit = 0.0;    // the chosen node's hit share (prefix policy)
};

struct NodeTableOptions {
  int eject_after = 3;
  int admit_after = 2;
};

class NodeTable {
 public:
  explicit NodeTable(std::vector<std::string> urls, NodeTableOptions options = {});

  size_t size() const { return urls_.size(); }
  const std::string& url(size_t node) const { return urls_[node]; }
  std::optional<size_t> Find(const std::string& url) const;

  // A probe or a request to `node` succeeded or failed.
  void RecordSuccess(size_t node);
  void RecordFailure(size_t node);
  void SetLoad(size_t node, const NodeLoad& load);
  void SetPrefixes(size_t node, NodePrefixes prefixes);
  void SetDraining(size_t node, bool draining);

  bool healthy(size_t node) const;
  bool draining(size_t node) const;

  // A node for a request whose prompt is `tokens` (may be empty: then no
  // prefix is scored), skipping `exclude` (nodes already tried); nullopt when
  // no node may take it.
  std::optional<Pick> Choose(Policy policy, std::span<const TokenId> tokens, const std::vector<size_t>& exclude);

 private:
  struct Node {
    bool healthy = true;
    bool draining = false;
    int failures = 0;   // consecutive
    int successes = 0;  // consecutive, while ejected
    NodeLoad load;
    NodePrefixes prefixes;
  };
  // The share of `tokens`' full blocks whose leading run `node` holds (under mutex_).
  double PrefixHit(const Node& node, std::span<const TokenId> tokens) const;

  const std::vector<std::string> urls_;
  const NodeTableOptions options_;
  mutable std::mutex mutex_;
  std::vector<Node> nodes_;  // guarded by mutex_
  size_t next_ = 0;          // guarded by mutex_: round-robin
};

}  // namespace fab::route
