// Malformed GGUF headers and metadata: each gives a Status naming the
// problem (code and message checked), never a crash or a huge allocation.
#include <cstdint>
#include <limits>

#include <gtest/gtest.h>

#include "gguf_test_helpers.h"

namespace fab {
namespace {

using testing::GgufBytesBuilder;
using testing::IsError;
using testing::ParseStatus;
using Builder = GgufBytesBuilder;

constexpr uint32_t kArray = Builder::kTypeArray;

// A version-3 header with one metadata entry; the test appends the entry.
Builder OneEntry() { return Builder().Header(3, 0, 1); }

TEST(GgufReader, RejectsEmptyFile) {
  StatusOr<GgufFile> file = GgufFile::Parse(nullptr, 0);
  EXPECT_THAT(file.status(), IsError(StatusCode::kDataLoss, "empty file"));
}

TEST(GgufReader, RejectsBadMagic) {
  EXPECT_THAT(ParseStatus(Builder().Raw("GGML").U32(3).U64(0).U64(0)),
              IsError(StatusCode::kInvalidArgument, "bad magic 0x4c4d4747: not a GGUF file"));
}

TEST(GgufReader, RejectsFileShorterThanMagic) {
  EXPECT_THAT(ParseStatus(Builder().Raw("GGU")),
              IsError(StatusCode::kDataLoss, "magic: needs 4 bytes at offset 0 but the file ends at 3"));
}

TEST(GgufReader, RejectsVersion1) {
  EXPECT_THAT(ParseStatus(Builder().Header(1, 0, 0)),
              IsError(StatusCode::kUnimplemented, "GGUF version 1 is not supported (only versions 2 and 3)"));
}

TEST(GgufReader, RejectsVersion99) {
  EXPECT_THAT(ParseStatus(Builder().Header(99, 0, 0)), IsError(StatusCode::kUnimplemented, "GGUF version 99"));
}

TEST(GgufReader, RejectsBigEndianFile) {
  EXPECT_THAT(ParseStatus(Builder().Raw("GGUF").U32(0x03000000).U64(0).U64(0)),
              IsError(StatusCode::kUnimplemented, "big-endian"));
}

TEST(GgufReader, AcceptsVersion2AndVersion3) {
  EXPECT_TRUE(ParseStatus(Builder().Header(2, 0, 0)).ok());
  EXPECT_TRUE(ParseStatus(Builder().Header(3, 0, 0)).ok());
}

TEST(GgufReader, RejectsAbsurdTensorCount) {
  EXPECT_THAT(ParseStatus(Builder().Header(3, uint64_t{1} << 60, 0)),
              IsError(StatusCode::kResourceExhausted, "n_tensors 1152921504606846976 exceeds the limit of 65536"));
}

TEST(GgufReader, RejectsAbsurdMetadataCount) {
  EXPECT_THAT(ParseStatus(Builder().Header(3, 0, uint64_t{1} << 62)),
              IsError(StatusCode::kResourceExhausted, "n_kv 4611686018427387904 exceeds the limit"));
}

TEST(GgufReader, RejectsCountsThatCannotFitInTheRemainingBytes) {
  EXPECT_THAT(ParseStatus(Builder().Header(3, 10, 10).Zeros(100)),
              IsError(StatusCode::kDataLoss, "which need at least 470 bytes, but only 100 remain"));
}

TEST(GgufReader, RejectsHeaderCutInsideTheCounts) {
  EXPECT_THAT(ParseStatus(Builder().Raw("GGUF").U32(3).U32(0)),
              IsError(StatusCode::kDataLoss, "n_tensors: needs 8 bytes at offset 8"));
}

TEST(GgufReader, RejectsKeyLengthPastEndOfFile) {
  EXPECT_THAT(ParseStatus(OneEntry().U64(100).Raw("abcdefgh")),
              IsError(StatusCode::kDataLoss,
                      "metadata entry 0: key: length 100 at offset 24 runs past end of file (8 bytes remain)"));
}

TEST(GgufReader, RejectsKeyLongerThanTheLimit) {
  GgufLimits limits;
  limits.max_key_bytes = 4;
  EXPECT_THAT(ParseStatus(OneEntry().KeyU32("abcdefgh", 1), limits),
              IsError(StatusCode::kResourceExhausted, "key: length 8 at offset 24 exceeds the limit of 4 bytes"));
}

TEST(GgufReader, RejectsEmptyKey) {
  EXPECT_THAT(ParseStatus(OneEntry().KeyU32("", 1)), IsError(StatusCode::kInvalidArgument, "empty key"));
}

TEST(GgufReader, RejectsKeyThatIsNotUtf8) {
  EXPECT_THAT(ParseStatus(OneEntry().KeyU32("bad\xC0\xAF", 1)),
              IsError(StatusCode::kInvalidArgument, "is not valid UTF-8"));
}

TEST(GgufReader, RejectsStringLengthOf2To63BeforeAllocating) {
  Builder bytes = OneEntry().Str("name").U32(Builder::kTypeString).U64(uint64_t{1} << 63).Raw("abcd");
  EXPECT_THAT(ParseStatus(bytes),
              IsError(StatusCode::kResourceExhausted, "metadata 'name': string: length 9223372036854775808"));
  GgufLimits no_string_cap;
  no_string_cap.max_string_bytes = std::numeric_limits<uint64_t>::max();
  EXPECT_THAT(ParseStatus(bytes, no_string_cap),
              IsError(StatusCode::kDataLoss, "length 9223372036854775808 at offset 40 runs past end of file"));
}

TEST(GgufReader, RejectsUnknownValueType) {
  EXPECT_THAT(ParseStatus(OneEntry().Str("k").U32(13).U32(0)),
              IsError(StatusCode::kInvalidArgument, "metadata 'k': unknown value type 13 at offset 33"));
}

TEST(GgufReader, RejectsBoolThatIsNeitherZeroNorOne) {
  EXPECT_THAT(ParseStatus(OneEntry().Str("k").U32(Builder::kTypeBool).U8(7)),
              IsError(StatusCode::kInvalidArgument, "metadata 'k': bool value 7 at offset 37 is not 0 or 1"));
}

TEST(GgufReader, RejectsBadBoolInsideAnArray) {
  Builder bytes = OneEntry().Str("k").U32(kArray).U32(Builder::kTypeBool).U64(2).U8(1).U8(2);
  EXPECT_THAT(ParseStatus(bytes), IsError(StatusCode::kInvalidArgument, "array element 1: bool value 2"));
}

TEST(GgufReader, RejectsValueCutShort) {
  EXPECT_THAT(ParseStatus(OneEntry().Str("key").U32(Builder::kTypeUint64).U16(1)),
              IsError(StatusCode::kDataLoss, "metadata 'key': uint64 value: needs 8 bytes"));
}

TEST(GgufReader, RejectsAbsurdArrayCountBeforeAllocating) {
  Builder bytes = OneEntry().Str("a").U32(kArray).U32(Builder::kTypeUint32).U64(uint64_t{1} << 62);
  EXPECT_THAT(ParseStatus(bytes),
              IsError(StatusCode::kResourceExhausted, "array of 4611686018427387904 uint32 at offset 37 exceeds"));
}

TEST(GgufReader, RejectsArrayCountThatCannotFitInTheRemainingBytes) {
  Builder bytes = OneEntry().Str("a").U32(kArray).U32(Builder::kTypeUint32).U64(1000).Zeros(40);
  EXPECT_THAT(ParseStatus(bytes), IsError(StatusCode::kDataLoss, "needs at least 4000 bytes but only 40 remain"));
}

TEST(GgufReader, RejectsUnknownArrayElementType) {
  EXPECT_THAT(ParseStatus(OneEntry().Str("a").U32(kArray).U32(77).U64(0)),
              IsError(StatusCode::kInvalidArgument, "unknown array element type 77"));
}

Builder NestedArrays(int depth) {
  Builder bytes = OneEntry().Str("deep").U32(kArray);
  for (int level = 1; level < depth; ++level) bytes.U32(kArray).U64(1);
  return bytes.U32(Builder::kTypeUint8).U64(1).U8(42);
}

TEST(GgufReader, RejectsArraysNestedTooDeep) {
  EXPECT_THAT(ParseStatus(NestedArrays(5)),
              IsError(StatusCode::kInvalidArgument, "arrays nested 5 deep at offset 88 exceed the limit of 4"));
}

TEST(GgufReader, AcceptsArraysNestedToTheLimit) {
  std::vector<uint8_t> bytes = NestedArrays(4).bytes();
  StatusOr<GgufFile> file = GgufFile::Parse(bytes.data(), bytes.size());
  ASSERT_TRUE(file.ok()) << file.status().ToString();
  const GgufValue* value = file->Find("deep");
  for (int level = 1; level < 4; ++level) value = &(*value->AsArray())[0];
  EXPECT_EQ((*value->AsArray())[0].AsInt(), 42);
}

TEST(GgufReader, RejectsDuplicateKeys) {
  EXPECT_THAT(ParseStatus(Builder().Header(3, 0, 2).KeyU32("a", 1).KeyU32("a", 2)),
              IsError(StatusCode::kInvalidArgument, "duplicate metadata key 'a'"));
}

TEST(GgufReader, RejectsAlignmentThatIsNotAPowerOfTwo) {
  EXPECT_THAT(ParseStatus(OneEntry().KeyU32("general.alignment", 48)),
              IsError(StatusCode::kInvalidArgument, "general.alignment 48 is not a power of two"));
}

TEST(GgufReader, RejectsAlignmentZero) {
  EXPECT_THAT(ParseStatus(OneEntry().KeyU32("general.alignment", 0)),
              IsError(StatusCode::kInvalidArgument, "general.alignment 0 is not a power of two"));
}

TEST(GgufReader, RejectsAlignmentAboveTheCap) {
  EXPECT_THAT(ParseStatus(OneEntry().KeyU32("general.alignment", 1u << 24)),
              IsError(StatusCode::kResourceExhausted, "general.alignment 16777216 exceeds the limit of 1048576"));
}

TEST(GgufReader, RejectsAlignmentThatIsNotAnInteger) {
  EXPECT_THAT(ParseStatus(OneEntry().KeyString("general.alignment", "32")),
              IsError(StatusCode::kInvalidArgument, "general.alignment must be a positive integer, not string"));
}

}  // namespace
}  // namespace fab
