// Float32 ops of ops.h per ISA at TinyLlama sizes: RmsNorm 2048, SwiGlu 5632,
// Softmax 2048, RoPE 32 heads × 64, and AttentionCausal for a 512-token
// prefill and single-token decode over 512 / 2048 cached rows (32 query
// heads, 4 KV heads, head_dim 64). Names read Op/isa/size[/threads].
// Run: build-*/bin/kernel_bench --benchmark_filter='Attention|RmsNorm|...'
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "base/aligned_buffer.h"
#include "kernels/ops.h"

namespace fab::kernels {
namespace {

// 64-byte aligned like the model's activations and KV cache (AlignedBuffer).
class Floats {
 public:
  explicit Floats(int64_t n) : buffer_(n * sizeof(float)), n_(n) {}
  float* data() { return buffer_.as<float>(); }
  const float* data() const { return buffer_.as<float>(); }
  size_t size() const { return n_; }
  float* begin() { return data(); }
  float* end() { return data() + n_; }

 private:
  AlignedBuffer buffer_;
  int64_t n_;
};

Floats Random(int64_t n, float low, float high) {
  std::mt19937 rng(42);
  std::uniform_real_distribution<float> dist(low, high);
  Floats values(n);
  for (float& value : values) value = dist(rng);
  return values;
}

void BenchRmsNorm(benchmark::State& state, const KernelTable* table, int64_t n) {
  Floats x = Random(n, -1, 1), weight = Random(n, -1, 1), out(n);
  for (auto _ : state) {
    RmsNorm(*table, x.data(), weight.data(), n, 1e-5f, out.data());
    benchmark::DoNotOptimize(out.data());
  }
  state.SetBytesProcessed(state.iterations() * n * 3 * sizeof(float));
}

void BenchSwiGlu(benchmark::State& state, const KernelTable* table, int64_t n) {
  Floats gate = Random(n, -6, 6), up = Random(n, -1, 1), out(n);
  for (auto _ : state) {
    SwiGlu(*table, gate.data(), up.data(), n, out.data());
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(state.iterations() * n);
}

void BenchSoftmax(benchmark::State& state, const KernelTable* table, int64_t n) {
  Floats input = Random(n, -10, 10), x(n);
  for (auto _ : state) {
    std::copy(input.begin(), input.end(), x.begin());
    SoftmaxInplace(*table, x.data(), n);
    benchmark::DoNotOptimize(x.data());
  }
  state.SetItemsProcessed(state.iterations() * n);
}

void BenchRope(benchmark::State& state, const KernelTable* table, RopeStyle style) {
  constexpr int kHeads = 32, kHeadDim = 64;
  Floats x = Random(kHeads * kHeadDim, -1, 1);
  const int32_t position = 300;
  const RopeParams params{.head_dim = kHeadDim, .n_rot = kHeadDim, .freq_base = 10000.0f, .style = style};
  for (auto _ : state) {
    RopeInplace(*table, x.data(), 1, kHeads, &position, params);
    benchmark::DoNotOptimize(x.data());
  }
  state.SetItemsProcessed(state.iterations() * kHeads * kHeadDim);
}

// The attention inner loops over one key block as the driver calls them
// (TinyLlama: head_dim 64, rows 4 KV heads × 64 floats apart).
void BenchAttentionScores(benchmark::State& state, const KernelTable* table, int64_t n_keys, int64_t kStride) {
  constexpr int kHeadDim = 64;
  const Floats q = Random(kHeadDim, -1, 1), k = Random(n_keys * kStride, -1, 1);
  Floats scores(n_keys);
  for (auto _ : state) {
    table->floats.attention_scores(q.data(), k.data(), kStride, n_keys, kHeadDim, 0.125f, scores.data());
    benchmark::DoNotOptimize(scores.data());
  }
  state.SetItemsProcessed(state.iterations() * n_keys);
}

void BenchAttentionAccumulate(benchmark::State& state, const KernelTable* table, int64_t n_keys, int64_t kStride) {
  constexpr int kHeadDim = 64;
  const Floats weights = Random(n_keys, 0, 1), v = Random(n_keys * kStride, -1, 1);
  Floats acc(kHeadDim);
  for (auto _ : state) {
    table->floats.attention_accumulate(weights.data(), v.data(), kStride, n_keys, kHeadDim, acc.data());
    benchmark::DoNotOptimize(acc.data());
  }
  state.SetItemsProcessed(state.iterations() * n_keys);
}

// TinyLlama attention: n_tokens queries at positions pos0 .. pos0 + n_tokens - 1.
void BenchAttention(benchmark::State& state, const KernelTable* table, int64_t n_tokens, int64_t pos0, int n_threads) {
  constexpr int kHeads = 32, kKvHeads = 4, kHeadDim = 64;
  const int64_t n_ctx = pos0 + n_tokens;
  const Floats q = Random(n_tokens * kHeads * kHeadDim, -1, 1);
  const Floats k = Random(n_ctx * kKvHeads * kHeadDim, -1, 1);
  const Floats v = Random(n_ctx * kKvHeads * kHeadDim, -1, 1);
  Floats out(q.size());
  ThreadPool pool(n_threads);
  const AttentionShape shape{kHeads, kKvHeads, kHeadDim, 1.0f / std::sqrt(static_cast<float>(kHeadDim))};
  for (auto _ : state) {
    AttentionCausal(*table, q.data(), n_tokens, pos0, k.data(), v.data(), shape, out.data(), pool);
    benchmark::DoNotOptimize(out.data());
  }
  // Two multiply-adds (q·k and p·v) per (token, head, key, dim).
  const double keys = static_cast<double>(n_tokens) * pos0 + n_tokens * (n_tokens + 1) / 2.0;
  state.counters["GFLOPS"] =
      benchmark::Counter(keys * kHeads * kHeadDim * 4.0 * state.iterations() / 1e9, benchmark::Counter::kIsRate);
}

const bool kRegistered = [] {
  for (Isa isa : {Isa::kScalar, Isa::kAvx2, Isa::kAvx512}) {
    const KernelTable* table = KernelsFor(isa);
    if (table == nullptr) continue;
    const std::string isa_name = IsaName(isa);
    benchmark::RegisterBenchmark(("RmsNorm/" + isa_name + "/2048").c_str(), BenchRmsNorm, table, 2048);
    benchmark::RegisterBenchmark(("SwiGlu/" + isa_name + "/5632").c_str(), BenchSwiGlu, table, 5632);
    benchmark::RegisterBenchmark(("Softmax/" + isa_name + "/2048").c_str(), BenchSoftmax, table, 2048);
    benchmark::RegisterBenchmark(("RopeNormal/" + isa_name + "/32x64").c_str(), BenchRope, table, RopeStyle::kNormal);
    benchmark::RegisterBenchmark(("RopeNeox/" + isa_name + "/32x64").c_str(), BenchRope, table, RopeStyle::kNeox);
    for (int64_t stride : {64, 256}) {
      const std::string shape = "/64x48/stride:" + std::to_string(stride);
      benchmark::RegisterBenchmark(("AttentionScores/" + isa_name + shape).c_str(), BenchAttentionScores, table, 48,
                                   stride);
      benchmark::RegisterBenchmark(("AttentionAccumulate/" + isa_name + shape).c_str(), BenchAttentionAccumulate, table,
                                   48, stride);
    }
    for (int n_threads : {1, 2}) {
      const std::string threads = "/threads:" + std::to_string(n_threads);
      benchmark::RegisterBenchmark(("AttentionPrefill/" + isa_name + "/512" + threads).c_str(), BenchAttention, table,
                                   512, 0, n_threads)
          ->Unit(benchmark::kMillisecond)
          ->UseRealTime();
      for (int64_t cached : {512, 2048}) {
        benchmark::RegisterBenchmark(("AttentionDecode/" + isa_name + "/" + std::to_string(cached) + threads).c_str(),
                                     BenchAttention, table, 1, cached, n_threads)
            ->Unit(benchmark::kMicrosecond)
            ->UseRealTime();
      }
    }
  }
  return true;
}();

}  // namespace
}  // namespace fab::kernels
