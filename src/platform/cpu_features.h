// CPU features read once from CPUID (and XGETBV for OS register support).
// Kernels are chosen from these at start-up. Thread-safe after first call.
#pragma once

namespace fab {

struct CpuFeatures {
  bool avx2 = false;
  bool fma = false;
  bool f16c = false;
  bool avx512f = false;
  bool avx512bw = false;
  bool avx512vl = false;
  bool avx512dq = false;
  bool avx512vnni = false;
  bool avx512bf16 = false;
  bool avx_vnni = false;

  bool HasAvx2Set() const { return avx2 && fma && f16c; }
  bool HasAvx512Set() const { return HasAvx2Set() && avx512f && avx512bw && avx512vl && avx512dq; }
};

const CpuFeatures& GetCpuFeatures();

}  // namespace fab
