#include "cli/text_lines.h"

#include <fstream>
#include <sstream>

namespace fab::cli {
namespace {

constexpr std::streamoff kMaxFileBytes = 64ll << 20;

std::string Unescape(const std::string& line) {
  std::string out;
  for (size_t i = 0; i < line.size(); ++i) {
    if (line[i] != '\\' || i + 1 == line.size()) {
      out.push_back(line[i]);
      continue;
    }
    const char next = line[++i];
    switch (next) {
      case 'n': out.push_back('\n'); break;
      case 't': out.push_back('\t'); break;
      case '\\': out.push_back('\\'); break;
      default: out.push_back('\\'); out.push_back(next); break;  // kept literally
    }
  }
  return out;
}

}  // namespace

StatusOr<std::vector<std::string>> ReadEscapedLines(const std::string& path) {
  std::ifstream file(path, std::ios::binary | std::ios::ate);
  if (!file) return NotFoundError("cannot open " + path);
  if (file.tellg() > kMaxFileBytes) return ResourceExhaustedError(path + " is larger than 64 MiB");
  file.seekg(0);
  std::vector<std::string> lines;
  std::string line;
  while (std::getline(file, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    lines.push_back(Unescape(line));
  }
  while (!lines.empty() && lines.back().empty()) lines.pop_back();
  return lines;
}

}  // namespace fab::cli
