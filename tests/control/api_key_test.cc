#include "control/api_key.h"

#include <gtest/gtest.h>

namespace fab::control {
namespace {

TEST(NewApiKey, IsTfPrefixAnd43Base62DigitsOf32RandomBytes) {
  StatusOr<std::string> key = NewApiKey();
  ASSERT_TRUE(key.ok());
  EXPECT_EQ(key->size(), kApiKeyLength);
  EXPECT_EQ(key->substr(0, 3), "tf-");
  EXPECT_TRUE(LooksLikeApiKey(*key));
  EXPECT_NE(*key, *NewApiKey());
}

TEST(LooksLikeApiKey, RefusesOtherShapes) {
  const std::string good = *NewApiKey();
  EXPECT_FALSE(LooksLikeApiKey(""));
  EXPECT_FALSE(LooksLikeApiKey(good.substr(0, 45)));
  EXPECT_FALSE(LooksLikeApiKey(good + "0"));
  EXPECT_FALSE(LooksLikeApiKey("sk-" + good.substr(3)));
  std::string bad_char = good;
  bad_char[10] = '-';
  EXPECT_FALSE(LooksLikeApiKey(bad_char));
}

TEST(ApiKeyDigest, DependsOnTheServerSecret) {
  const ServerSecret a{"a", std::string(32, 'a')};
  const ServerSecret b{"b", std::string(32, 'b')};
  const std::string key = *NewApiKey();
  EXPECT_EQ(ApiKeyDigest(a, key), ApiKeyDigest(a, key));
  EXPECT_NE(ApiKeyDigest(a, key), ApiKeyDigest(b, key));
  EXPECT_EQ(ApiKeyDigest(a, key).size(), 64u);
  EXPECT_EQ(ApiKeyDigest(a, key).find(key), std::string::npos);
}

TEST(ApiKeyHint, ShowsOnlyThePrefixAndLastFourCharacters) {
  EXPECT_EQ(ApiKeyHint("tf-0123456789abcdefghijklmnopqrstuvwxyzABCDEFG"), "tf-…DEFG");
}

TEST(ParseDurationSeconds, ReadsANumberAndAUnit) {
  EXPECT_EQ(*ParseDurationSeconds("90s"), 90);
  EXPECT_EQ(*ParseDurationSeconds("15m"), 900);
  EXPECT_EQ(*ParseDurationSeconds("12h"), 43200);
  EXPECT_EQ(*ParseDurationSeconds("30d"), 30 * 86400);
  EXPECT_EQ(*ParseDurationSeconds("2w"), 14 * 86400);
  for (const char* bad : {"", "d", "30", "-1d", "0d", "1.5d", "30x", "99999999999999999w", "1 d"}) {
    SCOPED_TRACE(bad);
    EXPECT_EQ(ParseDurationSeconds(bad).status().code(), StatusCode::kInvalidArgument);
  }
}

}  // namespace
}  // namespace fab::control
