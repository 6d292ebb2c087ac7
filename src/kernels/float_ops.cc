#include "kernels/float_ops.h"

namespace fab::kernels {

FloatOps MakeFloatOpsScalar() { return FloatOps{}; }

}  // namespace fab::kernels
