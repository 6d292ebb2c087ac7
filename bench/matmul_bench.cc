// MatMul benchmarks at TinyLlama shapes, per weight dtype, ISA and thread
// count. Counters: GOPS = 2 * n_in * n_out * n_tokens per second, and for
// generation (n_tokens = 1) weight_GBps = weight bytes streamed per second.
// Generation runs rotate over enough copies of the weights (> 128 MB) that
// every call streams them from DRAM, as a real model's layers do. Names: MatMul/<dtype>/<n_out>x<n_in>/tokens:<n>/threads:<t>/<isa>; pick with
// --benchmark_filter, e.g. 'MatMul/q4_0/.*/tokens:512/threads:2/avx512'.
#include <benchmark/benchmark.h>

#include <string>
#include <vector>

#include "kernels/matmul.h"
#include "matmul_bench_support.h"

namespace fab::kernels {
namespace {

using bench::Shape;

constexpr Shape kShapes[] = {{2048, 2048}, {5632, 2048}, {2048, 5632}};
constexpr DType kDtypes[] = {DType::kQ4_0, DType::kQ8_0, DType::kQ4_K, DType::kQ6_K, DType::kF16};
constexpr int64_t kTokenCounts[] = {1, 16, 512};

void BenchMatMul(benchmark::State& state, const KernelTable* table, DType dtype, Shape shape, int64_t n_tokens,
                 int n_threads) {
  const std::vector<uint8_t>& weights = bench::Weights(dtype, shape);
  const size_t n_copies = n_tokens == 1 ? bench::kColdBytes / weights.size() + 1 : 1;
  std::vector<std::vector<uint8_t>> copies(n_copies, weights);
  TensorView w;
  w.dtype = dtype;
  w.ne[0] = shape.n_in;
  w.ne[1] = shape.n_out;
  size_t copy_idx = 0;
  const std::vector<float> x = bench::Activations(n_tokens, shape.n_in);
  std::vector<float> y(n_tokens * shape.n_out);
  ThreadPool& pool = bench::PoolWith(n_threads);
  for (auto _ : state) {
    w.data = copies[copy_idx].data();
    copy_idx = copy_idx + 1 == n_copies ? 0 : copy_idx + 1;
    MatMul(*table, w, x.data(), n_tokens, y.data(), pool);
    benchmark::DoNotOptimize(y.data());
    benchmark::ClobberMemory();
  }
  bench::CountOps(state, shape, n_tokens);
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
            const std::string name = bench::BenchName("MatMul", dtype, shape, n_tokens, n_threads, IsaName(isa));
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
