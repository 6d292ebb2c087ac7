// GgufWriter: invalid inputs give a Status when writing, never a bad file.
#include "gguf/gguf_writer.h"

#include <filesystem>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace fab {
namespace {

using ::testing::HasSubstr;

Status WriteError(const GgufWriter& writer) {
  StatusOr<std::vector<uint8_t>> bytes = writer.WriteToBytes();
  return bytes.ok() ? OkStatus() : bytes.status();
}

TEST(GgufWriter, RejectsDuplicateTensorNames) {
  GgufWriter writer;
  writer.AddTensor("w", DType::kF32, {1}, std::vector<uint8_t>(4));
  writer.AddTensor("w", DType::kF32, {1}, std::vector<uint8_t>(4));
  Status status = WriteError(writer);
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(), HasSubstr("duplicate tensor name 'w'"));
}

TEST(GgufWriter, RejectsDataOfTheWrongSize) {
  GgufWriter writer;
  writer.AddTensor("w", DType::kF32, {3}, std::vector<uint8_t>(11));
  Status status = WriteError(writer);
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(), HasSubstr("tensor 'w': data has 11 bytes but the shape needs 12"));
}

TEST(GgufWriter, RejectsBadShapes) {
  GgufWriter no_dims;
  no_dims.AddTensor("w", DType::kF32, {}, std::vector<uint8_t>());
  EXPECT_THAT(WriteError(no_dims).message(), HasSubstr("0 dimensions"));
  GgufWriter negative;
  negative.AddTensor("w", DType::kF32, {2, -1}, std::vector<uint8_t>());
  EXPECT_THAT(WriteError(negative).message(), HasSubstr("dimension 1 is negative"));
  GgufWriter partial_block;
  partial_block.AddTensor("w", DType::kQ4_0, {16}, std::vector<uint8_t>(9));
  EXPECT_THAT(WriteError(partial_block).message(), HasSubstr("not a multiple of the q4_0 block size 32"));
}

TEST(GgufWriter, RejectsAlignmentThatIsNotAPowerOfTwo) {
  GgufWriter writer;
  writer.SetAlignment(48);
  Status status = WriteError(writer);
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(), HasSubstr("general.alignment 48 is not a power of two"));
}

TEST(GgufWriter, RejectsArrayElementsOfTheWrongType) {
  GgufWriter writer;
  writer.Add("mixed", GgufValue::Array(GgufValueType::kInt32, {GgufValue::Int32(1), GgufValue::String("x")}));
  Status status = WriteError(writer);
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(), HasSubstr("metadata 'mixed': array element 1 is string in an array of int32"));
}

TEST(GgufWriter, FailsCleanlyWhenTheDirectoryDoesNotExist) {
  GgufWriter writer;
  std::string path = "/nonexistent-dir-for-gguf-test/model.gguf";
  Status status = writer.WriteFile(path);
  EXPECT_FALSE(status.ok());
  EXPECT_THAT(status.message(), HasSubstr("cannot create"));
  EXPECT_FALSE(std::filesystem::exists(path));
}

}  // namespace
}  // namespace fab
