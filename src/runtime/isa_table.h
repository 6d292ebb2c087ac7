// Picking a runtime-local kernel table by the ISA the kernel layer chose.
// Runtime SIMD files (*_avx2.cc, *_avx512.cc) export a table getter each;
// callers keep a scalar twin. Both helpers are thread-safe and cheap after
// the first call.
#pragma once

#include "kernels/dispatch.h"

namespace fab::runtime {

// `table()` when this CPU runs `isa`'s kernels at all, else null (tests
// compare it with the scalar twin where it exists).
template <typename Table>
const Table* TableIfSupported(kernels::Isa isa, const Table* (*table)()) {
  return kernels::KernelsFor(isa) != nullptr ? table() : nullptr;
}

// The table matching kernels::ActiveKernels().isa: AVX-512 or AVX2 when that
// is the active ISA, else `scalar` (so TOKENFAB_ISA=avx2 selects the AVX2
// table and TOKENFAB_ISA=scalar the scalar twin).
template <typename Table>
const Table& TableForActiveIsa(const Table& scalar, const Table* (*avx2_table)(), const Table* (*avx512_table)()) {
  const Table* table = nullptr;
  switch (kernels::ActiveKernels().isa) {
    case kernels::Isa::kAvx512: table = TableIfSupported(kernels::Isa::kAvx512, avx512_table); break;
    case kernels::Isa::kAvx2: table = TableIfSupported(kernels::Isa::kAvx2, avx2_table); break;
    case kernels::Isa::kScalar: break;
  }
  return table != nullptr ? *table : scalar;
}

}  // namespace fab::runtime
