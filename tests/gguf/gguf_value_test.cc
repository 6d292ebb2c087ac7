// GgufValue: factories, typed accessors and the short rendering.
#include "gguf/gguf_value.h"

#include <cstdint>
#include <limits>

#include <gtest/gtest.h>

namespace fab {
namespace {

TEST(GgufValue, IntegersOfEveryWidthReadAsInt64) {
  EXPECT_EQ(GgufValue::Uint8(200).AsInt(), 200);
  EXPECT_EQ(GgufValue::Int8(-100).AsInt(), -100);
  EXPECT_EQ(GgufValue::Uint16(60000).AsInt(), 60000);
  EXPECT_EQ(GgufValue::Int16(-30000).AsInt(), -30000);
  EXPECT_EQ(GgufValue::Uint32(4000000000u).AsInt(), 4000000000LL);
  EXPECT_EQ(GgufValue::Int32(-2000000000).AsInt(), -2000000000LL);
  EXPECT_EQ(GgufValue::Int64(std::numeric_limits<int64_t>::min()).AsInt(), std::numeric_limits<int64_t>::min());
  EXPECT_EQ(GgufValue::Uint64(1ULL << 62).AsInt(), int64_t{1} << 62);
}

TEST(GgufValue, Uint64AboveInt64MaxIsNotAnInt) {
  GgufValue value = GgufValue::Uint64(std::numeric_limits<uint64_t>::max());
  EXPECT_FALSE(value.AsInt().has_value());
  EXPECT_EQ(value.AsUint(), std::numeric_limits<uint64_t>::max());
}

TEST(GgufValue, FloatsAndIntegersReadAsDouble) {
  EXPECT_EQ(GgufValue::Float32(0.1f).AsFloat(), static_cast<double>(0.1f));
  EXPECT_EQ(GgufValue::Float64(0.1).AsFloat(), 0.1);
  EXPECT_EQ(GgufValue::Int32(-3).AsFloat(), -3.0);
  EXPECT_FALSE(GgufValue::String("1.5").AsFloat().has_value());
  EXPECT_FALSE(GgufValue::Bool(true).AsFloat().has_value());
}

TEST(GgufValue, AccessorsOfOtherTypesReturnNothing) {
  GgufValue text = GgufValue::String("llama");
  EXPECT_EQ(text.type(), GgufValueType::kString);
  ASSERT_NE(text.AsString(), nullptr);
  EXPECT_EQ(*text.AsString(), "llama");
  EXPECT_FALSE(text.AsInt().has_value());
  EXPECT_FALSE(text.AsBool().has_value());
  EXPECT_EQ(text.AsArray(), nullptr);
  EXPECT_EQ(GgufValue::Int32(1).AsString(), nullptr);
  EXPECT_FALSE(GgufValue::Int32(1).AsBool().has_value());
  EXPECT_EQ(GgufValue::Bool(true).AsBool(), true);
  EXPECT_FALSE(GgufValue::Bool(true).AsInt().has_value());
}

TEST(GgufValue, ArraysKeepElementTypeAndShareElementsOnCopy) {
  GgufValue array = GgufValue::Array(GgufValueType::kInt32, {GgufValue::Int32(1), GgufValue::Int32(2)});
  GgufValue copy = array;
  EXPECT_EQ(copy.type(), GgufValueType::kArray);
  EXPECT_EQ(copy.array_element_type(), GgufValueType::kInt32);
  ASSERT_NE(copy.AsArray(), nullptr);
  EXPECT_EQ(copy.AsArray(), array.AsArray());  // shared, not copied
  EXPECT_EQ((*copy.AsArray())[1].AsInt(), 2);
}

TEST(GgufValue, ShortStringOfScalars) {
  EXPECT_EQ(GgufValue::Uint64(18446744073709551615ULL).ToShortString(100), "18446744073709551615");
  EXPECT_EQ(GgufValue::Int8(-5).ToShortString(100), "-5");
  EXPECT_EQ(GgufValue::Float32(0.1f).ToShortString(100), "0.1");
  EXPECT_EQ(GgufValue::Float64(1e-5).ToShortString(100), "1e-05");
  EXPECT_EQ(GgufValue::Bool(false).ToShortString(100), "false");
  EXPECT_EQ(GgufValue::String("a\"b\n\x01").ToShortString(100), "\"a\\\"b\\n\\x01\"");
}

TEST(GgufValue, ShortStringOfArrayShowsCountTypeAndFirstItems) {
  std::vector<GgufValue> tokens;
  for (int token_idx = 0; token_idx < 32000; ++token_idx) tokens.push_back(GgufValue::String("tok"));
  GgufValue array = GgufValue::Array(GgufValueType::kString, std::move(tokens));
  std::string text = array.ToShortString(40);
  EXPECT_EQ(text, "[32000 × string] \"tok\", \"tok\", \"tok\"...");
  EXPECT_LE(text.size(), 40u);
}

TEST(GgufValue, ShortStringNeverSplitsUtf8OrExceedsLimit) {
  GgufValue text = GgufValue::String("ééééé");  // 2 bytes each
  for (size_t max_chars = 0; max_chars < 16; ++max_chars) {
    std::string shown = text.ToShortString(max_chars);
    EXPECT_LE(shown.size(), max_chars);
    size_t n_continuation_bytes = 0;
    for (char c : shown) n_continuation_bytes += (static_cast<unsigned char>(c) & 0xC0) == 0x80;
    size_t n_lead_bytes = 0;
    for (char c : shown) n_lead_bytes += static_cast<unsigned char>(c) == 0xC3;
    EXPECT_EQ(n_continuation_bytes, n_lead_bytes) << "cut inside a character at max_chars " << max_chars;
  }
}

TEST(GgufValue, ShortStringOfNestedArrayShowsInnerHeaders) {
  GgufValue inner = GgufValue::Array(GgufValueType::kUint8, {GgufValue::Uint8(1), GgufValue::Uint8(2)});
  GgufValue outer = GgufValue::Array(GgufValueType::kArray, {inner});
  EXPECT_EQ(outer.ToShortString(100), "[1 × array] [2 × uint8]");
  EXPECT_EQ(GgufValue::Array(GgufValueType::kFloat32, {}).ToShortString(100), "[0 × float32]");
}

}  // namespace
}  // namespace fab
