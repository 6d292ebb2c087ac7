#include "kernels/float_ops.h"

namespace fab::kernels {

FloatOps MakeFloatOpsAvx512() { return FloatOps{}; }

}  // namespace fab::kernels
