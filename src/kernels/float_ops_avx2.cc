#include "kernels/float_ops.h"

namespace fab::kernels {

FloatOps MakeFloatOpsAvx2() { return FloatOps{}; }

}  // namespace fab::kernels
