// Picking a runtime-local kernel table by the ISA the kernel layer chose.
// Runtime SIMD files (*_avx512.cc) export a table getter; callers keep a
// scalar twin. Both helpers are thread-safe and cheap after the first call.
#pragma once

#include "kernels/dispatch.h"

namespace fab::runtime {

// The AVX-512 table when this CPU runs AVX-512 kernels at all, else null
// (tests compare it with the scalar twin where it exists).
template <typename Table>
const Table* Avx512TableIfSupported(const Table* (*avx512_table)()) {
  return kernels::KernelsFor(kernels::Isa::kAvx512) != nullptr ? avx512_table() : nullptr;
}

// The table matching kernels::ActiveKernels(): AVX-512 when that is the
// active ISA (so TOKENFAB_ISA=scalar/avx2 also selects `scalar` here).
template <typename Table>
const Table& TableForActiveIsa(const Table& scalar, const Table* (*avx512_table)()) {
  const Table* table =
      kernels::ActiveKernels().isa == kernels::Isa::kAvx512 ? Avx512TableIfSupported(avx512_table) : nullptr;
  return table != nullptr ? *table : scalar;
}

}  // namespace fab::runtime
