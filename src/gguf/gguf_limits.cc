#include "gguf/gguf_limits.h"

#include <string>

namespace fab {

Status CheckGgufAlignment(uint64_t alignment, uint64_t max_alignment) {
  if (alignment == 0 || (alignment & (alignment - 1)) != 0) {
    return InvalidArgumentError("general.alignment " + std::to_string(alignment) +
                                " is not a power of two");
  }
  if (alignment > max_alignment) {
    return ResourceExhaustedError("general.alignment " + std::to_string(alignment) + " exceeds the limit of " +
                                  std::to_string(max_alignment));
  }
  return OkStatus();
}

}  // namespace fab
