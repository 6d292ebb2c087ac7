// Runs the built `tokenfab` binary for the black-box CLI tests
// (tests/cli/*_test.cc), with a scratch directory per
// test process (CTest runs tests in parallel processes).
#pragma once

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include <sys/wait.h>
#include <unistd.h>

namespace fab::cli_test {

struct CommandResult {
  int exit_code = -1;
  std::string output;  // stdout, and stderr when merged
};

inline CommandResult RunTokenfabCommand(const std::string& args, bool merge_stderr = true) {
  const std::string command = std::string(FAB_BINARY_DIR) + "/bin/tokenfab " + args +
                              (merge_stderr ? " 2>&1" : " 2>/dev/null");
  CommandResult result;
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return result;
  char buffer[4096];
  size_t n;
  while ((n = fread(buffer, 1, sizeof(buffer), pipe)) > 0) result.output.append(buffer, n);
  const int status = pclose(pipe);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

inline std::filesystem::path ScratchDir(const std::string& name) {
  std::filesystem::path dir =
      std::filesystem::temp_directory_path() / (name + "_" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  return dir;
}

inline void WriteFile(const std::filesystem::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
}

// The demo-tiny Q4_0 model, synthesized into ScratchDir(scratch_name); call
// it once per test process (e.g. from a function-local static).
inline std::string SynthesizeDemoModel(const std::string& scratch_name) {
  const std::string path = (ScratchDir(scratch_name) / "demo-q4_0.gguf").string();
  const CommandResult r = RunTokenfabCommand("model synth --shape demo-tiny --quant q4_0 -t 2 -o " + path);
  if (r.exit_code != 0) std::fprintf(stderr, "model synth failed:\n%s\n", r.output.c_str());
  return path;
}

}  // namespace fab::cli_test
