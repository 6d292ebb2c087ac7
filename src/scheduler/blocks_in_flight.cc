#include "scheduler/blocks_in_flight.h"

namespace fab::scheduler {

std::vector<kvcache::BlockHash> HashPromptBlocks(kvcache::BlockHasher& hasher, std::span<const TokenId> prompt,
                                                 int32_t block_size, uint64_t cache_salt) {
  const size_t block_tokens = static_cast<size_t>(block_size);
  std::vector<kvcache::BlockHash> hashes(prompt.size() / block_tokens);
  kvcache::BlockHash hash = hasher.RootHash(cache_salt);
  for (size_t block_idx = 0; block_idx < hashes.size(); ++block_idx) {
    hash = hasher.ChainHash(hash, prompt.subspan(block_idx * block_tokens, block_tokens));
    hashes[block_idx] = hash;
  }
  return hashes;
}

void BlocksInFlight::Add(std::span<const kvcache::BlockHash> block_hashes, int64_t first_uncommitted_block) {
  for (size_t block_idx = static_cast<size_t>(first_uncommitted_block); block_idx < block_hashes.size(); ++block_idx) {
    hashes_.insert(block_hashes[block_idx]);
  }
}

}  // namespace fab::scheduler
