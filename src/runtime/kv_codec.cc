// Scalar KvCodec (the reference twin) and the run-time choice of table.
#include "runtime/kv_codec.h"

#include <algorithm>
#include <cmath>

#include "kernels/quantize.h"
#include "runtime/isa_table.h"

namespace fab::runtime {
namespace {

// A signalling NaN comes out quiet (payload and sign kept), as IEEE 754
// conversions and vcvtph2ps make it; kernels::Fp16ToFp32 keeps it signalling.
// f32_to_f16 never writes one, so this only pins the contract down.
uint16_t QuietIfNan(uint16_t h) {
  const bool is_nan = (h & 0x7C00) == 0x7C00 && (h & 0x3FF) != 0;
  return is_nan ? static_cast<uint16_t>(h | 0x200) : h;
}

void F16ToF32Scalar(const uint16_t* src, float* dst, int64_t n) {
  for (int64_t i = 0; i < n; ++i) dst[i] = kernels::Fp16ToFp32(QuietIfNan(src[i]));
}

void F32ToF16Scalar(const float* src, uint16_t* dst, int64_t n) {
  for (int64_t i = 0; i < n; ++i) dst[i] = kernels::Fp32ToFp16(src[i]);
}

void Q8ToF32Scalar(const int8_t* q, const float* scales, float* dst, int64_t n) {
  for (int64_t i = 0; i < n; ++i) dst[i] = static_cast<float>(q[i]) * scales[i / kQ8GroupSize];
}

}  // namespace

void QuantizeQ8Groups(const float* src, int8_t* q, float* scales, int64_t n) {
  for (int64_t group = 0; group < n / kQ8GroupSize; ++group) {
    const float* x = src + group * kQ8GroupSize;
    float amax = 0.0f;
    for (int64_t i = 0; i < kQ8GroupSize; ++i) amax = std::max(amax, std::fabs(x[i]));
    const float d = amax / 127.0f;
    const float inverse = d != 0.0f ? 1.0f / d : 0.0f;
    scales[group] = d;
    for (int64_t i = 0; i < kQ8GroupSize; ++i) {
      // Clamped so that rounding x·(1/d) just above 127.5 cannot wrap.
      const float level = std::clamp(std::roundf(x[i] * inverse), -127.0f, 127.0f);
      q[group * kQ8GroupSize + i] = static_cast<int8_t>(level);
    }
  }
}

const KvCodec& KvCodecScalar() {
  static constexpr KvCodec codec{&F16ToF32Scalar, &F32ToF16Scalar, &Q8ToF32Scalar};
  return codec;
}

const KvCodec* KvCodecAvx2() { return TableIfSupported(kernels::Isa::kAvx2, &KvCodecAvx2Table); }

const KvCodec* KvCodecAvx512() { return TableIfSupported(kernels::Isa::kAvx512, &KvCodecAvx512Table); }

const KvCodec& ActiveKvCodec() {
  static const KvCodec& active = TableForActiveIsa(KvCodecScalar(), &KvCodecAvx2Table, &KvCodecAvx512Table);
  return active;
}

}  // namespace fab::runtime
