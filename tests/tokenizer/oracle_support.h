// Helpers for the tests that compare our tokenizers with reference
// implementations run as child processes (transformers.js under node,
// python3-sentencepiece): the shared corpus, running a command and reading
// its JSON-lines output, a scratch directory, and a compact report of the
// strings whose ids differ. Test-only; single-threaded.
#pragma once

#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <random>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json.hpp>

#include "base/types.h"

namespace fab::testing {

inline const std::string kCorpusPath =
    std::string(FAB_SOURCE_DIR) + "/tests/tokenizer/data/tokenizer_corpus.jsonl";
inline const std::string kToolsDir = std::string(FAB_SOURCE_DIR) + "/tests/tools";

// `text` inside single quotes for /bin/sh.
inline std::string ShellQuote(std::string_view text) {
  std::string quoted = "'";
  for (char c : text) {
    if (c == '\'') {
      quoted += "'\\''";
    } else {
      quoted += c;
    }
  }
  return quoted + "'";
}

// True when /bin/sh finds `program` (a name on PATH or a path).
inline bool ProgramExists(const std::string& program) {
  return std::system(("command -v " + ShellQuote(program) + " >/dev/null 2>&1").c_str()) == 0;
}

// Runs `command` with /bin/sh; stdout goes to *output. The exit status, or
// -1 when the command could not be started or was killed.
inline int RunCommand(const std::string& command, std::string* output) {
  output->clear();
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return -1;
  std::array<char, 1 << 16> buffer;
  size_t n_read;
  while ((n_read = std::fread(buffer.data(), 1, buffer.size(), pipe)) > 0) {
    output->append(buffer.data(), n_read);
  }
  const int status = pclose(pipe);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

// One JSON value per non-empty line; nullopt if any line does not parse.
inline std::optional<std::vector<boost::json::value>> ParseJsonLines(std::string_view text) {
  std::vector<boost::json::value> values;
  while (!text.empty()) {
    const size_t end = std::min(text.find('\n'), text.size());
    const std::string_view line = text.substr(0, end);
    text.remove_prefix(std::min(end + 1, text.size()));
    if (line.empty()) continue;
    boost::system::error_code error;
    boost::json::value value = boost::json::parse(line, error);
    if (error) return std::nullopt;
    values.push_back(std::move(value));
  }
  return values;
}

// The corpus strings (one JSON string per line); empty if unreadable.
inline std::vector<std::string> ReadCorpus(const std::string& path = kCorpusPath) {
  std::ifstream file(path, std::ios::binary);
  std::stringstream contents;
  contents << file.rdbuf();
  std::optional<std::vector<boost::json::value>> lines = ParseJsonLines(contents.str());
  std::vector<std::string> texts;
  if (!lines) return texts;
  for (const boost::json::value& line : *lines) {
    if (!line.is_string()) return {};
    texts.emplace_back(line.get_string());
  }
  return texts;
}

// The "ids" array of one oracle output line.
inline std::vector<TokenId> IdsOf(const boost::json::value& line) {
  std::vector<TokenId> ids;
  for (const boost::json::value& id : line.at("ids").as_array()) {
    ids.push_back(static_cast<TokenId>(id.to_number<int64_t>()));
  }
  return ids;
}

// A fresh directory under the system temp directory, removed with its
// contents on destruction.
class ScratchDir {
 public:
  ScratchDir() {
    std::random_device entropy;
    path_ = std::filesystem::temp_directory_path() /
            ("tokenfab-oracle-" + std::to_string(getpid()) + "-" + std::to_string(entropy()));
    std::filesystem::create_directories(path_);
  }
  ~ScratchDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;

  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

// `text` as a JSON string literal (so control characters stay readable).
inline std::string JsonQuoted(std::string_view text) {
  return boost::json::serialize(boost::json::value(boost::json::string(text)));
}

inline std::string IdsAround(const std::vector<TokenId>& ids, size_t position) {
  constexpr size_t kContext = 4;
  const size_t begin = position > kContext ? position - kContext : 0;
  const size_t end = std::min(ids.size(), position + kContext + 1);
  std::string out = begin > 0 ? "[… " : "[";
  for (size_t index = begin; index < end; ++index) {
    if (index > begin) out += ", ";
    if (index == position) out += "*";
    out += std::to_string(ids[index]);
  }
  return out + (end < ids.size() ? " …]" : "]");
}

// Tallies strings whose ids agree with the oracle's and describes the first
// few that do not: index, text, first differing position, ids around it
// (the differing one starred).
class IdComparison {
 public:
  static constexpr int kMaxReported = 15;

  void Add(size_t index, std::string_view text, const std::vector<TokenId>& ours,
           const std::vector<TokenId>& oracle) {
    if (ours == oracle) {
      ++n_matched_;
      return;
    }
    if (++n_mismatched_ > kMaxReported) return;
    const auto diverge = std::mismatch(ours.begin(), ours.end(), oracle.begin(), oracle.end());
    const size_t position = static_cast<size_t>(diverge.first - ours.begin());
    report_ += "  #" + std::to_string(index) + " " + JsonQuoted(text) +
               "\n    first difference at id " + std::to_string(position) + ": ours " +
               IdsAround(ours, position) + " (" + std::to_string(ours.size()) + " ids), oracle " +
               IdsAround(oracle, position) + " (" + std::to_string(oracle.size()) + " ids)\n";
  }

  int n_matched() const { return n_matched_; }
  int n_mismatched() const { return n_mismatched_; }
  std::string Summary(std::string_view name) const {
    return std::string(name) + ": " + std::to_string(n_matched_) + " strings match, " +
           std::to_string(n_mismatched_) + " differ";
  }
  // Summary plus the described mismatches.
  std::string Report(std::string_view name) const {
    std::string out = Summary(name) + "\n" + report_;
    if (n_mismatched_ > kMaxReported) {
      out += "  (" + std::to_string(n_mismatched_ - kMaxReported) + " more not shown)\n";
    }
    return out;
  }

 private:
  int n_matched_ = 0;
  int n_mismatched_ = 0;
  std::string report_;
};

}  // namespace fab::testing
