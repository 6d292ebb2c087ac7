#include "kvcache/prefix_index.h"

namespace fab::kvcache {

PrefixIndex::PrefixIndex(int32_t max_entries) { map_.reserve(static_cast<size_t>(max_entries)); }

bool PrefixIndex::Insert(const BlockHash& hash, BlockId block) { return map_.emplace(hash, block).second; }

bool PrefixIndex::Erase(const BlockHash& hash, BlockId block) {
  auto it = map_.find(hash);
  if (it == map_.end() || it->second != block) return false;
  map_.erase(it);
  return true;
}

std::optional<BlockId> PrefixIndex::Find(const BlockHash& hash) const {
  auto it = map_.find(hash);
  if (it == map_.end()) return std::nullopt;
  return it->second;
}

}  // namespace fab::kvcache
