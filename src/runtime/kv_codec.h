// KvCodec: conversion between the float32 keys/values the forward pass
// computes and the forms KvPages stores (F16, Q8_0), as whole runs per call.
// One table per instruction set, chosen once (STYLE.md rule 4): the AVX-512
// or AVX2 table where the kernel dispatch runs that ISA (TOKENFAB_ISA lowers
// both), else the scalar twin. Every entry of every SIMD table gives
// bit-identical results to the scalar one, NaN payloads included, so outputs
// never depend on the CPU.
// Q8_0 here: groups of kQ8GroupSize values share one float32 scale
// d = max|x| / 127; q = round-half-away(x / d) in [-127, 127]; x ≈ q · d.
// All functions are pure, reentrant and never allocate; pointers need no alignment.
#pragma once

#include <cstdint>

namespace fab::runtime {

inline constexpr int64_t kQ8GroupSize = 32;

struct KvCodec {
  // dst[i] = binary16 src[i] as float32 (exact; a signalling NaN comes back quiet), over [n].
  void (*f16_to_f32)(const uint16_t* src, float* dst, int64_t n);
  // dst[i] = src[i] rounded to binary16 (round to nearest even), over [n].
  void (*f32_to_f16)(const float* src, uint16_t* dst, int64_t n);
  // dst[i] = q[i] · scales[i / kQ8GroupSize], over [n]; n is a multiple of kQ8GroupSize.
  void (*q8_to_f32)(const int8_t* q, const float* scales, float* dst, int64_t n);
};

// Quantizes [n] floats (n a multiple of kQ8GroupSize) into q[n] and
// scales[n / kQ8GroupSize]. Scalar on every CPU: KV is written once per token.
void QuantizeQ8Groups(const float* src, int8_t* q, float* scales, int64_t n);

const KvCodec& KvCodecScalar();
// nullptr when this CPU cannot run AVX2 (with FMA and F16C) kernels.
const KvCodec* KvCodecAvx2();
// nullptr when this CPU cannot run AVX-512.
const KvCodec* KvCodecAvx512();
// The table every caller uses.
const KvCodec& ActiveKvCodec();

// Implementation details: the constant tables of kv_codec_avx2.cc and kv_codec_avx512.cc.
const KvCodec* KvCodecAvx2Table();
const KvCodec* KvCodecAvx512Table();

}  // namespace fab::runtime
