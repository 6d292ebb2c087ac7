// What the MatMul benchmarks share: TinyLlama-sized shapes, quantized random
// weights made once per (dtype, shape), random activations, one thread pool
// per thread count, and the benchmark names. Benchmark-only code.
#pragma once

#include <benchmark/benchmark.h>

#include <map>
#include <memory>
#include <random>
#include <string>
#include <tuple>
#include <vector>

#include "kernels/quantize.h"
#include "platform/thread_pool.h"
#include "tensor/dtype.h"

namespace fab::kernels::bench {

struct Shape {
  int64_t n_out;
  int64_t n_in;
};

inline constexpr size_t kColdBytes = 128 << 20;  // well past the 32 MB L3

// Quantized N(0, 0.02) weights [n_out rows of n_in], made once and kept.
inline const std::vector<uint8_t>& Weights(DType dtype, Shape shape) {
  static std::map<std::tuple<int, int64_t, int64_t>, std::vector<uint8_t>> cache;
  auto key = std::make_tuple(static_cast<int>(dtype), shape.n_out, shape.n_in);
  auto it = cache.find(key);
  if (it != cache.end()) return it->second;
  const int64_t row_bytes = RowBytes(dtype, shape.n_in).value();
  std::vector<uint8_t> bytes(row_bytes * shape.n_out);
  std::mt19937 rng(42);
  std::normal_distribution<float> normal(0.0f, 0.02f);
  std::vector<float> row(shape.n_in);
  for (int64_t r = 0; r < shape.n_out; ++r) {
    for (float& v : row) v = normal(rng);
    QuantizeRow(dtype, row.data(), bytes.data() + r * row_bytes, shape.n_in);
  }
  return cache.emplace(key, std::move(bytes)).first->second;
}

// N(0, 1) activations [n_tokens, n_in].
inline std::vector<float> Activations(int64_t n_tokens, int64_t n_in) {
  std::vector<float> x(n_tokens * n_in);
  std::mt19937 rng(7);
  std::normal_distribution<float> normal(0.0f, 1.0f);
  for (float& v : x) v = normal(rng);
  return x;
}

inline ThreadPool& PoolWith(int n_threads) {
  static std::map<int, std::unique_ptr<ThreadPool>> pools;
  auto& pool = pools[n_threads];
  if (!pool) pool = std::make_unique<ThreadPool>(n_threads);
  return *pool;
}

// "<family>/<dtype>/<n_out>x<n_in>/tokens:<n>/threads:<t>/<variant>".
inline std::string BenchName(const char* family, DType dtype, Shape shape, int64_t n_tokens, int n_threads,
                             const char* variant) {
  return std::string(family) + "/" + DTypeName(dtype) + "/" + std::to_string(shape.n_out) + "x" +
         std::to_string(shape.n_in) + "/tokens:" + std::to_string(n_tokens) + "/threads:" + std::to_string(n_threads) +
         "/" + variant;
}

// Sets the GOPS counter: 2 * n_in * n_out * n_tokens operations per iteration.
inline void CountOps(benchmark::State& state, Shape shape, int64_t n_tokens) {
  const double ops = 2.0 * static_cast<double>(shape.n_in * shape.n_out * n_tokens);
  state.counters["GOPS"] = benchmark::Counter(ops * 1e-9, benchmark::Counter::kIsIterationInvariantRate);
}

}  // namespace fab::kernels::bench
