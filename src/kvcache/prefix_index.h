// PrefixIndex: chained block hash -> the one block that holds that prefix.
// At most one block per hash; a block appears under at most one hash (the
// BlockPool keeps both sides in step). Not thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <unordered_map>

#include "kvcache/block_hash.h"
#include "request/ids.h"

namespace fab::kvcache {

class PrefixIndex {
 public:
  using Map = std::unordered_map<BlockHash, BlockId, BlockHashHasher>;

  // Reserves room for `max_entries` so that inserts never rehash mid-step.
  explicit PrefixIndex(int32_t max_entries);

  // False (and no change) when `hash` is already indexed.
  bool Insert(const BlockHash& hash, BlockId block);
  // Removes `hash` if it maps to `block`; returns whether it did.
  bool Erase(const BlockHash& hash, BlockId block);
  std::optional<BlockId> Find(const BlockHash& hash) const;
  int32_t size() const { return static_cast<int32_t>(map_.size()); }

  // Every (hash, block) entry, for invariant checks.
  const Map& entries() const { return map_; }

 private:
  Map map_;
};

}  // namespace fab::kvcache
