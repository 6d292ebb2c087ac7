// QuantOps: the quantized-weight half of the kernel table (matrix products
// over quantized or float weights). Filled per ISA by MakeQuantOps*().
#pragma once

namespace fab::kernels {

struct QuantOps {
  // TODO(kernels): function pointers for activation quantization and
  // weight-row dot products / GEMM tiles.
  int placeholder = 0;
};

QuantOps MakeQuantOpsScalar();
QuantOps MakeQuantOpsAvx2();
QuantOps MakeQuantOpsAvx512();

}  // namespace fab::kernels
