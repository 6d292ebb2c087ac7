// GgufWriter → GgufFile round trips: every metadata value type, nested
// arrays, several dtypes, custom alignment, lazy tensor data, files on disk.
#include <bit>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <limits>
#include <random>

#include <gtest/gtest.h>

#include "gguf/gguf_file.h"
#include "gguf/gguf_writer.h"

namespace fab {
namespace {

std::vector<uint8_t> RandomBytes(size_t n_bytes, uint32_t seed) {
  std::mt19937 rng(seed);
  std::vector<uint8_t> bytes(n_bytes);
  for (uint8_t& byte : bytes) byte = static_cast<uint8_t>(rng());
  return bytes;
}

// "t7" (a helper: GCC 12 warns falsely on "literal" + std::to_string inline).
std::string Numbered(const std::string& prefix, size_t number) {
  std::string text = prefix;
  text.append(std::to_string(number));
  return text;
}

GgufFile ParseOrDie(const std::vector<uint8_t>& bytes) {
  StatusOr<GgufFile> file = GgufFile::Parse(bytes.data(), bytes.size());
  EXPECT_TRUE(file.ok()) << file.status().ToString();
  return std::move(file).value();
}

TEST(GgufRoundTrip, EveryScalarValueTypeSurvives) {
  GgufWriter writer;
  writer.Add("u8", GgufValue::Uint8(255));
  writer.Add("i8", GgufValue::Int8(-128));
  writer.Add("u16", GgufValue::Uint16(65535));
  writer.Add("i16", GgufValue::Int16(-32768));
  writer.Add("u32", GgufValue::Uint32(4294967295u));
  writer.Add("i32", GgufValue::Int32(std::numeric_limits<int32_t>::min()));
  writer.Add("u64", GgufValue::Uint64(std::numeric_limits<uint64_t>::max()));
  writer.Add("i64", GgufValue::Int64(std::numeric_limits<int64_t>::min()));
  writer.Add("f32", GgufValue::Float32(-1.5e-7f));
  writer.Add("f64", GgufValue::Float64(3.141592653589793));
  writer.Add("nan", GgufValue::Float32(std::numeric_limits<float>::quiet_NaN()));
  writer.Add("yes", GgufValue::Bool(true));
  writer.Add("no", GgufValue::Bool(false));
  writer.Add("text", GgufValue::String(std::string("ünï\0code", 9)));
  writer.Add("empty", GgufValue::String(""));
  StatusOr<std::vector<uint8_t>> bytes = writer.WriteToBytes();
  ASSERT_TRUE(bytes.ok()) << bytes.status().ToString();
  GgufFile file = ParseOrDie(*bytes);

  EXPECT_EQ(file.version(), 3u);
  ASSERT_EQ(file.metadata().size(), 15u);
  EXPECT_EQ(file.metadata()[0].first, "u8");  // file order kept
  EXPECT_EQ(file.metadata()[14].first, "empty");
  EXPECT_EQ(file.Find("u8")->type(), GgufValueType::kUint8);
  EXPECT_EQ(file.GetInt("u8").value(), 255);
  EXPECT_EQ(file.Find("i8")->type(), GgufValueType::kInt8);
  EXPECT_EQ(file.GetInt("i8").value(), -128);
  EXPECT_EQ(file.GetInt("u16").value(), 65535);
  EXPECT_EQ(file.Find("i16")->type(), GgufValueType::kInt16);
  EXPECT_EQ(file.GetInt("i16").value(), -32768);
  EXPECT_EQ(file.GetInt("u32").value(), 4294967295LL);
  EXPECT_EQ(file.GetInt("i32").value(), std::numeric_limits<int32_t>::min());
  EXPECT_EQ(file.Find("u64")->AsUint(), std::numeric_limits<uint64_t>::max());
  EXPECT_EQ(file.GetInt("i64").value(), std::numeric_limits<int64_t>::min());
  EXPECT_EQ(file.Find("f32")->type(), GgufValueType::kFloat32);
  EXPECT_EQ(file.GetFloat("f32").value(), static_cast<double>(-1.5e-7f));
  EXPECT_EQ(file.Find("f64")->type(), GgufValueType::kFloat64);
  EXPECT_EQ(file.GetFloat("f64").value(), 3.141592653589793);
  EXPECT_TRUE(std::isnan(file.GetFloat("nan").value()));
  EXPECT_EQ(file.GetBool("yes").value(), true);
  EXPECT_EQ(file.GetBool("no").value(), false);
  EXPECT_EQ(file.GetString("text").value(), std::string("ünï\0code", 9));
  EXPECT_EQ(file.GetString("empty").value(), "");
  EXPECT_EQ(file.tensors().size(), 0u);
}

TEST(GgufRoundTrip, ArraysOfEveryElementTypeAndNestedArraysSurvive) {
  GgufWriter writer;
  std::vector<GgufValue> tokens;
  for (int token_idx = 0; token_idx < 300; ++token_idx) tokens.push_back(GgufValue::String(Numbered("t", token_idx)));
  writer.Add("tokens", GgufValue::Array(GgufValueType::kString, tokens));
  writer.Add("scores", GgufValue::Array(GgufValueType::kFloat32, {GgufValue::Float32(-1), GgufValue::Float32(2.5f)}));
  writer.Add("flags", GgufValue::Array(GgufValueType::kBool, {GgufValue::Bool(true), GgufValue::Bool(false)}));
  writer.Add("i16s", GgufValue::Array(GgufValueType::kInt16, {GgufValue::Int16(-7)}));
  writer.Add("u64s", GgufValue::Array(GgufValueType::kUint64, {GgufValue::Uint64(1ULL << 40)}));
  writer.Add("f64s", GgufValue::Array(GgufValueType::kFloat64, {GgufValue::Float64(-0.25)}));
  writer.Add("none", GgufValue::Array(GgufValueType::kInt32, {}));
  GgufValue inner = GgufValue::Array(GgufValueType::kInt8, {GgufValue::Int8(-1), GgufValue::Int8(2)});
  GgufValue middle = GgufValue::Array(GgufValueType::kArray, {inner, inner});
  writer.Add("nested", GgufValue::Array(GgufValueType::kArray, {middle}));
  StatusOr<std::vector<uint8_t>> bytes = writer.WriteToBytes();
  ASSERT_TRUE(bytes.ok()) << bytes.status().ToString();
  GgufFile file = ParseOrDie(*bytes);

  const std::vector<GgufValue>* read_tokens = file.Find("tokens")->AsArray();
  ASSERT_NE(read_tokens, nullptr);
  EXPECT_EQ(file.Find("tokens")->array_element_type(), GgufValueType::kString);
  ASSERT_EQ(read_tokens->size(), 300u);
  EXPECT_EQ(*(*read_tokens)[299].AsString(), "t299");
  EXPECT_EQ((*file.Find("scores")->AsArray())[1].AsFloat(), 2.5);
  EXPECT_EQ((*file.Find("flags")->AsArray())[0].AsBool(), true);
  EXPECT_EQ((*file.Find("i16s")->AsArray())[0].AsInt(), -7);
  EXPECT_EQ((*file.Find("u64s")->AsArray())[0].AsInt(), int64_t{1} << 40);
  EXPECT_EQ((*file.Find("f64s")->AsArray())[0].AsFloat(), -0.25);
  EXPECT_EQ(file.Find("none")->AsArray()->size(), 0u);
  EXPECT_EQ(file.Find("none")->array_element_type(), GgufValueType::kInt32);
  const GgufValue& read_middle = (*file.Find("nested")->AsArray())[0];
  ASSERT_EQ(read_middle.array_element_type(), GgufValueType::kArray);
  const GgufValue& read_inner = (*read_middle.AsArray())[1];
  EXPECT_EQ(read_inner.array_element_type(), GgufValueType::kInt8);
  EXPECT_EQ((*read_inner.AsArray())[0].AsInt(), -1);
}

struct DTypeCase {
  DType dtype;
  std::vector<int64_t> shape;
};

TEST(GgufRoundTrip, TensorsOfSeveralDTypesKeepShapeBytesAndAlignment) {
  const std::vector<DTypeCase> cases = {
      {DType::kF32, {7}},           {DType::kF16, {8, 3}},        {DType::kBF16, {4, 2, 2}},
      {DType::kQ4_0, {64, 3}},      {DType::kQ8_0, {32, 2, 1, 2}}, {DType::kQ4_K, {256, 2}},
      {DType::kQ6_K, {512}},        {DType::kI32, {5, 1}},
  };
  GgufWriter writer;
  writer.Add("general.architecture", GgufValue::String("test"));
  std::vector<std::vector<uint8_t>> payloads;
  for (size_t case_idx = 0; case_idx < cases.size(); ++case_idx) {
    const DTypeCase& c = cases[case_idx];
    int64_t n_rows = 1;
    for (size_t dim_idx = 1; dim_idx < c.shape.size(); ++dim_idx) n_rows *= c.shape[dim_idx];
    payloads.push_back(RandomBytes(RowBytes(c.dtype, c.shape[0]).value() * n_rows, case_idx));
    writer.AddTensor(Numbered("t", case_idx), c.dtype, c.shape, payloads.back());
  }
  StatusOr<std::vector<uint8_t>> bytes = writer.WriteToBytes();
  ASSERT_TRUE(bytes.ok()) << bytes.status().ToString();
  GgufFile file = ParseOrDie(*bytes);

  EXPECT_EQ(file.alignment(), 32u);
  EXPECT_EQ(file.data_offset() % 32, 0u);
  ASSERT_EQ(file.tensors().size(), cases.size());
  for (size_t case_idx = 0; case_idx < cases.size(); ++case_idx) {
    const GgufTensorInfo* info = file.FindTensor(Numbered("t", case_idx));
    ASSERT_NE(info, nullptr);
    EXPECT_EQ(info, &file.tensors()[case_idx]);
    EXPECT_EQ(info->dtype, cases[case_idx].dtype);
    EXPECT_EQ(info->n_dims, static_cast<int>(cases[case_idx].shape.size()));
    for (int dim_idx = 0; dim_idx < 4; ++dim_idx) {
      int64_t expected = dim_idx < info->n_dims ? cases[case_idx].shape[dim_idx] : 1;
      EXPECT_EQ(info->ne[dim_idx], expected);
      EXPECT_EQ(info->view.ne[dim_idx], expected);
    }
    EXPECT_EQ(info->offset_in_data % 32, 0u);
    EXPECT_EQ(info->n_bytes, static_cast<int64_t>(payloads[case_idx].size()));
    EXPECT_EQ(info->view.n_bytes(), info->n_bytes);
    const uint8_t* data = static_cast<const uint8_t*>(info->view.data);
    EXPECT_EQ(data, file.data() + file.data_offset() + info->offset_in_data);
    EXPECT_EQ(std::vector<uint8_t>(data, data + info->n_bytes), payloads[case_idx]);
  }
  EXPECT_EQ(file.FindTensor("absent"), nullptr);
}

TEST(GgufRoundTrip, CustomAlignmentIsWrittenAndHonoured) {
  GgufWriter writer;
  writer.SetAlignment(4096);
  writer.AddTensor("a", DType::kF32, {3}, RandomBytes(12, 1));
  writer.AddTensor("b", DType::kF32, {5}, RandomBytes(20, 2));
  StatusOr<std::vector<uint8_t>> bytes = writer.WriteToBytes();
  ASSERT_TRUE(bytes.ok()) << bytes.status().ToString();
  GgufFile file = ParseOrDie(*bytes);
  EXPECT_EQ(file.alignment(), 4096u);
  EXPECT_EQ(file.GetInt("general.alignment").value(), 4096);
  EXPECT_EQ(file.data_offset(), 4096u);
  EXPECT_EQ(file.FindTensor("b")->offset_in_data, 4096u);
}

TEST(GgufRoundTrip, LazyTensorDataIsFilledAtWriteTime) {
  GgufWriter writer;
  int n_fills = 0;
  writer.AddTensor("lazy", DType::kF32, {4, 2}, [&n_fills](uint8_t* dst, size_t n_bytes) {
    ++n_fills;
    for (size_t byte_idx = 0; byte_idx < n_bytes; ++byte_idx) dst[byte_idx] = static_cast<uint8_t>(byte_idx);
  });
  EXPECT_EQ(n_fills, 0);
  StatusOr<std::vector<uint8_t>> bytes = writer.WriteToBytes();
  ASSERT_TRUE(bytes.ok()) << bytes.status().ToString();
  EXPECT_EQ(n_fills, 1);
  GgufFile file = ParseOrDie(*bytes);
  const GgufTensorInfo* info = file.FindTensor("lazy");
  ASSERT_NE(info, nullptr);
  ASSERT_EQ(info->n_bytes, 32);
  EXPECT_EQ(static_cast<const uint8_t*>(info->view.data)[31], 31);
}

TEST(GgufRoundTrip, ReaddingAKeyReplacesItInPlace) {
  GgufWriter writer;
  writer.Add("first", GgufValue::Int32(1));
  writer.Add("second", GgufValue::Int32(2));
  writer.Add("first", GgufValue::String("one"));
  GgufFile file = ParseOrDie(writer.WriteToBytes().value());
  ASSERT_EQ(file.metadata().size(), 2u);
  EXPECT_EQ(file.metadata()[0].first, "first");
  EXPECT_EQ(file.GetString("first").value(), "one");
}

TEST(GgufRoundTrip, WriteFileThenOpenMapsTheSameBytes) {
  std::filesystem::path dir = std::filesystem::temp_directory_path() / ("gguf_rt_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  std::string path = (dir / "model.gguf").string();
  GgufWriter writer;
  writer.Add("general.architecture", GgufValue::String("llama"));
  std::vector<uint8_t> payload = RandomBytes(34 * 4, 7);
  writer.AddTensor("w", DType::kQ8_0, {64, 2}, payload);
  writer.AddTensor("v", DType::kF32, {3}, [](uint8_t* dst, size_t n_bytes) { std::fill(dst, dst + n_bytes, 0xAB); });
  std::vector<size_t> progress;
  Status written = writer.WriteFile(path, [&](size_t n_written, size_t n_tensors) {
    EXPECT_EQ(n_tensors, 2u);
    progress.push_back(n_written);
  });
  ASSERT_TRUE(written.ok()) << written.ToString();
  EXPECT_EQ(progress, (std::vector<size_t>{1, 2}));
  EXPECT_FALSE(std::filesystem::exists(path + ".tmp"));

  StatusOr<GgufFile> file = GgufFile::Open(path);
  ASSERT_TRUE(file.ok()) << file.status().ToString();
  EXPECT_EQ(file->size(), std::filesystem::file_size(path));
  EXPECT_EQ(file->GetString("general.architecture").value(), "llama");
  const uint8_t* data = static_cast<const uint8_t*>(file->FindTensor("w")->view.data);
  EXPECT_EQ(std::vector<uint8_t>(data, data + payload.size()), payload);
  EXPECT_EQ(static_cast<const uint8_t*>(file->FindTensor("v")->view.data)[11], 0xAB);
  GgufFile moved = std::move(file).value();  // views stay valid across moves
  EXPECT_EQ(static_cast<const uint8_t*>(moved.FindTensor("w")->view.data)[0], payload[0]);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace fab
