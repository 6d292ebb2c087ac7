// KvPoolBlocks and ParseKvDType: token and byte specs map to whole blocks
// (tokens round up to blocks, bytes round down), every unit is honoured,
// and malformed, negative, empty-result or oversized specs are errors that
// quote the spec.
#include "runtime/kv_pool_size.h"

#include <gtest/gtest.h>

#include <string>
#include <string_view>

namespace fab::runtime {
namespace {

// TinyLlama's KV shape: 22 layers × 4 KV heads × head_dim 64. F16: 22528
// bytes per token, 360448 bytes per block of 16.
KvPagesShape TinyLlamaShape() { return KvPagesShape{/*n_blocks=*/0, /*block_size=*/16, 22, 4, 64}; }

// 'text' (built by appending: GCC 12 warns falsely about "'" + std::string).
std::string Quoted(std::string_view text) {
  std::string quoted(1, '\'');
  quoted.append(text);
  quoted.push_back('\'');
  return quoted;
}

struct PoolCase {
  const char* spec;
  KvDType dtype;
  int64_t want_blocks;
};

TEST(KvPoolBlocks, MapsTokenAndByteSpecsToWholeBlocks) {
  constexpr int64_t kF16Block = 22528 * 16;
  constexpr int64_t kQ8Block = 22 * 4 * 2 * (64 + 2 * 4) * 16;  // int8 levels + two float32 scales per row
  const PoolCase cases[] = {
      {"65536", KvDType::kF16, 4096},
      {"64k", KvDType::kF16, 4096},
      {"64K", KvDType::kF16, 4096},
      {"64Ki", KvDType::kF16, 4096},
      {"1M", KvDType::kF16, 65536},
      {"1Mi", KvDType::kF16, 65536},
      {"1.5k", KvDType::kF16, 96},
      {"17", KvDType::kF16, 2},  // tokens round up to a whole block
      {"1", KvDType::kQ8_0, 1},
      {"512MiB", KvDType::kF16, (int64_t{512} << 20) / kF16Block},
      {"2GiB", KvDType::kF16, (int64_t{2} << 30) / kF16Block},
      {"2gib", KvDType::kF16, (int64_t{2} << 30) / kF16Block},
      {"1.5GB", KvDType::kF16, int64_t{1500000000} / kF16Block},
      {"800MB", KvDType::kF16, int64_t{800000000} / kF16Block},
      {"800MB", KvDType::kQ8_0, int64_t{800000000} / kQ8Block},
      {"800MB", KvDType::kF32, int64_t{800000000} / (2 * kF16Block)},
      {"360448B", KvDType::kF16, 1},  // exactly one block
      {"720895B", KvDType::kF16, 1},  // one byte short of two: bytes round down
      {"1TiB", KvDType::kF16, (int64_t{1} << 40) / kF16Block},
  };
  for (const PoolCase& c : cases) {
    StatusOr<int64_t> blocks = KvPoolBlocks(c.spec, TinyLlamaShape(), c.dtype, 16);
    ASSERT_TRUE(blocks.ok()) << c.spec << ": " << blocks.status().ToString();
    EXPECT_EQ(*blocks, c.want_blocks) << c.spec << " " << KvDTypeName(c.dtype);
  }
}

TEST(KvPoolBlocks, RejectsMalformedNegativeEmptyAndOversizedSpecsNamingThem) {
  const char* bad[] = {
      "",        "k",        "-1",        "-64k",     "0",       "0k",    "0.0",     "4096b!",  " 64k",
      "64k ",    "64 k",     "1.",        ".5k",      "1e6",     "64kk",  "64KiBB",  "64x",     "0x100",
      "4096B",   // less than one block of bytes
      "2TiB",    // over KvPages::kMaxBytes
      "99999999999999999999999",  // too many digits
      "1000000000M",              // too many blocks
      "1.0000000001k",            // too many decimals
  };
  for (const char* spec : bad) {
    StatusOr<int64_t> blocks = KvPoolBlocks(spec, TinyLlamaShape(), KvDType::kF16, 16);
    ASSERT_FALSE(blocks.ok()) << "'" << spec << "' gave " << *blocks;
    EXPECT_EQ(blocks.status().code(), StatusCode::kInvalidArgument) << spec;
    EXPECT_NE(blocks.status().message().find(Quoted(spec)), std::string::npos)
        << blocks.status().ToString();
  }
}

TEST(KvPoolBlocks, RejectsShapesWithoutSize) {
  KvPagesShape shape = TinyLlamaShape();
  EXPECT_EQ(KvPoolBlocks("64k", shape, KvDType::kF16, 0).status().code(), StatusCode::kInvalidArgument);
  shape.n_layer = 0;
  EXPECT_EQ(KvPoolBlocks("64k", shape, KvDType::kF16, 16).status().code(), StatusCode::kInvalidArgument);
}

TEST(KvPoolBlocks, RejectsQ8ForAHeadDimOfPartialGroups) {
  KvPagesShape shape = TinyLlamaShape();
  shape.head_dim = 80;
  EXPECT_EQ(KvPoolBlocks("64k", shape, KvDType::kQ8_0, 16).status().code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(KvPoolBlocks("64k", shape, KvDType::kF16, 16).ok());
}

TEST(KvPoolBlocks, AgreesWithTheBytesKvPagesAllocates) {
  const KvPagesShape shape{0, 8, 2, 2, 32};
  for (KvDType dtype : {KvDType::kF16, KvDType::kF32, KvDType::kQ8_0}) {
    StatusOr<int64_t> blocks = KvPoolBlocks("1MiB", shape, dtype, 8);
    ASSERT_TRUE(blocks.ok()) << blocks.status().ToString();
    KvPagesShape sized = shape;
    sized.n_blocks = *blocks;
    StatusOr<KvPages> pages = KvPages::Create(sized, dtype);
    ASSERT_TRUE(pages.ok()) << pages.status().ToString();
    EXPECT_LE(pages->n_bytes(), size_t{1} << 20) << KvDTypeName(dtype);
    EXPECT_GT(pages->n_bytes() + KvPages::BytesPerToken(shape, dtype) * 8, size_t{1} << 20) << KvDTypeName(dtype);
  }
}

TEST(ParseKvDType, AcceptsEveryNameInAnyCaseAndRoundTrips) {
  const std::pair<const char*, KvDType> cases[] = {{"f16", KvDType::kF16},   {"F16", KvDType::kF16},
                                                   {"f32", KvDType::kF32},   {"q8_0", KvDType::kQ8_0},
                                                   {"Q8_0", KvDType::kQ8_0}};
  for (const auto& [name, want] : cases) {
    StatusOr<KvDType> dtype = ParseKvDType(name);
    ASSERT_TRUE(dtype.ok()) << name;
    EXPECT_EQ(*dtype, want) << name;
    EXPECT_EQ(ParseKvDType(KvDTypeName(*dtype)).value(), *dtype);
  }
}

TEST(ParseKvDType, RejectsOtherNamesNamingThem) {
  for (const char* name : {"", "f8", "q8", "q4_0", "bf16", "f16 ", "float16"}) {
    StatusOr<KvDType> dtype = ParseKvDType(name);
    ASSERT_FALSE(dtype.ok()) << name;
    EXPECT_EQ(dtype.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(dtype.status().message().find(Quoted(name)), std::string::npos);
  }
}

}  // namespace
}  // namespace fab::runtime
