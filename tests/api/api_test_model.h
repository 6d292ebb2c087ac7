// The small synthesized model the public-API tests run on: llama-shaped, 2
// layers, 600 tokens of generated vocabulary, q8_0 matrices, a context of
// `n_ctx`. Written once per (process, n_ctx) to the temporary directory and
// removed when the process exits.
#pragma once

#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <mutex>
#include <string>

#include <gtest/gtest.h>

#include "model/synth.h"
#include "platform/thread_pool.h"

namespace fab::api_test {

inline const std::string& SynthesizedModelPath(int64_t n_ctx) {
  static std::mutex mutex;
  static std::map<int64_t, std::string>* paths = [] {
    std::atexit([] {
      for (const auto& [unused, path] : *paths) std::filesystem::remove(path);
    });
    return new std::map<int64_t, std::string>;
  }();
  std::lock_guard<std::mutex> lock(mutex);
  auto [it, inserted] = paths->try_emplace(n_ctx);
  if (!inserted) return it->second;
  const model::SynthShape shape{"api-test", "llama", 128, 2, 4, 2, 256, 600, n_ctx,
                                10000.0f, /*tied_embeddings=*/false, /*llama3_rope_factors=*/false};
  ThreadPool pool(2);
  model::SynthOptions options;
  options.shape = &shape;
  options.quant = DType::kQ8_0;
  options.out_path = (std::filesystem::temp_directory_path() /
                      ("tokenfab_api_test_" + std::to_string(getpid()) + "_" + std::to_string(n_ctx) + ".gguf"))
                         .string();
  const Status written = model::SynthesizeModel(options, pool);
  EXPECT_TRUE(written.ok()) << written.ToString();
  it->second = options.out_path;
  return it->second;
}

}  // namespace fab::api_test
