#include "kvcache/block_hash.h"

#include <cstdio>

#include <xxhash.h>

#include "base/check.h"

namespace fab::kvcache {

std::string HexString(const BlockHash& hash) {
  char text[33];
  std::snprintf(text, sizeof text, "%016llx%016llx", static_cast<unsigned long long>(hash.high),
                static_cast<unsigned long long>(hash.low));
  return text;
}
namespace {

BlockHash FromXxh(XXH128_hash_t hash) { return BlockHash{hash.low64, hash.high64}; }

}  // namespace

// Owns one XXH3 streaming state (created once, reused for every block).
struct BlockHasher::State {
  State() : xxh(XXH3_createState()) { FAB_CHECK(xxh != nullptr) << "out of memory for XXH3 state"; }
  ~State() { XXH3_freeState(xxh); }
  State(const State&) = delete;
  State& operator=(const State&) = delete;
  XXH3_state_t* xxh;
};

BlockHasher::BlockHasher(uint64_t seed) : seed_(seed), state_(std::make_unique<State>()) {}
BlockHasher::~BlockHasher() = default;
BlockHasher::BlockHasher(BlockHasher&&) noexcept = default;
BlockHasher& BlockHasher::operator=(BlockHasher&&) noexcept = default;

BlockHash BlockHasher::RootHash(uint64_t cache_salt) {
  return FromXxh(XXH3_128bits_withSeed(&cache_salt, sizeof(cache_salt), seed_));
}

BlockHash BlockHasher::ChainHash(const BlockHash& parent, std::span<const TokenId> tokens) {
  const uint64_t parent_words[2] = {parent.low, parent.high};
  XXH3_state_t* xxh = state_->xxh;
  FAB_CHECK(XXH3_128bits_reset_withSeed(xxh, seed_) == XXH_OK);
  FAB_CHECK(XXH3_128bits_update(xxh, parent_words, sizeof(parent_words)) == XXH_OK);
  FAB_CHECK(XXH3_128bits_update(xxh, tokens.data(), tokens.size_bytes()) == XXH_OK);
  return FromXxh(XXH3_128bits_digest(xxh));
}

}  // namespace fab::kvcache
