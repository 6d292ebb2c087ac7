// Packed (q4_0 / q8_0 / q4_K / q5_K / q6_K panels, packed_weights.h) against
// file-layout MatMul on the active kernel table, at TinyLlama shapes and generation-sized batches.
// Counter GOPS = 2 * n_in * n_out * n_tokens per second. Single-token runs
// rotate over > 128 MB of weight copies so every call streams from DRAM.
// Names: PackedMatMul/<dtype>/<n_out>x<n_in>/tokens:<n>/threads:<t>/<packed|file>.
#include <benchmark/benchmark.h>

#include <cstring>
#include <string>
#include <vector>

#include "base/aligned_buffer.h"
#include "kernels/matmul.h"
#include "kernels/packed_weights.h"
#include "matmul_bench_support.h"

namespace fab::kernels {
namespace {

using bench::Shape;

constexpr Shape kShapes[] = {{2048, 2048}, {5632, 2048}, {2048, 5632}};
constexpr DType kDtypes[] = {DType::kQ4_0, DType::kQ8_0, DType::kQ4_K, DType::kQ5_K, DType::kQ6_K};
constexpr int64_t kTokenCounts[] = {1, 4, 16, 64};

void BenchPackedMatMul(benchmark::State& state, DType dtype, Shape shape, int64_t n_tokens, int n_threads,
                       bool packed) {
  const std::vector<uint8_t>& weights = bench::Weights(dtype, shape);
  const size_t n_copies = n_tokens == 1 ? bench::kColdBytes / weights.size() + 1 : 1;
  ThreadPool& pool = bench::PoolWith(n_threads);
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
  const std::vector<float> x = bench::Activations(n_tokens, shape.n_in);
  std::vector<float> y(n_tokens * shape.n_out);
  size_t copy_idx = 0;
  for (auto _ : state) {
    MatMul(views[copy_idx], x.data(), n_tokens, y.data(), pool);
    copy_idx = copy_idx + 1 == n_copies ? 0 : copy_idx + 1;
    benchmark::DoNotOptimize(y.data());
    benchmark::ClobberMemory();
  }
  bench::CountOps(state, shape, n_tokens);
}

bool RegisterAll() {
  for (DType dtype : kDtypes) {
    for (Shape shape : kShapes) {
      for (int64_t n_tokens : kTokenCounts) {
        for (int n_threads : {1, 2}) {
          for (bool packed : {true, false}) {
            const std::string name =
                bench::BenchName("PackedMatMul", dtype, shape, n_tokens, n_threads, packed ? "packed" : "file");
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
