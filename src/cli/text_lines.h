// Reads the line files that `logits` and `tokenize` take: one item a line,
// with "\n" (and "\t", "\\") escapes standing for the characters.
#pragma once

#include <string>
#include <vector>

#include "base/status.h"

namespace fab::cli {

// Lines of the file, unescaped; trailing empty lines are dropped and other
// backslash sequences are kept literally. Errors: the file cannot be read or
// is larger than 64 MiB.
StatusOr<std::vector<std::string>> ReadEscapedLines(const std::string& path);

}  // namespace fab::cli
