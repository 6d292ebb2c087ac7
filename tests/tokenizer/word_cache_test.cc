// WordCache: lookups append what was inserted; bounded; long words skipped.
#include "tokenizer/word_cache.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace fab::tokenizer_internal {
namespace {

TEST(WordCache, AppendsTheIdsInsertedForAWord) {
  WordCache cache(64);
  std::vector<TokenId> ids = {7};
  EXPECT_FALSE(cache.Lookup("hello", &ids));
  EXPECT_EQ(ids, std::vector<TokenId>{7});
  cache.Insert("hello", std::vector<TokenId>{1, 2});
  EXPECT_TRUE(cache.Lookup("hello", &ids));
  EXPECT_EQ(ids, (std::vector<TokenId>{7, 1, 2}));
}

TEST(WordCache, NeverCachesWordsOverTheLengthCap) {
  WordCache cache(64);
  const std::string long_word(WordCache::kMaxWordBytes + 1, 'a');
  cache.Insert(long_word, std::vector<TokenId>{1});
  std::vector<TokenId> ids;
  EXPECT_FALSE(cache.Lookup(long_word, &ids));
}

TEST(WordCache, KeepsAnsweringCorrectlyPastItsCapacity) {
  WordCache cache(32);
  for (int word = 0; word < 1000; ++word) {
    cache.Insert("w" + std::to_string(word), std::vector<TokenId>{word});
  }
  int n_cached = 0;
  for (int word = 0; word < 1000; ++word) {
    std::vector<TokenId> ids;
    if (!cache.Lookup("w" + std::to_string(word), &ids)) continue;
    ++n_cached;
    EXPECT_EQ(ids, std::vector<TokenId>{word});
  }
  EXPECT_GT(n_cached, 0);
  EXPECT_LE(n_cached, 32);
}

}  // namespace
}  // namespace fab::tokenizer_internal
