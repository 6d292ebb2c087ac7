// KvPages: a token's K/V written at (block, slot) reads back per KV head
// (exactly for F32, within F16 rounding for F16, within half a quantization
// step for Q8_0), writes to one slot leave the others alone, sizes count
// Q8_0's scales, and bad shapes are errors.
#include "runtime/kv_pages.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <utility>
#include <vector>

namespace fab::runtime {
namespace {

constexpr float kF16RelativeTolerance = 1e-3f;

KvPagesShape SmallShape() { return KvPagesShape{/*n_blocks=*/4, /*block_size=*/8, /*n_layer=*/2, /*n_head_kv=*/2,
                                                /*head_dim=*/16}; }

std::vector<float> Row(const KvPagesShape& shape, float base) {
  std::vector<float> row(static_cast<size_t>(shape.kv_dim()));
  for (size_t i = 0; i < row.size(); ++i) row[i] = base + 0.37f * static_cast<float>(i) - 2.0f;
  return row;
}

void ExpectRoundTrip(KvDType dtype, float tolerance) {
  const KvPagesShape shape = SmallShape();
  auto pages = KvPages::Create(shape, dtype);
  ASSERT_TRUE(pages.ok()) << pages.status().ToString();
  const std::vector<float> k = Row(shape, 1.0f);
  const std::vector<float> v = Row(shape, -3.0f);
  pages->Write(/*layer_idx=*/1, /*block=*/2, /*slot=*/5, k.data(), v.data());
  for (int64_t head = 0; head < shape.n_head_kv; ++head) {
    std::vector<float> keys(static_cast<size_t>(shape.head_dim)), values(keys.size());
    pages->ReadKeys(1, 2, head, 5, 1, keys.data());
    pages->ReadValues(1, 2, head, 5, 1, values.data());
    for (int64_t d = 0; d < shape.head_dim; ++d) {
      const float want_k = k[static_cast<size_t>(head * shape.head_dim + d)];
      const float want_v = v[static_cast<size_t>(head * shape.head_dim + d)];
      EXPECT_NEAR(keys[static_cast<size_t>(d)], want_k, tolerance * std::fabs(want_k));
      EXPECT_NEAR(values[static_cast<size_t>(d)], want_v, tolerance * std::fabs(want_v));
    }
  }
  // Neighbouring slots, blocks and layers are untouched (zero).
  std::vector<float> run(static_cast<size_t>(shape.block_size * shape.head_dim));
  pages->ReadKeys(0, 2, 0, 0, shape.block_size, run.data());
  for (float value : run) EXPECT_EQ(value, 0.0f);
  pages->ReadKeys(1, 2, 0, 0, 5, run.data());
  for (size_t i = 0; i < static_cast<size_t>(5 * shape.head_dim); ++i) EXPECT_EQ(run[i], 0.0f);
}

TEST(KvPages, F32SlotsReadBackExactly) { ExpectRoundTrip(KvDType::kF32, 0.0f); }

TEST(KvPages, F16SlotsReadBackWithinHalfPrecision) { ExpectRoundTrip(KvDType::kF16, kF16RelativeTolerance); }

// Q8_0: each value within half a step (max |x| / 127 / 2) of its group of 32.
TEST(KvPages, Q8SlotsReadBackWithinHalfAStep) {
  const KvPagesShape shape{/*n_blocks=*/4, /*block_size=*/8, /*n_layer=*/2, /*n_head_kv=*/2, /*head_dim=*/64};
  auto pages = KvPages::Create(shape, KvDType::kQ8_0);
  ASSERT_TRUE(pages.ok()) << pages.status().ToString();
  const std::vector<float> k = Row(shape, 1.0f);
  const std::vector<float> v = Row(shape, -30.0f);
  pages->Write(/*layer_idx=*/1, /*block=*/2, /*slot=*/5, k.data(), v.data());
  for (const auto& [written, is_keys] : {std::pair{&k, true}, std::pair{&v, false}}) {
    for (int64_t head = 0; head < shape.n_head_kv; ++head) {
      std::vector<float> got(static_cast<size_t>(shape.head_dim));
      if (is_keys) {
        pages->ReadKeys(1, 2, head, 5, 1, got.data());
      } else {
        pages->ReadValues(1, 2, head, 5, 1, got.data());
      }
      for (int64_t group = 0; group < shape.head_dim / 32; ++group) {
        const float* want = written->data() + head * shape.head_dim + group * 32;
        float amax = 0.0f;
        for (int i = 0; i < 32; ++i) amax = std::max(amax, std::fabs(want[i]));
        for (int i = 0; i < 32; ++i) {
          EXPECT_NEAR(got[static_cast<size_t>(group * 32 + i)], want[i], amax / 127.0f / 2.0f * 1.0001f);
        }
      }
    }
  }
  std::vector<float> run(static_cast<size_t>(5 * shape.head_dim));
  pages->ReadKeys(1, 2, 0, 0, 5, run.data());
  for (float value : run) EXPECT_EQ(value, 0.0f);
}

TEST(KvPages, Q8SizeCountsLevelsAndOneFloatScalePerThirtyTwoValues) {
  const KvPagesShape shape{/*n_blocks=*/3, /*block_size=*/16, /*n_layer=*/22, /*n_head_kv=*/4, /*head_dim=*/64};
  EXPECT_EQ(KvPages::BytesPerToken(shape, KvDType::kQ8_0), size_t{2 * 22 * 4 * (64 + 2 * 4)});
  EXPECT_EQ(KvPages::BytesPerToken(shape, KvDType::kF16), size_t{2 * 22 * 4 * 64 * 2});
  EXPECT_EQ(KvPages::BytesPerToken(shape, KvDType::kF32), size_t{2 * 22 * 4 * 64 * 4});
  auto pages = KvPages::Create(shape, KvDType::kQ8_0);
  ASSERT_TRUE(pages.ok());
  EXPECT_EQ(pages->n_bytes(), KvPages::BytesPerToken(shape, KvDType::kQ8_0) * 3 * 16);
}

TEST(KvPages, Q8NeedsAHeadDimOfWholeGroups) {
  KvPagesShape shape = SmallShape();
  shape.head_dim = 48;
  EXPECT_EQ(KvPages::Create(shape, KvDType::kQ8_0).status().code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(KvPages::Create(shape, KvDType::kF16).ok());
}

TEST(KvPages, Q8CopySlotsCopiesLevelsAndScales) {
  const KvPagesShape shape{/*n_blocks=*/4, /*block_size=*/8, /*n_layer=*/2, /*n_head_kv=*/2, /*head_dim=*/32};
  auto pages = KvPages::Create(shape, KvDType::kQ8_0);
  ASSERT_TRUE(pages.ok());
  const std::vector<float> k = Row(shape, 1.0f);
  const std::vector<float> v = Row(shape, -9.0f);
  for (int64_t layer = 0; layer < shape.n_layer; ++layer) {
    pages->Write(layer, 1, 0, k.data(), v.data());
    pages->Write(layer, 1, 1, v.data(), k.data());
  }
  pages->CopySlots(/*from=*/1, /*to=*/3, /*n_slots=*/2);
  std::vector<float> want(static_cast<size_t>(2 * shape.head_dim)), got(want.size());
  for (int64_t layer = 0; layer < shape.n_layer; ++layer) {
    for (int64_t head = 0; head < shape.n_head_kv; ++head) {
      pages->ReadKeys(layer, 1, head, 0, 2, want.data());
      pages->ReadKeys(layer, 3, head, 0, 2, got.data());
      EXPECT_EQ(got, want);
      pages->ReadValues(layer, 1, head, 0, 2, want.data());
      pages->ReadValues(layer, 3, head, 0, 2, got.data());
      EXPECT_EQ(got, want);
    }
  }
}

TEST(KvPages, CopySlotsCopiesTheLeadingSlotsOfEveryLayerAndHead) {
  const KvPagesShape shape = SmallShape();
  auto pages = KvPages::Create(shape, KvDType::kF32);
  ASSERT_TRUE(pages.ok());
  const std::vector<float> k = Row(shape, 1.0f);
  const std::vector<float> v = Row(shape, -3.0f);
  for (int64_t layer = 0; layer < shape.n_layer; ++layer) {
    pages->Write(layer, 0, 0, k.data(), v.data());
    pages->Write(layer, 0, 1, v.data(), k.data());
    pages->Write(layer, 0, 2, k.data(), k.data());  // past the copied slots
  }
  pages->CopySlots(/*from=*/0, /*to=*/3, /*n_slots=*/2);
  std::vector<float> want(static_cast<size_t>(shape.block_size * shape.head_dim));
  std::vector<float> got(want.size());
  for (int64_t layer = 0; layer < shape.n_layer; ++layer) {
    for (int64_t head = 0; head < shape.n_head_kv; ++head) {
      pages->ReadKeys(layer, 0, head, 0, 2, want.data());
      pages->ReadKeys(layer, 3, head, 0, 3, got.data());
      for (size_t i = 0; i < static_cast<size_t>(2 * shape.head_dim); ++i) EXPECT_EQ(got[i], want[i]);
      for (size_t i = static_cast<size_t>(2 * shape.head_dim); i < static_cast<size_t>(3 * shape.head_dim); ++i) {
        EXPECT_EQ(got[i], 0.0f);
      }
      pages->ReadValues(layer, 0, head, 0, 2, want.data());
      pages->ReadValues(layer, 3, head, 0, 2, got.data());
      for (size_t i = 0; i < static_cast<size_t>(2 * shape.head_dim); ++i) EXPECT_EQ(got[i], want[i]);
    }
  }
}

TEST(KvPages, SizeIsBlocksTimesSlotsTimesBytesPerToken) {
  const KvPagesShape shape = SmallShape();
  auto pages = KvPages::Create(shape, KvDType::kF16);
  ASSERT_TRUE(pages.ok());
  EXPECT_EQ(KvPages::BytesPerToken(shape, KvDType::kF16), size_t{2 * 2 * 32 * 2});
  EXPECT_EQ(pages->n_bytes(), KvPages::BytesPerToken(shape, KvDType::kF16) * 4 * 8);
}

TEST(KvPages, RejectsEmptyAndAbsurdShapes) {
  KvPagesShape empty = SmallShape();
  empty.n_blocks = 0;
  EXPECT_EQ(KvPages::Create(empty).status().code(), StatusCode::kInvalidArgument);
  KvPagesShape huge = SmallShape();
  huge.n_blocks = int64_t{1} << 24;
  huge.block_size = 1 << 20;
  EXPECT_EQ(KvPages::Create(huge).status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace fab::runtime
