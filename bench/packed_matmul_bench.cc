// Packed (q4_0x16 / q8_0x16, packed_weights.h) against file-layout MatMul on
// the active kernel table, at TinyLlama shapes and generation-sized batches.
// Counter GOPS = 2 * n_in * n_out * n_tokens per second. Single-token runs
// rotate over > 128 MB of weight copies so every call streams from DRAM.
// Names: PackedMatMul/<dtype>/<n_out>x<n_in>/tokens:<n>/threads:<t>/<packed|file>.
#include <benchmark/benchmark.h>

#include <cstring>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "base/aligned_buffer.h"
#include "kernels/matmul.h"
#include "kernels/packed_weights.h"
#include "kernels/quantize.h"

namespace fab::kernels {
namespace {

struct Shape {
  int64_t n_out;
  int64_t n_in;
};

constexpr Shape kShapes[] = {{2048, 2048}, {5632, 2048}};
constexpr DType kDtypes[] = {DType::kQ4_0, DType::kQ8_0};
constexpr int64_t kTokenCounts[] = {1, 4, 16, 64};
constexpr size_t kColdBytes = 128 << 20;

std::vector<uint8_t> RandomWeights(DType dtype, Shape shape) {
  const int64_t row_bytes = RowBytes(dtype, shape.n_in).value();
  std::vector<uint8_t> bytes(row_bytes * shape.n_out);
  std::mt19937 rng(42);
  std::normal_distribution<float> normal(0.0f, 0.02f);
  std::vector<float> row(shape.n_in);
  for (int64_t r = 0; r < shape.n_out; ++r) {
    for (float& v : row) v = normal(rng);
    QuantizeRow(dtype, row.data(), bytes.data() + r * row_bytes, shape.n_in);
  }
  return bytes;
}

ThreadPool& PoolWith(int n_threads) {
  static std::map<int, std::unique_ptr<ThreadPool>> pools;
  auto& pool = pools[n_threads];
  if (!pool) pool = std::make_unique<ThreadPool>(n_threads);
  return *pool;
}

void BenchPackedMatMul(benchmark::State& state, DType dtype, Shape shape, int64_t n_tokens, int n_threads,
                       bool packed) {
  const std::vector<uint8_t> weights = RandomWeights(dtype, shape);
  const size_t n_copies = n_tokens == 1 ? kColdBytes / weights.size() + 1 : 1;
  ThreadPool& pool = PoolWith(n_threads);
  std::vector<AlignedBuffer> copies;
  std::vector<TensorView> views;
  for (size_t i = 0; i < n_copies; ++i) {
    TensorView w;
    w.dtype = dtype;
    w.ne[0] = shape.n_in;
    w.ne[1] = shape.n_out;
    copies.emplace_back(weights.size());
    if (packed) {
      w.data = weights.data();
      w = PackMatrix(w, copies.back().data(), pool);
    } else {
      std::memcpy(copies.back().data(), weights.data(), weights.size());
      w.data = copies.back().data();
    }
    views.push_back(w);
  }
  std::vector<float> x(n_tokens * shape.n_in);
  std::mt19937 rng(7);
  std::normal_distribution<float> normal(0.0f, 1.0f);
  for (float& v : x) v = normal(rng);
  std::vector<float> y(n_tokens * shape.n_out);
  size_t copy_idx = 0;
  for (auto _ : state) {
    MatMul(views[copy_idx], x.data(), n_tokens, y.data(), pool);
    copy_idx = copy_idx + 1 == n_copies ? 0 : copy_idx + 1;
    benchmark::DoNotOptimize(y.data());
    benchmark::ClobberMemory();
  }
  const double ops = 2.0 * static_cast<double>(shape.n_in * shape.n_out * n_tokens);
  state.counters["GOPS"] = benchmark::Counter(ops * 1e-9, benchmark::Counter::kIsIterationInvariantRate);
}

bool RegisterAll() {
  for (DType dtype : kDtypes) {
    for (Shape shape : kShapes) {
      for (int64_t n_tokens : kTokenCounts) {
        for (int n_threads : {1, 2}) {
          for (bool packed : {true, false}) {
            const std::string name = std::string("PackedMatMul/") + DTypeName(dtype) + "/" +
                                     std::to_string(shape.n_out) + "x" + std::to_string(shape.n_in) +
                                     "/tokens:" + std::to_string(n_tokens) + "/threads:" + std::to_string(n_threads) +
                                     (packed ? "/packed" : "/file");
            benchmark::RegisterBenchmark(name.c_str(), BenchPackedMatMul, dtype, shape, n_tokens, n_threads, packed)
                ->Unit(benchmark::kMicrosecond)
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
