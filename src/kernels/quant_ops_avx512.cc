#include "kernels/quant_ops.h"

namespace fab::kernels {

QuantOps MakeQuantOpsAvx512() { return QuantOps{}; }

}  // namespace fab::kernels
