// The built-in demo model: when a command gets no -m, tokenfab synthesizes a
// small random-weight model once under the user's cache directory
// ($XDG_CACHE_HOME/tokenfab or ~/.cache/tokenfab) and uses it. Its weights are
// random: its text is noise; it exists so `make run` works with no download.
#pragma once

#include <string>

#include "base/status.h"

namespace fab::cli {

// The demo model's path, creating it first if needed (prints a notice).
StatusOr<std::string> EnsureDemoModel();

}  // namespace fab::cli
