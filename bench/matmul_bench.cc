// MatMul benchmarks at TinyLlama shapes, per weight dtype, ISA and thread
// count. Counters: GOPS = 2 * n_in * n_out * n_tokens per second, and for
// generation (n_tokens = 1) weight_GBps = weight bytes streamed per second.
// Generation runs rotate over enough copies of the weights (> 128 MB) that
// every call streams them from DRAM, as a real model's layers do. Names: MatMul/<dtype>/<n_out>x<n_in>/tokens:<n>/threads:<t>/<isa>; pick with
// --benchmark_filter, e.g. 'MatMul/q4_0/.*/tokens:512/threads:2/avx512'.
#include <benchmark/benchmark.h>

#include <map>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "kernels/matmul.h"
#include "kernels/quantize.h"

namespace fab::kernels {
namespace {

struct Shape {
  int64_t n_out;
  int64_t n_in;
};

constexpr Shape kShapes[] = {{2048, 2048}, {5632, 2048}, {2048, 5632}};
constexpr DType kDtypes[] = {DType::kQ4_0, DType::kQ8_0, DType::kQ4_K, DType::kQ6_K, DType::kF16};
constexpr int64_t kTokenCounts[] = {1, 16, 512};
constexpr size_t kColdBytes = 128 << 20;  // well past the 32 MB L3

// Quantized random weights, made once per (dtype, shape) and kept.
const std::vector<uint8_t>& Weights(DType dtype, Shape shape) {
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

ThreadPool& PoolWith(int n_threads) {
  static std::map<int, std::unique_ptr<ThreadPool>> pools;
  auto& pool = pools[n_threads];
  if (!pool) pool = std::make_unique<ThreadPool>(n_threads);
  return *pool;
}

void BenchMatMul(benchmark::State& state, const KernelTable* table, DType dtype, Shape shape, int64_t n_tokens,
                 int n_threads) {
  const std::vector<uint8_t>& weights = Weights(dtype, shape);
  const size_t n_copies = n_tokens == 1 ? kColdBytes / weights.size() + 1 : 1;
  std::vector<std::vector<uint8_t>> copies(n_copies, weights);
  TensorView w;
  w.dtype = dtype;
  w.ne[0] = shape.n_in;
  w.ne[1] = shape.n_out;
  size_t copy_idx = 0;
  std::vector<float> x(n_tokens * shape.n_in);
  std::mt19937 rng(7);
  std::normal_distribution<float> normal(0.0f, 1.0f);
  for (float& v : x) v = normal(rng);
  std::vector<float> y(n_tokens * shape.n_out);
  ThreadPool& pool = PoolWith(n_threads);
  for (auto _ : state) {
    w.data = copies[copy_idx].data();
    copy_idx = copy_idx + 1 == n_copies ? 0 : copy_idx + 1;
    MatMul(*table, w, x.data(), n_tokens, y.data(), pool);
    benchmark::DoNotOptimize(y.data());
    benchmark::ClobberMemory();
  }
  const double ops = 2.0 * static_cast<double>(shape.n_in * shape.n_out * n_tokens);
  state.counters["GOPS"] = benchmark::Counter(ops * 1e-9, benchmark::Counter::kIsIterationInvariantRate);
  if (n_tokens == 1) {
    state.counters["weight_GBps"] =
        benchmark::Counter(static_cast<double>(weights.size()) * 1e-9, benchmark::Counter::kIsIterationInvariantRate);
  }
}

bool RegisterAll() {
  for (Isa isa : {Isa::kAvx512, Isa::kAvx2, Isa::kScalar}) {
    const KernelTable* table = KernelsFor(isa);
    if (table == nullptr) continue;
    for (DType dtype : kDtypes) {
      for (Shape shape : kShapes) {
        for (int64_t n_tokens : kTokenCounts) {
          if (isa == Isa::kScalar && n_tokens > 1) continue;  // seconds per call
          for (int n_threads : {1, 2}) {
            const std::string name = std::string("MatMul/") + DTypeName(dtype) + "/" + std::to_string(shape.n_out) +
                                     "x" + std::to_string(shape.n_in) + "/tokens:" + std::to_string(n_tokens) +
                                     "/threads:" + std::to_string(n_threads) + "/" + IsaName(isa);
            benchmark::RegisterBenchmark(name.c_str(), BenchMatMul, table, dtype, shape, n_tokens, n_threads)
                ->Unit(benchmark::kMillisecond)
                ->UseRealTime();
          }
        }
      }
    }
  }
  return true;
}

const bool registered = RegisterAll();

}  // namespace
}  // namespace fab::kernels
