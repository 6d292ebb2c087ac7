// Shared by the fuzz targets: Require aborts (so libFuzzer records a crash
// with the input) when a property the target checks is broken.
#pragma once

#include <cstdio>
#include <cstdlib>

namespace fab::fuzz {

inline void Require(bool condition, const char* what = "a checked property") {
  if (!condition) {
    std::fprintf(stderr, "property broken: %s\n", what);
    std::abort();
  }
}

}  // namespace fab::fuzz
