// MatMul: one algorithm over QuantOps pointers for every ISA (see quant_ops.h).
// Integer path: quantize x once per call (parallel over tokens), then each
// thread takes whole panels of kTileRows weight rows, decodes a panel once and
// runs every token (GEMV) or every kTileTokens-token tile (GEMM) against it,
// so each weight byte is read from memory once per call.
// Packed path (packed_weights.h: q4_0 / q8_0 / q4_K / q5_K / q6_K panels):
// activations quantized once (q8_K-style for the K-quants) into dense tiles
// of up to kTileTokens tokens, then one kernel call per
// (16-row panel, token tile) with rows in lanes: no decode, no threshold
// between generation and GEMM.
#include "kernels/matmul.h"

#include <algorithm>
#include <cstring>
#include <functional>
#include <utility>
#include <vector>

#include "base/aligned_buffer.h"
#include "base/check.h"
#include "kernels/packed_weights.h"
#include "kernels/quant_blocks.h"

namespace fab::kernels {
namespace {

// Below this many tokens a GEMM tile would waste most of its lanes.
constexpr int64_t kMinTokensForGemm = 4;
// Packed path: activations of at most this many elements are quantized by
// the calling thread alone (a generation step of 16 sequences is 90K for a
// 5632-wide input).
constexpr int64_t kMaxInlineQuantizeElements = int64_t{1} << 17;
// Float-path K chunk: a decoded [kFloatKChunk][kTileRows] panel stays in L1/L2.
constexpr int64_t kFloatKChunk = 512;

enum ScratchSlot { kActivationSlot = 0, kPanelSlot = 1, kAccumulatorSlot = 2 };

// A grow-only 64-byte aligned buffer per thread and slot (pool threads live
// as long as the pool, so buffers are reused across calls).
uint8_t* ThreadScratch(ScratchSlot slot, size_t bytes) {
  thread_local AlignedBuffer buffers[3];
  AlignedBuffer& buffer = buffers[slot];
  if (buffer.size() < bytes) buffer = AlignedBuffer(bytes + bytes / 4);
  return buffer.data();
}

size_t RoundUp64(size_t bytes) { return (bytes + 63) / 64 * 64; }

// Carves consecutive 64-byte aligned arrays out of one buffer; over a null
// buffer it only measures (every pointer it returns is then null).
class Carver {
 public:
  explicit Carver(uint8_t* base) : base_(base) {}
  template <typename T>
  T* Take(size_t count) {
    T* result = base_ == nullptr ? nullptr : reinterpret_cast<T*>(base_ + used_);
    used_ += RoundUp64(count * sizeof(T));
    return result;
  }
  size_t used() const { return used_; }

 private:
  uint8_t* base_;
  size_t used_ = 0;
};

// All quantized activations of a call: row-major rows, then GEMM tiles.
struct ActivationBuffers {
  int8_t* q;
  float* scale;
  int32_t* bias;
  float* scaled_sum;
  int8_t* tile_q;
  float* tile_scale;
  int32_t* tile_bias;
  float* tile_scaled_sum;
  int64_t n_in;
  int64_t n_blocks;

