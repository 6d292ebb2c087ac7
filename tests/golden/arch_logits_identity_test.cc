// Logits stay bit-identical across refactors of how architectures read their
// hparams and bind their weights: `tokenfab logits` (a child process, with
// TOKENFAB_ISA=scalar and 2 threads) on every model in ../shared/models hashes
// to the checksum recorded from the tree before llama and qwen2 moved into
// their own files (issue 11, part 5).
// The hash is FNV-1a 64 over result.json, then each <case>.f32 in case order.
// The scalar kernel twins are compiled for baseline x86-64 (no -m flags: no
// AVX or FMA instructions in them) and their result does not depend on the
// thread count (checked with -t 1, 2, 3), so the checksums are the same on
// AVX2 and AVX-512 hosts. Another compiler or libm may change them; re-record
// them then, from a tree whose logits still pass logits_golden_test, with
// the command this test runs. Takes about 5 s for all six models.
#include <gtest/gtest.h>

#include <cctype>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <ostream>
#include <string>

#include <sys/wait.h>
#include <unistd.h>

namespace fab {
namespace {

const std::filesystem::path kShared = FAB_SHARED_DIR;

struct RecordedLogits {
  const char* model;  // ../shared/models/<model>.gguf
  int n_steps;        // greedy steps, as the golden files have them
  uint64_t fnv1a64;   // of `tokenfab logits` output with the scalar kernels
};

// Recorded at 8548417 (before the per-architecture files), g++ 12, glibc 2.36.
constexpr RecordedLogits kRecorded[] = {
    {"llama-2-tiny-random", 8, 0x3944d8e8c2a13330ull},
    {"llama-d256-l2-f16", 16, 0x4c317bbbb55bca55ull},
    {"llama-d256-l2-q8_0", 16, 0x629c1da4c2ab8217ull},
    {"llama-d256-l2-q4_0", 16, 0xcccb5aed0fa99e44ull},
    {"llama-d256-l2-q4_k_m", 16, 0x7ac08d9733a7000cull},
    {"qwen2-d256-l2-q8_0", 16, 0xf459736453a5acc3ull},
};

// Names the case in test listings (instead of gtest's byte dump).
void PrintTo(const RecordedLogits& recorded, std::ostream* os) { *os << recorded.model; }

constexpr uint64_t kFnvOffsetBasis = 0xcbf29ce484222325ull;
constexpr uint64_t kFnvPrime = 0x100000001b3ull;

uint64_t Fnv1a64(const std::string& bytes, uint64_t hash) {
  for (unsigned char byte : bytes) hash = (hash ^ byte) * kFnvPrime;
  return hash;
}

std::string ReadBytes(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// Runs `command` through the shell; its exit code, or -1.
int RunShell(const std::string& command, std::string& output) {
  FILE* pipe = popen((command + " 2>&1").c_str(), "r");
  if (pipe == nullptr) return -1;
  char buffer[4096];
  size_t n;
  while ((n = fread(buffer, 1, sizeof(buffer), pipe)) > 0) output.append(buffer, n);
  const int status = pclose(pipe);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

class ScalarLogitsChecksum : public ::testing::TestWithParam<RecordedLogits> {};

TEST_P(ScalarLogitsChecksum, MatchesTheOneRecordedBeforeTheArchitectureFiles) {
  const RecordedLogits& recorded = GetParam();
  const std::filesystem::path model = kShared / "models" / (std::string(recorded.model) + ".gguf");
  const std::filesystem::path prompts = kShared / "golden" / "prompts.txt";
  if (!std::filesystem::exists(model) || !std::filesystem::exists(prompts)) {
    GTEST_SKIP() << "needs " << model << " and " << prompts << " (../shared is absent)";
  }
  const std::filesystem::path out = std::filesystem::temp_directory_path() /
                                    ("tokenfab_scalar_logits_" + std::to_string(getpid()) + "_" + recorded.model);
  std::filesystem::remove_all(out);
  std::string output;
  const int exit_code = RunShell("TOKENFAB_ISA=scalar " + std::string(FAB_BINARY_DIR) + "/bin/tokenfab logits -m " +
                                     model.string() + " --prompts " + prompts.string() + " --steps " +
                                     std::to_string(recorded.n_steps) + " -t 2 --out " + out.string(),
                                 output);
  ASSERT_EQ(exit_code, 0) << output;

  uint64_t hash = Fnv1a64(ReadBytes(out / "result.json"), kFnvOffsetBasis);
  int n_cases = 0;
  for (; std::filesystem::exists(out / (std::to_string(n_cases) + ".f32")); ++n_cases) {
    hash = Fnv1a64(ReadBytes(out / (std::to_string(n_cases) + ".f32")), hash);
  }
  EXPECT_GT(n_cases, 0);
  char hex[19];
  std::snprintf(hex, sizeof(hex), "0x%016llx", static_cast<unsigned long long>(hash));
  EXPECT_EQ(hash, recorded.fnv1a64) << recorded.model << " now hashes to " << hex << " over " << n_cases << " cases";
  std::filesystem::remove_all(out);
}

INSTANTIATE_TEST_SUITE_P(SharedModels, ScalarLogitsChecksum, ::testing::ValuesIn(kRecorded),
                         [](const ::testing::TestParamInfo<RecordedLogits>& info) {
                           std::string name = info.param.model;
                           for (char& ch : name) if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
                           return name;
                         });

}  // namespace
}  // namespace fab
