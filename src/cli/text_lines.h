// Reads the line files that `logits` and `tokenize` take: one item a line,
// with "\n" (and "\t", "\\") escapes standing for the characters.
#pragma once

#include <string>
#include <vector>

#include "base/status.h"

namespace fab::cli {

// Lines of the file, unescaped; a trailing empty line is dropped. Errors:
// the file cannot be read, is larger than 64 MiB, or has an unknown escape.
StatusOr<std::vector<std::string>> ReadEscapedLines(const std::string& path);

}  // namespace fab::cli