  ActRow Row(int64_t t) const {
    return ActRow{q + t * n_in, scale + t * n_blocks, bias + t * n_blocks, scaled_sum + t * n_blocks};
  }
  ActTile Tile(int64_t tile) const {
    const int64_t n = n_blocks * kTileTokens;
    return ActTile{tile_q + tile * n_in * kTileTokens, tile_scale + tile * n, tile_bias + tile * n,
                   tile_scaled_sum + tile * n};
  }
};

ActivationBuffers CarveActivations(uint8_t* base, int64_t n_in, int64_t n_blocks, int64_t n_tokens,
                                   int64_t n_tiles, size_t* bytes) {
  Carver carver(base);
  ActivationBuffers buffers;
  buffers.n_in = n_in;
  buffers.n_blocks = n_blocks;
  buffers.q = carver.Take<int8_t>(n_tokens * n_in);
  buffers.scale = carver.Take<float>(n_tokens * n_blocks);
  buffers.bias = carver.Take<int32_t>(n_tokens * n_blocks);
  buffers.scaled_sum = carver.Take<float>(n_tokens * n_blocks);
  buffers.tile_q = carver.Take<int8_t>(n_tiles * n_in * kTileTokens);
  buffers.tile_scale = carver.Take<float>(n_tiles * n_blocks * kTileTokens);
  buffers.tile_bias = carver.Take<int32_t>(n_tiles * n_blocks * kTileTokens);
  buffers.tile_scaled_sum = carver.Take<float>(n_tiles * n_blocks * kTileTokens);
  *bytes = carver.used();
  return buffers;
}

// Interleaves kTileTokens activation rows into the ActTile layout.
void PackActivationTile(const ActivationBuffers& act, int64_t tile, int64_t n_tokens) {
  const int64_t per_tile = act.n_blocks * kTileTokens;
  int8_t* q = act.tile_q + tile * act.n_in * kTileTokens;
  float* scale = act.tile_scale + tile * per_tile;
  int32_t* bias = act.tile_bias + tile * per_tile;
  float* scaled_sum = act.tile_scaled_sum + tile * per_tile;
  for (int t = 0; t < kTileTokens; ++t) {
    const int64_t token = tile * kTileTokens + t;
    const bool valid = token < n_tokens;
    const ActRow src = act.Row(valid ? token : 0);
    for (int64_t b = 0; b < act.n_blocks; ++b) {
      scale[b * kTileTokens + t] = valid ? src.scale[b] : 0.0f;
      bias[b * kTileTokens + t] = valid ? src.bias[b] : 0;
      scaled_sum[b * kTileTokens + t] = valid ? src.scaled_sum[b] : 0.0f;
    }
    for (int64_t group = 0; group < act.n_in / 4; ++group) {
      // group = block * (block_len / 4) + group_in_block; the tile keeps that order.
      int8_t* out = q + (group * kTileTokens + t) * 4;
      if (valid) {
        std::memcpy(out, src.q + group * 4, 4);
      } else {
        std::memset(out, 0, 4);
      }
    }
  }
}

// Copies acc [kTileRows][kTileTokens] into y [n_tokens, n_out] at the tile's place.
void StoreTile(const float* acc, int64_t row_begin, int64_t n_rows, int64_t token_begin, int64_t n_tokens_valid,
               int64_t n_out, float* y) {
  for (int64_t t = 0; t < n_tokens_valid; ++t) {
    float* out = y + (token_begin + t) * n_out + row_begin;
    for (int64_t r = 0; r < n_rows; ++r) out[r] = acc[r * kTileTokens + t];
  }
}

IntPanel CarvePanel(uint8_t* base, int64_t n_in, int64_t n_blocks, size_t* bytes) {
  Carver carver(base);
  IntPanel panel;
  panel.codes = carver.Take<uint8_t>(n_in * kTileRows);
  panel.scales = carver.Take<float>(n_blocks * kTileRows);
  panel.mins = carver.Take<float>(n_blocks * kTileRows);
  *bytes = carver.used();
  return panel;
}

// Activation buffers for a call, carved from the calling thread's scratch.
ActivationBuffers ScratchActivations(int64_t n_in, int64_t n_blocks, int64_t n_tokens, int64_t n_tiles) {
  size_t bytes = 0;
  CarveActivations(nullptr, n_in, n_blocks, n_tokens, n_tiles, &bytes);
  return CarveActivations(ThreadScratch(kActivationSlot, bytes), n_in, n_blocks, n_tokens, n_tiles, &bytes);
}

// Quantizes x once (rows, then GEMM tiles when n_tiles > 0) into the calling
// thread's scratch; the result lives until this thread's next MatMul.
ActivationBuffers QuantizeActivations(const QuantOps& ops, const IntBlockFormat& format, const float* x,
                                      int64_t n_in, int64_t n_tokens, int64_t n_tiles, ThreadPool& pool) {
  const ActivationBuffers act = ScratchActivations(n_in, n_in / format.block_len, n_tokens, n_tiles);
  pool.ParallelFor(n_tokens, 1, [&](int64_t begin, int64_t end) {
    for (int64_t t = begin; t < end; ++t) ops.quantize_activation_row(format, x + t * n_in, n_in, act.Row(t));
  });
  if (n_tiles > 0) {
    pool.ParallelFor(n_tiles, 1, [&](int64_t begin, int64_t end) {
      for (int64_t tile = begin; tile < end; ++tile) PackActivationTile(act, tile, n_tokens);
    });
  }
  return act;
}

void IntMatMul(const QuantOps& ops, const IntBlockFormat& format, const TensorView& w, const float* x,
               int64_t n_tokens, float* y, ThreadPool& pool) {
  const int64_t n_in = w.row_length();
  const int64_t n_out = w.n_rows();
  const int64_t row_bytes = w.row_bytes();
  const int64_t n_blocks = n_in / format.block_len;
  const bool use_gemm = n_tokens >= kMinTokensForGemm;
  const int64_t n_tiles = use_gemm ? (n_tokens + kTileTokens - 1) / kTileTokens : 0;
  const ActivationBuffers act = QuantizeActivations(ops, format, x, n_in, n_tokens, n_tiles, pool);

  const int64_t n_panels = (n_out + kTileRows - 1) / kTileRows;
  pool.ParallelFor(n_panels, 1, [&](int64_t begin, int64_t end) {
    size_t panel_bytes = 0;
    CarvePanel(nullptr, n_in, n_blocks, &panel_bytes);
    const IntPanel panel = CarvePanel(ThreadScratch(kPanelSlot, panel_bytes), n_in, n_blocks, &panel_bytes);
    alignas(64) float acc[kTileRows * kTileTokens];
    for (int64_t p = begin; p < end; ++p) {
      const int64_t row_begin = p * kTileRows;
      const int n_rows = static_cast<int>(std::min<int64_t>(kTileRows, n_out - row_begin));
      if (!use_gemm) {  // generation: stream the raw rows once per token
        for (int64_t t = 0; t < n_tokens; ++t) {
          ops.int_gemv_rows(w.dtype, w.row(row_begin), row_bytes, n_rows, n_in, act.Row(t), panel,
                            y + t * n_out + row_begin);
        }
        continue;
      }
      ops.decode_panel(w.dtype, w.row(row_begin), row_bytes, n_rows, n_in, panel);
      for (int64_t tile = 0; tile < n_tiles; ++tile) {
        ops.int_gemm_tile(format, panel, act.Tile(tile), n_blocks, acc);
        const int64_t token_begin = tile * kTileTokens;
        StoreTile(acc, row_begin, n_rows, token_begin, std::min<int64_t>(kTileTokens, n_tokens - token_begin), n_out,
                  y);
      }
    }
  });
}

// What a packed call's activations look like per token: n_scales scales and
// n_scales * sums_per_scale int32 sums (ActRow::bias), made by quantize_row.
struct DenseActFormat {
  int64_t n_scales;
  int sums_per_scale;
  std::function<void(const float* x, const ActRow& out)> quantize_row;
};

// Quantizes each token's row and copies it into the dense tile of its
// kTileTokens-token group, parallel over tokens: tile i holds
// n = min(kTileTokens, n_tokens - i * kTileTokens) tokens as
// q [n_in / 32][8][n][4], scale [n_scales][n] and bias
// [n_scales][n][sums_per_scale] (the layout packed_gemm_panel reads), at the
// offsets ActivationBuffers::Tile gives (carved for n_in / 32 blocks, which
// holds the K-quants' fewer scales and sums too).
void QuantizeTokenIntoTile(const DenseActFormat& format, const float* x, int64_t n_in, int64_t n_tokens,
                           int64_t token, const ActivationBuffers& act) {
  const int64_t n_blocks = n_in / kQk32;
  const int per = format.sums_per_scale;
  const ActRow row = act.Row(token);
  format.quantize_row(x + token * n_in, row);
  const int64_t tile_idx = token / kTileTokens;
  const int64_t slot = token % kTileTokens;
  const int64_t n = std::min<int64_t>(kTileTokens, n_tokens - tile_idx * kTileTokens);
  float* scale = act.tile_scale + tile_idx * n_blocks * kTileTokens;
  int32_t* bias = act.tile_bias + tile_idx * n_blocks * kTileTokens;
  for (int64_t b = 0; b < format.n_scales; ++b) {
    scale[b * n + slot] = row.scale[b];
    std::memcpy(bias + (b * n + slot) * per, row.bias + b * per, per * sizeof(int32_t));
  }
  int8_t* q = act.tile_q + tile_idx * n_in * kTileTokens;
  for (int64_t group = 0; group < n_in / 4; ++group) {
    std::memcpy(q + (group * n + slot) * 4, row.q + group * 4, 4);
  }
}

ActivationBuffers QuantizeIntoDenseTiles(const DenseActFormat& format, const float* x, int64_t n_in,
                                         int64_t n_tokens, int64_t n_tiles, ThreadPool& pool) {
  const ActivationBuffers act = ScratchActivations(n_in, n_in / kQk32, n_tokens, n_tiles);
  const auto quantize_tokens = [&](int64_t begin, int64_t end) {
    for (int64_t token = begin; token < end; ++token) QuantizeTokenIntoTile(format, x, n_in, n_tokens, token, act);
  };
  if (n_tokens * n_in <= kMaxInlineQuantizeElements) {
    quantize_tokens(0, n_tokens);  // a few microseconds: cheaper than waking the pool
  } else {
    pool.ParallelFor(n_tokens, 1, quantize_tokens);
  }
  return act;
}

// The activation format of a packed dtype: q4_0 / q8_0 blocks of 32 with one
// scale and bias each; the K-quants q8_K-style (quant_ops.h KActSumLength).
DenseActFormat PackedActFormat(const QuantOps& ops, DType packed_dtype, int64_t n_in) {
  if (IsPackedKQuant(packed_dtype)) {
    const int sum_len = KActSumLength(packed_dtype);
    const auto quantize = [&ops, sum_len, n_in](const float* x, const ActRow& out) {
      ops.quantize_activation_row_k(sum_len, x, n_in, out);
    };
    return DenseActFormat{n_in / kQkK, KActSumPairs(packed_dtype), quantize};
  }
  IntBlockFormat format;
  FAB_CHECK(LookupIntBlockFormat(UnpackedDTypeOf(packed_dtype), &format));
  return DenseActFormat{n_in / format.block_len, 1, [&ops, format, n_in](const float* x, const ActRow& out) {
                          ops.quantize_activation_row(format, x, n_in, out);
                        }};
}

// Packed weights (packed_weights.h): work items are (panel, token tile)
// pairs, panel-major, so each thread keeps its panels hot while it runs every
// tile against them and 2 threads stay busy even for 16-panel matrices.
void PackedMatMul(const QuantOps& ops, const TensorView& w, const float* x, int64_t n_tokens, float* y,
                  ThreadPool& pool) {
  const int64_t n_in = w.row_length();
  const int64_t n_out = w.n_rows();
  const DenseActFormat format = PackedActFormat(ops, w.dtype, n_in);
  const int64_t n_blocks = format.n_scales;
  const int64_t n_tiles = (n_tokens + kTileTokens - 1) / kTileTokens;
  const ActivationBuffers act = QuantizeIntoDenseTiles(format, x, n_in, n_tokens, n_tiles, pool);
  const int64_t n_panels = n_out / kPanelRows;
  pool.ParallelFor(n_panels * n_tiles, 1, [&](int64_t begin, int64_t end) {
    for (int64_t item = begin; item < end; ++item) {
      const int64_t panel = item / n_tiles;
      const int64_t tile = item % n_tiles;
      const int64_t token_begin = tile * kTileTokens;
      const int n_tile_tokens = static_cast<int>(std::min<int64_t>(kTileTokens, n_tokens - token_begin));
      ops.packed_gemm_panel(w.dtype, w.row(panel * kPanelRows), n_blocks, act.Tile(tile), n_tile_tokens,
                            y + token_begin * n_out + panel * kPanelRows, n_out);
    }
  });
}

// MatMulGrouped over packed tasks: activations of every task quantized
// into one scratch buffer (in one parallel pass over all tokens), then one
// parallel job over every task's (panel, token tile) pairs, task-major.
void PackedMatMulGrouped(const QuantOps& ops, std::span<const MatMulTask* const> tasks, ThreadPool& pool) {
  struct Prepared {
    DenseActFormat format;
    int64_t n_tiles = 0;
    int64_t first_item = 0;    // of this task's pairs in the job
    int64_t act_task = 0;      // the task whose activations this one reads
    size_t act_offset = 0;     // of those activations in the scratch buffer
  };
  std::vector<Prepared> prepared(tasks.size());
  size_t total_bytes = 0;
  int64_t n_items = 0;
  for (size_t i = 0; i < tasks.size(); ++i) {
    const MatMulTask& task = *tasks[i];
    const int64_t n_in = task.w.row_length();
    Prepared& p = prepared[i];
    p.format = PackedActFormat(ops, task.w.dtype, n_in);
    p.n_tiles = (task.n_tokens + kTileTokens - 1) / kTileTokens;
    p.first_item = n_items;
    n_items += task.w.n_rows() / kPanelRows * p.n_tiles;
    const MatMulTask* previous = i > 0 ? tasks[i - 1] : nullptr;
    if (previous != nullptr && previous->x == task.x && previous->n_tokens == task.n_tokens &&
        previous->w.dtype == task.w.dtype && previous->w.row_length() == n_in) {
      p.act_task = prepared[i - 1].act_task;
      p.act_offset = prepared[i - 1].act_offset;
      continue;
    }
    p.act_task = static_cast<int64_t>(i);
    p.act_offset = total_bytes;
    size_t bytes = 0;
    CarveActivations(nullptr, n_in, n_in / kQk32, task.n_tokens, p.n_tiles, &bytes);
    total_bytes += bytes;
  }
  uint8_t* scratch = ThreadScratch(kActivationSlot, total_bytes);
  const auto activations = [&](size_t i) {
    const MatMulTask& task = *tasks[i];
    const int64_t n_in = task.w.row_length();
    size_t bytes = 0;
    return CarveActivations(scratch + prepared[i].act_offset, n_in, n_in / kQk32, task.n_tokens,
                            prepared[i].n_tiles, &bytes);
  };

  // Every token of every task that owns its activations, in one list.
  std::vector<std::pair<int32_t, int32_t>> tokens;  // (task, token)
  int64_t elements = 0;
  for (size_t i = 0; i < tasks.size(); ++i) {
    if (prepared[i].act_task != static_cast<int64_t>(i)) continue;
    for (int64_t t = 0; t < tasks[i]->n_tokens; ++t) tokens.emplace_back(static_cast<int32_t>(i), t);
    elements += tasks[i]->n_tokens * tasks[i]->w.row_length();
  }
  const auto quantize = [&](int64_t begin, int64_t end) {
    for (int64_t j = begin; j < end; ++j) {
      const auto [i, token] = tokens[static_cast<size_t>(j)];
      const MatMulTask& task = *tasks[static_cast<size_t>(i)];
      QuantizeTokenIntoTile(prepared[static_cast<size_t>(i)].format, task.x, task.w.row_length(), task.n_tokens,
                            token, activations(static_cast<size_t>(i)));
    }
  };
  if (elements <= kMaxInlineQuantizeElements) {
    quantize(0, static_cast<int64_t>(tokens.size()));
  } else {
    pool.ParallelFor(static_cast<int64_t>(tokens.size()), 1, quantize);
  }

  pool.ParallelFor(n_items, 1, [&](int64_t begin, int64_t end) {
    size_t i = static_cast<size_t>(
        std::upper_bound(prepared.begin(), prepared.end(), begin,
                         [](int64_t item, const Prepared& p) { return item < p.first_item; }) -
        prepared.begin() - 1);
    ActivationBuffers act = activations(i);
    for (int64_t item = begin; item < end; ++item) {
      while (i + 1 < prepared.size() && item >= prepared[i + 1].first_item) act = activations(++i);
      const MatMulTask& task = *tasks[i];
      const Prepared& p = prepared[i];
      const int64_t local = item - p.first_item;
      const int64_t panel = local / p.n_tiles;
      const int64_t tile = local % p.n_tiles;
      const int64_t n_out = task.w.n_rows();
      const int64_t token_begin = tile * kTileTokens;
      const int n_tile_tokens = static_cast<int>(std::min<int64_t>(kTileTokens, task.n_tokens - token_begin));
      ops.packed_gemm_panel(task.w.dtype, task.w.row(panel * kPanelRows), p.format.n_scales, act.Tile(tile),
                            n_tile_tokens, task.y + token_begin * n_out + panel * kPanelRows, n_out);
    }
  });
}

// x [n_tokens, n_in] → tiles [n_tiles][n_in][kTileTokens], zero past the end.
void PackFloatTiles(const float* x, int64_t n_tokens, int64_t n_in, int64_t n_tiles, float* tiles, ThreadPool& pool) {
  pool.ParallelFor(n_tiles, 1, [&](int64_t begin, int64_t end) {
    for (int64_t tile = begin; tile < end; ++tile) {
      float* out = tiles + tile * n_in * kTileTokens;
      for (int t = 0; t < kTileTokens; ++t) {
        const int64_t token = tile * kTileTokens + t;
        for (int64_t k = 0; k < n_in; ++k) out[k * kTileTokens + t] = token < n_tokens ? x[token * n_in + k] : 0.0f;
      }
    }
  });
}

void FloatMatMul(const QuantOps& ops, const TensorView& w, const float* x, int64_t n_tokens, float* y,
                 ThreadPool& pool) {
  const int64_t n_in = w.row_length();
  const int64_t n_out = w.n_rows();
  const int64_t row_bytes = w.row_bytes();
  const int64_t n_panels = (n_out + kTileRows - 1) / kTileRows;
  if (n_tokens < kMinTokensForGemm) {
    pool.ParallelFor(n_panels, 1, [&](int64_t begin, int64_t end) {
      for (int64_t p = begin; p < end; ++p) {
        const int64_t row_begin = p * kTileRows;
        const int n_rows = static_cast<int>(std::min<int64_t>(kTileRows, n_out - row_begin));
        for (int64_t t = 0; t < n_tokens; ++t) {
          ops.float_dot_rows(w.dtype, w.row(row_begin), row_bytes, n_rows, x + t * n_in, n_in,
                             y + t * n_out + row_begin);
        }
      }
    });
    return;
  }
  const int64_t n_tiles = (n_tokens + kTileTokens - 1) / kTileTokens;
  auto* tiles = reinterpret_cast<float*>(ThreadScratch(kActivationSlot, n_tiles * n_in * kTileTokens * sizeof(float)));
  PackFloatTiles(x, n_tokens, n_in, n_tiles, tiles, pool);
  pool.ParallelFor(n_panels, 1, [&](int64_t begin, int64_t end) {
    auto* panel = reinterpret_cast<float*>(ThreadScratch(kPanelSlot, kFloatKChunk * kTileRows * sizeof(float)));
    const int64_t acc_floats = n_tiles * kTileRows * kTileTokens;
    auto* acc = reinterpret_cast<float*>(ThreadScratch(kAccumulatorSlot, acc_floats * sizeof(float)));
    for (int64_t p = begin; p < end; ++p) {
      const int64_t row_begin = p * kTileRows;
      const int n_rows = static_cast<int>(std::min<int64_t>(kTileRows, n_out - row_begin));
      std::memset(acc, 0, acc_floats * sizeof(float));
      for (int64_t k_begin = 0; k_begin < n_in; k_begin += kFloatKChunk) {
        const int64_t k_len = std::min(kFloatKChunk, n_in - k_begin);
        ops.decode_float_panel(w.dtype, w.row(row_begin), row_bytes, n_rows, k_begin, k_len, panel);
        for (int64_t tile = 0; tile < n_tiles; ++tile) {
          ops.float_gemm_tile(panel, tiles + (tile * n_in + k_begin) * kTileTokens, k_len,
                              acc + tile * kTileRows * kTileTokens);
        }
      }
      for (int64_t tile = 0; tile < n_tiles; ++tile) {
        const int64_t token_begin = tile * kTileTokens;
        StoreTile(acc + tile * kTileRows * kTileTokens, row_begin, n_rows, token_begin,
                  std::min<int64_t>(kTileTokens, n_tokens - token_begin), n_out, y);
      }
    }
  });
}

}  // namespace

void MatMul(const KernelTable& table, const TensorView& w, const float* x, int64_t n_tokens, float* y,
            ThreadPool& pool) {
  const DTypeInfo& info = GetDTypeInfo(w.dtype);
  FAB_CHECK(info.computable && w.row_length() % info.block_size == 0) << "MatMul over " << info.name;
  if (n_tokens <= 0 || w.n_rows() <= 0) return;
  if (IsPackedDType(w.dtype)) {
    FAB_CHECK(w.n_rows() % kPanelRows == 0) << "packed matrix of " << w.n_rows() << " rows";
    PackedMatMul(table.quant, w, x, n_tokens, y, pool);
    return;
  }
  IntBlockFormat format;
  if (LookupIntBlockFormat(w.dtype, &format)) {
    IntMatMul(table.quant, format, w, x, n_tokens, y, pool);
  } else {
    FAB_CHECK(w.dtype == DType::kF32 || w.dtype == DType::kF16 || w.dtype == DType::kBF16);
    FloatMatMul(table.quant, w, x, n_tokens, y, pool);
  }
}

void MatMul(const TensorView& w, const float* x, int64_t n_tokens, float* y, ThreadPool& pool) {
  MatMul(ActiveKernels(), w, x, n_tokens, y, pool);
}

void MatMulGrouped(const KernelTable& table, std::span<const MatMulTask> tasks, ThreadPool& pool) {
  std::vector<const MatMulTask*> packed;
  for (const MatMulTask& task : tasks) {
    if (task.n_tokens <= 0 || task.w.n_rows() <= 0) continue;
    if (!IsPackedDType(task.w.dtype)) {
      MatMul(table, task.w, task.x, task.n_tokens, task.y, pool);
      continue;
    }
    FAB_CHECK(task.w.n_rows() % kPanelRows == 0) << "packed matrix of " << task.w.n_rows() << " rows";
    packed.push_back(&task);
  }
  if (!packed.empty()) PackedMatMulGrouped(table.quant, packed, pool);
}

void MatMulGrouped(std::span<const MatMulTask> tasks, ThreadPool& pool) {
  MatMulGrouped(ActiveKernels(), tasks, pool);
}

}  // namespace fab::kernels
