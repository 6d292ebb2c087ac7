// WordCache: a bounded, thread-safe memo of pre-token → token ids for the
// BPE model, so frequent words skip merging. Keys are the raw bytes of a
// pre-token of at most kMaxWordBytes; longer words are never cached (they
// are rare and would make the memory bound loose). Sharded by hash, one
// mutex per shard; a shard that reaches its share of the capacity is
// cleared whole (cheap, bounded, and frequent words come straight back).
// Memory: about max_entries × (key + ids + ~100 bytes).
#pragma once

#include <array>
#include <cstddef>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "base/types.h"

namespace fab::tokenizer_internal {

class WordCache {
 public:
  static constexpr size_t kMaxWordBytes = 64;

  explicit WordCache(size_t max_entries);

  // Appends the ids cached for `word` to *ids and returns true, or returns
  // false (and leaves *ids alone) when `word` is not cached.
  bool Lookup(std::string_view word, std::vector<TokenId>* ids) const;
  // Remembers the ids of `word` (ignored when the word is too long).
  void Insert(std::string_view word, std::span<const TokenId> ids);

 private:
  struct Hash {
    using is_transparent = void;
    size_t operator()(std::string_view text) const { return std::hash<std::string_view>{}(text); }
  };
  using Map = std::unordered_map<std::string, std::vector<TokenId>, Hash, std::equal_to<>>;
  struct Shard {
    mutable std::mutex mutex;
    Map words;  // guarded by mutex
  };
  static constexpr size_t kShards = 16;

  static size_t ShardIndex(std::string_view word);

  size_t max_entries_per_shard_;
  std::array<Shard, kShards> shards_;
};

}  // namespace fab::tokenizer_internal
