// BlocksInFlight: the prompt blocks that running requests have yet to commit,
// by chained prefix hash. The scheduler holds back a waiting request whose
// next uncached full prompt block is among them: once a running request
// commits that block, the waiting one hits the prefix cache instead of
// computing the same KV a second time. Hashes are those of
// kvcache/block_hash.h (salt included), so only equal salts and equal whole
// prefixes match. Rebuilt each Schedule(); not thread-safe.
#pragma once

#include <cstdint>
#include <span>
#include <unordered_set>
#include <vector>

#include "base/types.h"
#include "kvcache/block_hash.h"

namespace fab::scheduler {

// Chained hashes of every full block of `prompt`: [prompt.size() / block_size].
std::vector<kvcache::BlockHash> HashPromptBlocks(kvcache::BlockHasher& hasher, std::span<const TokenId> prompt,
                                                 int32_t block_size, uint64_t cache_salt);

class BlocksInFlight {
 public:
  // Adds prompt blocks [first_uncommitted_block, block_hashes.size()) of one
  // running request.
  void Add(std::span<const kvcache::BlockHash> block_hashes, int64_t first_uncommitted_block);
  bool Contains(const kvcache::BlockHash& hash) const { return hashes_.contains(hash); }
  bool empty() const { return hashes_.empty(); }

 private:
  std::unordered_set<kvcache::BlockHash, kvcache::BlockHashHasher> hashes_;
};

}  // namespace fab::scheduler
