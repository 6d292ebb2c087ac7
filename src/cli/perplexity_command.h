// `tokenfab perplexity -m MODEL (-f TEXT) [--reference REF.gguf] [--ctx 512]
// [--chunks N] [-t N] [--json]`: the model's perplexity over a text file and,
// with a reference (the F16 file a quantization came from), the KL divergence
// and top-1 agreement of its next-token distributions against the
// reference's, as llama.cpp's llama-perplexity (--kl-divergence) measures
// them (eval/perplexity.h). Options and entry point.
#pragma once

#include <cstdint>
#include <string>

namespace CLI {
class App;
}

namespace fab::cli {

struct PerplexityCommandOptions {
  std::string model_path;
  std::string text_path;
  std::string reference_path;  // empty: no divergence
  int64_t n_ctx = 512;
  int64_t max_chunks = 0;      // 0: all
  int threads = 0;             // 0: every CPU
  bool json = false;
};

int RunPerplexity(const PerplexityCommandOptions& options);

void AddPerplexity(CLI::App& app, PerplexityCommandOptions& options, int& code);

}  // namespace fab::cli
