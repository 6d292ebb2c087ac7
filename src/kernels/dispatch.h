// The kernel dispatch table: every numeric op of tokenfab behind one struct of
// function pointers, one instance per instruction set (scalar reference twin,
// AVX2, AVX-512), chosen once at start-up from CPUID (STYLE.md rule 4).
// Callers use the free functions of matmul.h / ops.h; tests and benchmarks
// take a table per ISA to compare each variant against its scalar twin.
// Thread-safety: tables are immutable after first use.
#pragma once

#include "kernels/float_ops.h"
#include "kernels/quant_ops.h"

namespace fab::kernels {

enum class Isa { kScalar = 0, kAvx2 = 1, kAvx512 = 2 };
const char* IsaName(Isa isa);

struct KernelTable {
  Isa isa;
  QuantOps quant;
  FloatOps floats;
};

// The table for `isa`, or nullptr when this CPU cannot run it.
const KernelTable* KernelsFor(Isa isa);
// The best table this CPU runs; TOKENFAB_ISA=scalar|avx2|avx512 lowers it.
const KernelTable& ActiveKernels();

}  // namespace fab::kernels
