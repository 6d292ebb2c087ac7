#include "tokenizer/word_cache.h"

#include <algorithm>

namespace fab::tokenizer_internal {

WordCache::WordCache(size_t max_entries)
    : max_entries_per_shard_(std::max<size_t>(1, max_entries / kShards)) {}

size_t WordCache::ShardIndex(std::string_view word) {
  // The maps index buckets with the low bits; the shard takes the high ones.
  static_assert(kShards == 16);
  return Hash{}(word) >> (sizeof(size_t) * 8 - 4);
}

bool WordCache::Lookup(std::string_view word, std::vector<TokenId>* ids) const {
  if (word.size() > kMaxWordBytes) return false;
  const Shard& shard = shards_[ShardIndex(word)];
  std::lock_guard<std::mutex> lock(shard.mutex);
  const auto found = shard.words.find(word);
  if (found == shard.words.end()) return false;
  ids->insert(ids->end(), found->second.begin(), found->second.end());
  return true;
}

void WordCache::Insert(std::string_view word, std::span<const TokenId> ids) {
  if (word.size() > kMaxWordBytes) return;
  Shard& shard = shards_[ShardIndex(word)];
  std::lock_guard<std::mutex> lock(shard.mutex);
  if (shard.words.size() >= max_entries_per_shard_) shard.words.clear();
  shard.words.try_emplace(std::string(word), ids.begin(), ids.end());
}

}  // namespace fab::tokenizer_internal
