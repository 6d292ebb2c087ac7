// FloatOps: the float32 half of the kernel table (norms, RoPE, softmax,
// activations, attention inner loops). Filled per ISA by MakeFloatOps*().
#pragma once

namespace fab::kernels {

struct FloatOps {
  // TODO(kernels): function pointers.
  int placeholder = 0;
};

FloatOps MakeFloatOpsScalar();
FloatOps MakeFloatOpsAvx2();
FloatOps MakeFloatOpsAvx512();

}  // namespace fab::kernels
