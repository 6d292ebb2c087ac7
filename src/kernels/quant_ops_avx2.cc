#include "kernels/quant_ops.h"

namespace fab::kernels {

QuantOps MakeQuantOpsAvx2() { return QuantOps{}; }

}  // namespace fab::kernels
