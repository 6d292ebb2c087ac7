// Chained prefix hashes of full KV blocks. The hash of block k of a sequence
// is XXH3-128(seed; hash of block k-1, the block's B token ids); block 0
// chains from a root hash of the sequence's cache salt (LoRA adapter, model
// revision, tenant isolation). Equal hashes therefore mean equal salt and
// equal whole prefixes up to and including that block.
//
// Why 128 bits and no stored tokens: a false match silently serves another
// prompt's KV, so collisions must be negligible over a server's lifetime.
// With 64 bits and ~1e6 indexed blocks a lookup collides with probability
// ~5e-14, and among 2^32 hashed blocks some pair collides with p ~ 0.4; with 128
// bits both are beyond reach, at the cost of 16 bytes per block, whereas
// storing tokens to verify would cost 4*B bytes per block and a compare per
// hit. XXH3 is not cryptographic: give each cache a random `seed` (so hashes
// cannot be predicted from outside) and distinct salts to tenants that must
// never share KV.
// Not thread-safe (BlockHasher reuses one hashing state).
#pragma once

#include <cstdint>
#include <string>
#include <memory>
#include <span>

#include "base/types.h"

namespace fab::kvcache {

struct BlockHash {
  uint64_t low = 0;
  uint64_t high = 0;
  friend bool operator==(const BlockHash&, const BlockHash&) = default;
};

// 32 lowercase hex digits, high half first: how /v1/prefix_blocks writes a
// hash and a router compares it.
std::string HexString(const BlockHash& hash);

// For unordered containers: the low half is already uniformly distributed.
struct BlockHashHasher {
  size_t operator()(const BlockHash& hash) const { return static_cast<size_t>(hash.low); }
};

class BlockHasher {
 public:
  explicit BlockHasher(uint64_t seed);
  ~BlockHasher();
  BlockHasher(BlockHasher&&) noexcept;
  BlockHasher& operator=(BlockHasher&&) noexcept;

  // The parent of a sequence's first block.
  BlockHash RootHash(uint64_t cache_salt);
  // Hash of the block holding `tokens` (exactly block_size of them) whose
  // predecessor in the sequence has hash `parent`.
  BlockHash ChainHash(const BlockHash& parent, std::span<const TokenId> tokens);

 private:
  struct State;
  uint64_t seed_;
  std::unique_ptr<State> state_;
};

}  // namespace fab::kvcache
