#include "route/node_table.h"

#include <algorithm>

#include "kvcache/block_hash.h"

namespace fab::route {

StatusOr<Policy> ParsePolicy(const std::string& name) {
  if (name == "prefix") return Policy::kPrefix;
  if (name == "least-loaded") return Policy::kLeastLoaded;
  if (name == "round-robin") return Policy::kRoundRobin;
  return InvalidArgumentError("--policy must be prefix, least-loaded or round-robin, not '" + name.substr(0, 32) + "'");
}

NodeTable::NodeTable(std::vector<std::string> urls, NodeTableOptions options)
    : urls_(std::move(urls)), options_(options), nodes_(urls_.size()) {}

std::optional<size_t> NodeTable::Find(const std::string& url) const {
  const auto found = std::find(urls_.begin(), urls_.end(), url);
  if (found == urls_.end()) return std::nullopt;
  return static_cast<size_t>(found - urls_.begin());
}

void NodeTable::RecordSuccess(size_t node) {
  std::lock_guard<std::mutex> lock(mutex_);
  Node& n = nodes_[node];
  n.failures = 0;
  if (!n.healthy && ++n.successes >= options_.admit_after) {
    n.healthy = true;
    n.successes = 0;
  }
}

void NodeTable::RecordFailure(size_t node) {
  std::lock_guard<std::mutex> lock(mutex_);
  Node& n = nodes_[node];
  n.successes = 0;
  if (n.healthy && ++n.failures >= options_.eject_after) {
    n.healthy = false;
    n.failures = 0;
  }
}

void NodeTable::SetLoad(size_t node, const NodeLoad& load) {
  std::lock_guard<std::mutex> lock(mutex_);
  nodes_[node].load = load;
}

void NodeTable::SetPrefixes(size_t node, NodePrefixes prefixes) {
  std::lock_guard<std::mutex> lock(mutex_);
  nodes_[node].prefixes = std::move(prefixes);
}

void NodeTable::SetDraining(size_t node, bool draining) {
  std::lock_guard<std::mutex> lock(mutex_);
  nodes_[node].draining = draining;
}

bool NodeTable::healthy(size_t node) const {
  std::lock_guard<std::mutex> lock(mutex_);
  return nodes_[node].healthy;
}

bool NodeTable::draining(size_t node) const {
  std::lock_guard<std::mutex> lock(mutex_);
  return nodes_[node].draining;
}

double NodeTable::PrefixHit(const Node& node, std::span<const TokenId> tokens) const {
  const int32_t block_size = node.prefixes.block_size;
  if (block_size <= 0 || node.prefixes.blocks.empty()) return 0.0;
  const size_t n_blocks = tokens.size() / static_cast<size_t>(block_size);
  if (n_blocks == 0) return 0.0;
  kvcache::BlockHasher hasher(node.prefixes.hash_seed);
  kvcache::BlockHash parent = hasher.RootHash(0);
  size_t held = 0;
  for (size_t b = 0; b < n_blocks; ++b) {
    parent = hasher.ChainHash(parent, tokens.subspan(b * static_cast<size_t>(block_size), static_cast<size_t>(block_size)));
    if (node.prefixes.blocks.count(kvcache::HexString(parent)) == 0) break;
    ++held;
  }
  return static_cast<double>(held) / static_cast<double>(n_blocks);
}

std::optional<Pick> NodeTable::Choose(Policy policy, std::span<const TokenId> tokens, const std::vector<size_t>& exclude) {
  std::lock_guard<std::mutex> lock(mutex_);
  std::vector<size_t> open;
  for (size_t i = 0; i < nodes_.size(); ++i) {
    if (nodes_[i].healthy && !nodes_[i].draining && std::find(exclude.begin(), exclude.end(), i) == exclude.end()) {
      open.push_back(i);
    }
  }
  if (open.empty()) return std::nullopt;
  if (policy == Policy::kRoundRobin) {
    for (size_t step = 0; step < nodes_.size(); ++step) {
      const size_t candidate = (next_ + step) % nodes_.size();
      if (std::find(open.begin(), open.end(), candidate) != open.end()) {
        next_ = candidate + 1;
        return Pick{candidate, "round-robin", 0.0};
      }
    }
  }
  const auto lighter = [&](size_t a, size_t b) {
    const NodeLoad &x = nodes_[a].load, &y = nodes_[b].load;
    if (x.waiting != y.waiting) return x.waiting < y.waiting;
    if (x.running != y.running) return x.running < y.running;
    return x.kv_usage < y.kv_usage;
  };
  if (policy == Policy::kLeastLoaded || tokens.empty()) {
    const size_t best = *std::min_element(open.begin(), open.end(), lighter);
    return Pick{best, "least-loaded", 0.0};
  }
  double most_waiting = 1.0;
  for (size_t i : open) most_waiting = std::max(most_waiting, nodes_[i].load.waiting);
  std::optional<size_t> best;
  double best_score = 0.0, best_hit = 0.0;
  for (size_t i : open) {
    const double hit = PrefixHit(nodes_[i], tokens);
    const double score = hit - nodes_[i].load.waiting / most_waiting - 0.25 * nodes_[i].load.kv_usage;
    if (!best || score > best_score + 1e-12 || (std::abs(score - best_score) <= 1e-12 && lighter(i, *best))) {
      best = i;
      best_score = score;
      best_hit = hit;
    }
  }
  return Pick{*best, best_hit > 0 ? "prefix" : "least-loaded", best_hit};
}

}  // namespace fab::route
