#include "kernels/quant_ops.h"

namespace fab::kernels {

QuantOps MakeQuantOpsScalar() { return QuantOps{}; }

}  // namespace fab::kernels
