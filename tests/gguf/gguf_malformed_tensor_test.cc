// Malformed GGUF tensor directories and data sections: each gives a Status
// naming the tensor and the problem (code and message checked).
#include <cstdint>
#include <limits>

#include <gtest/gtest.h>

#include "gguf/gguf_writer.h"
#include "gguf_test_helpers.h"

namespace fab {
namespace {

using testing::GgufBytesBuilder;
using testing::IsError;
using testing::ParseStatus;
using Builder = GgufBytesBuilder;

constexpr uint32_t kF32 = 0;
constexpr uint32_t kQ4_0 = 2;
constexpr uint64_t kMinusOne = std::numeric_limits<uint64_t>::max();

// One tensor "w" (header 24 bytes + entry), padded to 32, then data_bytes.
Builder OneTensor(const std::vector<uint64_t>& dims, uint32_t dtype, uint64_t offset, size_t data_bytes) {
  return Builder().Header(3, 1, 0).Tensor("w", dims, dtype, offset).PadTo(32).Zeros(data_bytes);
}

TEST(GgufReader, AcceptsAWellFormedTensor) {
  EXPECT_TRUE(ParseStatus(OneTensor({8}, kF32, 0, 32)).ok());
}

TEST(GgufReader, RejectsUnknownDType) {
  EXPECT_THAT(ParseStatus(OneTensor({8}, 99, 0, 32)),
              IsError(StatusCode::kInvalidArgument, "tensor 'w': unknown dtype 99"));
}

TEST(GgufReader, RejectsRemovedDType4) {
  EXPECT_THAT(ParseStatus(OneTensor({8}, 4, 0, 32)),
              IsError(StatusCode::kInvalidArgument, "unknown dtype 4 (Q4_2/Q4_3, removed from ggml)"));
}

TEST(GgufReader, RejectsZeroDimensions) {
  EXPECT_THAT(ParseStatus(OneTensor({}, kF32, 0, 32)),
              IsError(StatusCode::kInvalidArgument, "tensor 'w': n_dims 0 at offset 33 is not in [1, 4]"));
}

TEST(GgufReader, RejectsFiveDimensions) {
  EXPECT_THAT(ParseStatus(OneTensor({1, 1, 1, 1, 1}, kF32, 0, 32)),
              IsError(StatusCode::kInvalidArgument, "n_dims 5"));
}

TEST(GgufReader, RejectsNegativeDimension) {
  EXPECT_THAT(ParseStatus(OneTensor({8, kMinusOne}, kF32, 0, 32)),
              IsError(StatusCode::kInvalidArgument, "tensor 'w': dimension 1 is negative (-1)"));
}

TEST(GgufReader, RejectsShapeWhoseElementCountOverflows) {
  EXPECT_THAT(ParseStatus(OneTensor({uint64_t{1} << 32, uint64_t{1} << 32}, kF32, 0, 32)),
              IsError(StatusCode::kInvalidArgument, "shape [4294967296, 4294967296] has more than 2^63-1 elements or rows"));
}

TEST(GgufReader, RejectsRowCountOverflowEvenWhenRowsAreEmpty) {
  // ne[0] == 0 makes the element count 0, but ne[1] * ne[2] overflows.
  EXPECT_THAT(ParseStatus(OneTensor({0, uint64_t{1} << 40, uint64_t{1} << 34}, kF32, 0, 32)),
              IsError(StatusCode::kInvalidArgument, "has more than 2^63-1 elements or rows"));
}

TEST(GgufReader, RejectsShapeWhoseByteCountOverflows) {
  EXPECT_THAT(ParseStatus(OneTensor({uint64_t{1} << 31, uint64_t{1} << 31}, kF32, 0, 32)),
              IsError(StatusCode::kInvalidArgument, "of f32 has more than 2^63-1 bytes"));
}

TEST(GgufReader, RejectsRowThatIsNotAWholeNumberOfBlocks) {
  EXPECT_THAT(ParseStatus(OneTensor({33}, kQ4_0, 0, 64)),
              IsError(StatusCode::kInvalidArgument, "row of 33 elements is not a multiple of the q4_0 block size 32"));
}

TEST(GgufReader, RejectsMisalignedTensorOffset) {
  EXPECT_THAT(ParseStatus(OneTensor({4}, kF32, 16, 64)),
              IsError(StatusCode::kInvalidArgument, "tensor 'w': data offset 16 is not a multiple of the alignment 32"));
}

TEST(GgufReader, RejectsTensorDataPastEndOfFile) {
  // Header 24 + entry 33 = 57, padded to 64; 16 of the 32 data bytes present.
  EXPECT_THAT(ParseStatus(OneTensor({8}, kF32, 0, 16)),
              IsError(StatusCode::kDataLoss, "tensor 'w': data [offset 64, 32 bytes] runs past end of file (size 80)"));
}

TEST(GgufReader, RejectsTensorOffsetNear2To64) {
  EXPECT_THAT(ParseStatus(OneTensor({8}, kF32, kMinusOne - 31, 32)),
              IsError(StatusCode::kDataLoss, "data [offset 64 + 18446744073709551584, 32 bytes] runs past end"));
}

TEST(GgufReader, RejectsDuplicateTensorNames) {
  Builder bytes = Builder().Header(3, 2, 0).Tensor("w", {8}, kF32, 0).Tensor("w", {8}, kF32, 32).PadTo(32).Zeros(64);
  EXPECT_THAT(ParseStatus(bytes), IsError(StatusCode::kInvalidArgument, "duplicate tensor name 'w'"));
}

TEST(GgufReader, RejectsOverlappingTensors) {
  Builder bytes = Builder().Header(3, 2, 0).Tensor("a", {16}, kF32, 0).Tensor("b", {8}, kF32, 32).PadTo(32).Zeros(64);
  EXPECT_THAT(ParseStatus(bytes), IsError(StatusCode::kInvalidArgument, "tensors 'a' [offset 96, 64 bytes] and 'b' "
                                                                         "[offset 128, 32 bytes] overlap"));
}

TEST(GgufReader, RejectsTensorsAtTheSameOffset) {
  Builder bytes = Builder().Header(3, 2, 0).Tensor("b", {8}, kF32, 0).Tensor("a", {8}, kF32, 0).PadTo(32).Zeros(64);
  EXPECT_THAT(ParseStatus(bytes), IsError(StatusCode::kInvalidArgument, "overlap"));
}

TEST(GgufReader, AcceptsZeroSizedTensorsAnywhereInTheData) {
  Builder bytes = Builder().Header(3, 2, 0).Tensor("a", {8}, kF32, 0).Tensor("empty", {0}, kF32, 0).PadTo(32).Zeros(32);
  EXPECT_TRUE(ParseStatus(bytes).ok()) << ParseStatus(bytes).ToString();
}

TEST(GgufReader, RejectsEmptyTensorName) {
  Builder bytes = Builder().Header(3, 1, 0).Tensor("", {8}, kF32, 0).PadTo(32).Zeros(32);
  EXPECT_THAT(ParseStatus(bytes), IsError(StatusCode::kInvalidArgument, "tensor entry 0: empty tensor name"));
}

TEST(GgufReader, RejectsTensorNameLongerThanTheLimit) {
  GgufLimits limits;
  limits.max_tensor_name_bytes = 8;
  Builder bytes = Builder().Header(3, 1, 0).Tensor("blk.0.attn_q.weight", {8}, kF32, 0).PadTo(32).Zeros(32);
  EXPECT_THAT(ParseStatus(bytes, limits), IsError(StatusCode::kResourceExhausted, "tensor name: length 19"));
}

TEST(GgufReader, RejectsTensorCountAboveACustomLimit) {
  GgufLimits limits;
  limits.max_tensors = 1;
  Builder bytes = Builder().Header(3, 2, 0).Tensor("a", {8}, kF32, 0).Tensor("b", {8}, kF32, 32).PadTo(32).Zeros(64);
  EXPECT_THAT(ParseStatus(bytes, limits), IsError(StatusCode::kResourceExhausted, "n_tensors 2 exceeds the limit of 1"));
}

TEST(GgufReader, HonoursAlignmentFromMetadataForOffsets) {
  Builder bytes = Builder().Header(3, 1, 1).KeyU32("general.alignment", 64).Tensor("w", {8}, kF32, 32).PadTo(64);
  EXPECT_THAT(ParseStatus(bytes.Zeros(64)),
              IsError(StatusCode::kInvalidArgument, "data offset 32 is not a multiple of the alignment 64"));
}

// A valid file from the writer, two tensors, for the truncation sweeps.
std::vector<uint8_t> ValidFile() {
  GgufWriter writer;
  writer.Add("general.architecture", GgufValue::String("llama"));
  writer.Add("tokens", GgufValue::Array(GgufValueType::kString, {GgufValue::String("a"), GgufValue::String("bc")}));
  writer.Add("nested", GgufValue::Array(GgufValueType::kArray, {GgufValue::Array(GgufValueType::kBool, {})}));
  writer.Add("eps", GgufValue::Float32(1e-5f));
  writer.AddTensor("a", DType::kQ8_0, {32, 2}, std::vector<uint8_t>(68, 1));
  writer.AddTensor("b", DType::kF32, {3}, std::vector<uint8_t>(12, 2));
  return writer.WriteToBytes().value();
}

TEST(GgufReader, RejectsEveryTruncationBeforeTheLastTensorEnds) {
  std::vector<uint8_t> bytes = ValidFile();
  StatusOr<GgufFile> whole = GgufFile::Parse(bytes.data(), bytes.size());
  ASSERT_TRUE(whole.ok()) << whole.status().ToString();
  const GgufTensorInfo* last = whole->FindTensor("b");
  size_t data_end = whole->data_offset() + last->offset_in_data + last->n_bytes;
  for (size_t cut = 0; cut < data_end; ++cut) {
    Status status = ParseStatus(std::vector<uint8_t>(bytes.begin(), bytes.begin() + cut));
    EXPECT_FALSE(status.ok()) << "cut at " << cut << " of " << bytes.size();
    EXPECT_TRUE(status.code() == StatusCode::kDataLoss) << "cut at " << cut << ": " << status.ToString();
  }
  for (size_t cut = data_end; cut <= bytes.size(); ++cut) {
    EXPECT_TRUE(ParseStatus(std::vector<uint8_t>(bytes.begin(), bytes.begin() + cut)).ok()) << "cut at " << cut;
  }
}

TEST(GgufReader, NamesTheTensorWhoseDataIsTruncated) {
  std::vector<uint8_t> bytes = ValidFile();
  bytes.resize(bytes.size() - 32);  // drops b's 12 bytes and the trailing padding
  EXPECT_THAT(ParseStatus(bytes), IsError(StatusCode::kDataLoss, "tensor 'b': data [offset"));
}

}  // namespace
}  // namespace fab
