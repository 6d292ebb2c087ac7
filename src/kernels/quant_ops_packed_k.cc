// Scalar twins for the packed K-quant path: the q8_K-style activation
// quantizer (quant_ops.h KActSumLength) and packed_gemm_panel over
// kQ4_Kx16 / kQ5_Kx16 / kQ6_Kx16 records read through the layout accessors
// of packed_weights.h (PackedCodeK, PackedScaleMinK), so they check the
// layout contract independently of the vector kernels. Integer sums are
// exact (int64); the per-super-block float products accumulate in double.
#include <algorithm>
#include <cmath>

#include "kernels/packed_weights.h"
#include "kernels/quant_blocks.h"
#include "kernels/quant_ops.h"
#include "kernels/quant_ops_packed_k-inl.h"
#include "kernels/quantize.h"

namespace fab::kernels {
namespace {

// Σ over the super-block of row r of code · q for token t, scaled per
// sub-block, and the min / offset term Σ_j coeff_j · sum_j.
struct SuperBlockSums {
  int64_t scaled_dot = 0;
  int64_t sub_term = 0;
};

SuperBlockSums SumSuperBlock(DType packed_dtype, const uint8_t* record, int r, const int8_t* q, int n_tokens, int t,
                             const int32_t* sum_pairs) {
  const int sub_len = KActSumLength(packed_dtype);
  SuperBlockSums sums;
  for (int j = 0; j < kQkK / sub_len; ++j) {
    int scale = 0, min = 0;
    PackedScaleMinK(packed_dtype, record, r, j, &scale, &min);
    int64_t dot = 0;
    for (int k = j * sub_len; k < (j + 1) * sub_len; ++k) {
      // q [8 sub-blocks of 32][8 groups][n_tokens][4]: element k is in group k / 4.
      dot += PackedCodeK(packed_dtype, record, r, k) * q[((k / 4) * n_tokens + t) * 4 + k % 4];
    }
    const int32_t pair = sum_pairs[j / 2];
    const int16_t sum = static_cast<int16_t>(j % 2 == 0 ? pair & 0xFFFF : static_cast<uint32_t>(pair) >> 16);
    sums.scaled_dot += scale * dot;
    // q6_K: weight = d·sc·(code − 32); q4_K / q5_K: d·sc·code − dmin·m.
    sums.sub_term += packed_dtype == DType::kQ6_Kx16 ? int64_t{32} * scale * sum : int64_t{min} * sum;
  }
  return sums;
}

}  // namespace

void QuantizeActivationRowKScalar(int sum_len, const float* x, int64_t n_in, const ActRow& out) {
  const int n_pairs = kQkK / sum_len / 2;
  for (int64_t sb = 0; sb < n_in / kQkK; ++sb) {
    const float* xs = x + sb * kQkK;
    float amax = 0.0f;
    for (int i = 0; i < kQkK; ++i) amax = std::max(amax, std::fabs(xs[i]));
    const float scale = amax / 127.0f;
    const float inv_scale = scale != 0.0f ? 1.0f / scale : 0.0f;
    int8_t* q = out.q + sb * kQkK;
    int32_t sums[16] = {};
    for (int i = 0; i < kQkK; ++i) {
      q[i] = static_cast<int8_t>(std::nearbyint(xs[i] * inv_scale));
      sums[i / sum_len] += q[i];
    }
    out.scale[sb] = scale;
    StoreSumPairs(sums, sum_len, out.bias + sb * n_pairs);
  }
}

void PackedGemmPanelKScalar(DType packed_dtype, const uint8_t* panel, int64_t n_blocks, const ActTile& x,
                            int n_tokens, float* y, int64_t y_stride) {
  const int64_t record_bytes = PackedRecordBytes(packed_dtype);
  const int n_pairs = KActSumPairs(packed_dtype);
  const bool q6 = packed_dtype == DType::kQ6_Kx16;
  for (int t = 0; t < n_tokens; ++t) {
    for (int r = 0; r < kPanelRows; ++r) {
      double acc = 0.0;
      for (int64_t b = 0; b < n_blocks; ++b) {
        const uint8_t* record = panel + b * record_bytes;
        const SuperBlockSums sums = SumSuperBlock(packed_dtype, record, r, x.q + b * kQkK * n_tokens, n_tokens, t,
                                                  x.bias + (b * n_tokens + t) * n_pairs);
        const double d = LoadFp16(record + PackedByteOffset(packed_dtype, r, q6 ? 208 : 0));
        double value;
        if (q6) {
          value = d * static_cast<double>(sums.scaled_dot - sums.sub_term);
        } else {
          const double dmin = LoadFp16(record + PackedByteOffset(packed_dtype, r, 2));
          value = d * static_cast<double>(sums.scaled_dot) - dmin * static_cast<double>(sums.sub_term);
        }
        acc += value * x.scale[b * n_tokens + t];
      }
      y[t * y_stride + r] = static_cast<float>(acc);
    }
  }
}

}  // namespace fab::kernels
