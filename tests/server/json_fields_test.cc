#include "server/json_fields.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <string>

#include "server/request_limits.h"

namespace fab::server {
namespace {

namespace json = boost::json;

// {"a": [[…]]} with `depth` levels in all, the object counting as one.
std::string NestedObject(size_t depth) {
  return R"({"a":)" + std::string(depth - 1, '[') + std::string(depth - 1, ']') + "}";
}

TEST(ParseJsonObject, AcceptsNestingUpToTheCapAndRefusesOneLevelMore) {
  EXPECT_TRUE(ParseJsonObject(NestedObject(kMaxJsonDepth)).ok());
  const auto deeper = ParseJsonObject(NestedObject(kMaxJsonDepth + 1));
  ASSERT_FALSE(deeper.ok());
  EXPECT_EQ(deeper.error().http_status, 400);
  EXPECT_FALSE(deeper.error().param.has_value());
}

TEST(ParseJsonObject, RefusesAHundredThousandOpenBracketsWithoutRecursingIntoThem) {
  EXPECT_FALSE(ParseJsonObject(std::string(100000, '[')).ok());
}

TEST(ReadOptionalInt, RefusesANumberThatOverflowedToInfinity) {
  // Boost.JSON parses 1e309 to +inf rather than failing; the reader must not.
  const json::value value = json::parse("1e309");
  ASSERT_TRUE(value.is_double());
  EXPECT_FALSE(ReadOptionalInt(&value, "x", 0, 10).ok());
}

TEST(ReadOptionalInt, AcceptsTheInt64ExtremesWhenTheRangeAllowsThem) {
  constexpr int64_t kMin = std::numeric_limits<int64_t>::min();
  constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
  const json::value low = json::parse("-9223372036854775808");
  const json::value high = json::parse("9223372036854775807");
  EXPECT_EQ(ReadOptionalInt(&low, "seed", kMin, kMax).value(), kMin);
  EXPECT_EQ(ReadOptionalInt(&high, "seed", kMin, kMax).value(), kMax);
}

TEST(ReadOptionalInt, TreatsAMissingValueAsAbsent) {
  const auto result = ReadOptionalInt(nullptr, "n", 1, 16);
  ASSERT_TRUE(result.ok());
  EXPECT_FALSE(result.value().has_value());
}

TEST(ReadOptionalNumber, AcceptsIntegersAndRefusesNonFiniteValues) {
  const json::value three = json::parse("3");
  const json::value infinity = json::parse("-1e999");
  EXPECT_EQ(ReadOptionalNumber(&three, "x", 0, 5).value(), 3.0);
  EXPECT_FALSE(ReadOptionalNumber(&infinity, "x", -1e308, 5).ok());
}

TEST(ReadOptionalNumber, HonoursAnExclusiveLowerBound) {
  const json::value zero = json::parse("0");
  EXPECT_TRUE(ReadOptionalNumber(&zero, "x", 0, 1, /*min_exclusive=*/false).ok());
  EXPECT_FALSE(ReadOptionalNumber(&zero, "x", 0, 1, /*min_exclusive=*/true).ok());
}

TEST(ReadString, RefusesInvalidUtf8ThatBypassedTheParser) {
  // A value built in code, not parsed, so Boost.JSON never validated it.
  const json::value bad(json::string("a\xff"));
  const auto result = ReadString(bad, "user", {});
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().param, "user");
}

TEST(ReadString, EnforcesTheByteCapAndTheEmptyRule) {
  const json::value text(json::string("abcd"));
  const json::value empty(json::string(""));
  EXPECT_TRUE(ReadString(text, "s", {.max_bytes = 4}).ok());
  EXPECT_FALSE(ReadString(text, "s", {.max_bytes = 3}).ok());
  EXPECT_TRUE(ReadString(empty, "s", {}).ok());
  EXPECT_FALSE(ReadString(empty, "s", {.allow_empty = false}).ok());
}

TEST(WrongTypeError, NamesTheExpectedAndTheReceivedType) {
  const ApiError error = WrongTypeError("stop", "a string", json::value(true));
  EXPECT_EQ(error.message, "'stop' must be a string, got boolean");
  EXPECT_EQ(error.param, "stop");
  EXPECT_EQ(error.http_status, 400);
}

}  // namespace
}  // namespace fab::server
