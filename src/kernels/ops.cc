// The ops of ops.h: shape checks, per-token RoPE tables and the attention
// driver (online softmax over key blocks) around the FloatOps kernels of one
// KernelTable.
#include "kernels/ops.h"

#include <cmath>
#include <cstring>
#include <limits>
#include <vector>

#include "base/aligned_buffer.h"
#include "base/check.h"

namespace fab::kernels {
namespace {

// Bytes of K plus V rows per key block: small enough that the rows stay in
// L1 while every query head of a GQA slice walks over them.
constexpr int64_t kKeyBlockBytes = 24 * 1024;
constexpr int64_t kMinKeysPerBlock = 16;
constexpr int64_t kMaxKeysPerBlock = 256;

int64_t KeysPerBlock(int head_dim) {
  const int64_t keys = kKeyBlockBytes / (2 * static_cast<int64_t>(sizeof(float)) * head_dim) / 16 * 16;
  return keys < kMinKeysPerBlock ? kMinKeysPerBlock : (keys > kMaxKeysPerBlock ? kMaxKeysPerBlock : keys);
}

// Query heads of one token that share a KV head and are processed together,
// so each block of K/V rows is read from memory once for all of them.
struct HeadSlice {
  const float* q;       // [n_heads, head_dim], contiguous
  const float* k_head;  // cache row 0 of the shared KV head; rows kv_stride apart
  const float* v_head;
  float* out;  // [n_heads, head_dim]
  int n_heads;
  int64_t first_kv;  // rows attended: [first_kv, n_kv)
  int64_t n_kv;
};

// Per-thread scratch of the attention driver: the online-softmax state of
// every head of a slice and the packed K/V block, 64-byte aligned arrays.
class AttentionScratch {
 public:
  AttentionScratch(int heads_per_slice, int head_dim, int64_t keys_per_block)
      : scores_size_(RoundUp(keys_per_block)),
        acc_size_(RoundUp(static_cast<int64_t>(heads_per_slice) * head_dim)),
        state_size_(RoundUp(heads_per_slice)),
        block_size_(RoundUp(keys_per_block * head_dim)),
        buffer_((scores_size_ + acc_size_ + 2 * state_size_ + 2 * block_size_) * sizeof(float)) {}

  float* scores() { return buffer_.as<float>(); }               // [keys_per_block]
  float* acc() { return scores() + scores_size_; }              // [heads, head_dim]: Σ exp(s - max) · v
  float* running_max() { return acc() + acc_size_; }            // [heads]
  float* running_sum() { return running_max() + state_size_; }  // [heads]: Σ exp(s - max)
  float* k_block() { return running_sum() + state_size_; }      // [keys_per_block, head_dim]
  float* v_block() { return k_block() + block_size_; }          // [keys_per_block, head_dim]

 private:
  static int64_t RoundUp(int64_t n_floats) { return (n_floats + 15) / 16 * 16; }
  int64_t scores_size_, acc_size_, state_size_, block_size_;
  AlignedBuffer buffer_;
};

// Copies n_rows rows of head_dim floats, `stride` apart, into packed. Cache
// rows 1-2 KiB apart fall into few L1 sets and evict each other; packed, a
// block stays in L1 while every head of a slice walks over it (2x faster
// prefill measured on Sapphire Rapids).
const float* PackRows(const float* rows, int64_t stride, int64_t n_rows, int head_dim, float* packed) {
  for (int64_t row_idx = 0; row_idx < n_rows; ++row_idx) {
    std::memcpy(packed + row_idx * head_dim, rows + row_idx * stride, head_dim * sizeof(float));
  }
  return packed;
}

// Folds one block of n_keys keys into the running softmax of one head.
void AttendBlock(const FloatOps& ops, const float* q_row, const float* k_rows, const float* v_rows, int64_t kv_stride,
                 int64_t n_keys, int head_dim, float scale, float softcap, float* scores, float* acc,
                 float& running_max, float& running_sum) {
  ops.attention_scores(q_row, k_rows, kv_stride, n_keys, head_dim, scale, scores);
  if (softcap > 0.0f) SoftCapInplace(scores, n_keys, softcap);
  const float block_max = ops.max(scores, n_keys);
  if (block_max > running_max) {
    if (running_sum > 0.0f) {
      const float correction = std::exp(running_max - block_max);
      ops.scale(acc, correction, head_dim);
      running_sum *= correction;
    }
    running_max = block_max;
  }
  running_sum += ops.exp_shifted_sum(scores, n_keys, running_max);
  ops.attention_accumulate(scores, v_rows, kv_stride, n_keys, head_dim, acc);
}

// out = softmax(scale · q · Kᵀ) · V for every head of the slice, one key
// block at a time (flash-attention style: running max and sum per head).
void AttendSlice(const FloatOps& ops, const HeadSlice& slice, int64_t kv_stride, int head_dim, float scale,
                 float softcap, int64_t keys_per_block, AttentionScratch& scratch) {
  for (int s = 0; s < slice.n_heads; ++s) {
    scratch.running_max()[s] = -std::numeric_limits<float>::infinity();
    scratch.running_sum()[s] = 0.0f;
  }
  float* acc = scratch.acc();
  for (int64_t i = 0; i < static_cast<int64_t>(slice.n_heads) * head_dim; ++i) acc[i] = 0.0f;
  const bool pack = slice.n_heads > 1;
  for (int64_t block_begin = slice.first_kv; block_begin < slice.n_kv; block_begin += keys_per_block) {
    const int64_t n_keys = slice.n_kv - block_begin < keys_per_block ? slice.n_kv - block_begin : keys_per_block;
    const float* k_rows = slice.k_head + block_begin * kv_stride;
    const float* v_rows = slice.v_head + block_begin * kv_stride;
    int64_t stride = kv_stride;
    if (pack) {
      k_rows = PackRows(k_rows, kv_stride, n_keys, head_dim, scratch.k_block());
      v_rows = PackRows(v_rows, kv_stride, n_keys, head_dim, scratch.v_block());
      stride = head_dim;
    }
    for (int s = 0; s < slice.n_heads; ++s) {
      AttendBlock(ops, slice.q + s * head_dim, k_rows, v_rows, stride, n_keys, head_dim, scale, softcap,
                  scratch.scores(), acc + s * head_dim, scratch.running_max()[s], scratch.running_sum()[s]);
    }
  }
  for (int s = 0; s < slice.n_heads; ++s) {
    ops.scale_by_weight(acc + s * head_dim, nullptr, 1.0f / scratch.running_sum()[s], head_dim,
                        slice.out + s * head_dim);
  }
}

// A whole GQA group per work item, halved while that leaves fewer than
// kItemsPerThread items per thread (decode has one token, so few items).
constexpr int64_t kItemsPerThread = 4;

int HeadsPerSlice(int64_t n_tokens, int n_head, int heads_per_kv, int n_threads) {
  int heads = heads_per_kv;
  while (heads % 2 == 0 && n_tokens * (n_head / heads) < kItemsPerThread * n_threads) heads /= 2;
  return heads;
}

// Later query tokens attend to more keys. Visiting tokens in the order
// 0, n-1, 1, n-2, ... makes every contiguous range of ParallelFor carry about
// the same number of keys.
int64_t ZigzagToken(int64_t order, int64_t n_tokens) { return order % 2 == 0 ? order / 2 : n_tokens - 1 - order / 2; }

}  // namespace

void RmsNorm(const KernelTable& table, const float* x, const float* weight, int64_t n, float eps, float* out) {
  FAB_CHECK(n > 0) << "RmsNorm of an empty row";
  const float mean_square = table.floats.sum_squares(x, n) / static_cast<float>(n);
  const float inverse_rms = 1.0f / std::sqrt(mean_square + eps);
  table.floats.scale_by_weight(x, weight, inverse_rms, n, out);
}

void RmsNorm(const float* x, const float* weight, int64_t n, float eps, float* out) {
  RmsNorm(ActiveKernels(), x, weight, n, eps, out);
}

void RopeCosSin(const RopeParams& params, int32_t position, float* cos, float* sin) {
  const int n_pairs = params.n_rot / 2;
  const float theta_step = std::pow(params.freq_base, -2.0f / static_cast<float>(params.n_rot));
  float theta_unscaled = static_cast<float>(position);
  for (int pair_idx = 0; pair_idx < n_pairs; ++pair_idx) {
    const float factor = params.freq_factors != nullptr ? params.freq_factors[pair_idx] : 1.0f;
    const float theta = params.freq_scale * (theta_unscaled / factor);
    cos[pair_idx] = std::cos(theta);
    sin[pair_idx] = std::sin(theta);
    theta_unscaled *= theta_step;
  }
}

void RopeInplace(const KernelTable& table, float* x, int64_t n_tokens, int n_heads, const int32_t* positions,
                 const RopeParams& params) {
  FAB_CHECK(params.n_rot >= 0 && params.n_rot % 2 == 0 && params.n_rot <= params.head_dim)
      << "n_rot " << params.n_rot << " must be even and at most head_dim " << params.head_dim;
  if (params.n_rot == 0) return;
  const int n_rot = params.n_rot;
  const int n_pairs = n_rot / 2;
  // [cos | sin] per pair, then the interleaved [n_rot] forms for adjacent pairs.
  std::vector<float> tables(2 * n_pairs + 2 * n_rot);
  float* cos = tables.data();
  float* sin = cos + n_pairs;
  float* cos_dup = sin + n_pairs;
  float* sin_signed = cos_dup + n_rot;
  const bool neox = params.style == RopeStyle::kNeox;
  for (int64_t token_idx = 0; token_idx < n_tokens; ++token_idx) {
    RopeCosSin(params, positions[token_idx], cos, sin);
    if (!neox) {
      for (int pair_idx = 0; pair_idx < n_pairs; ++pair_idx) {
        cos_dup[2 * pair_idx] = cos[pair_idx];
        cos_dup[2 * pair_idx + 1] = cos[pair_idx];
        sin_signed[2 * pair_idx] = -sin[pair_idx];
        sin_signed[2 * pair_idx + 1] = sin[pair_idx];
      }
    }
    float* token = x + token_idx * n_heads * params.head_dim;
    for (int head_idx = 0; head_idx < n_heads; ++head_idx) {
      float* head = token + head_idx * params.head_dim;
      if (neox) {
        table.floats.rope_halves(head, cos, sin, n_rot);
      } else {
        table.floats.rope_adjacent_pairs(head, cos_dup, sin_signed, n_rot);
      }
    }
  }
}

void RopeInplace(float* x, int64_t n_tokens, int n_heads, const int32_t* positions, const RopeParams& params) {
  RopeInplace(ActiveKernels(), x, n_tokens, n_heads, positions, params);
}

void SoftmaxInplace(const KernelTable& table, float* x, int64_t n) {
  if (n <= 0) return;
  const float max = table.floats.max(x, n);
  if (max == -std::numeric_limits<float>::infinity()) {
    for (int64_t i = 0; i < n; ++i) x[i] = 0.0f;
    return;
  }
  const float sum = table.floats.exp_shifted_sum(x, n, max);
  table.floats.scale(x, 1.0f / sum, n);
}

void SoftmaxInplace(float* x, int64_t n) { SoftmaxInplace(ActiveKernels(), x, n); }

void SoftCapInplace(float* x, int64_t n, float cap) {
  const float inverse = 1.0f / cap;
  for (int64_t i = 0; i < n; ++i) x[i] = cap * std::tanh(x[i] * inverse);
}

void GeGlu(const KernelTable& table, const float* gate, const float* up, int64_t n, float* out) {
  table.floats.geglu(gate, up, n, out);
}

void GeGlu(const float* gate, const float* up, int64_t n, float* out) { GeGlu(ActiveKernels(), gate, up, n, out); }

void SwiGlu(const KernelTable& table, const float* gate, const float* up, int64_t n, float* out) {
  table.floats.swiglu(gate, up, n, out);
}

void SwiGlu(const float* gate, const float* up, int64_t n, float* out) { SwiGlu(ActiveKernels(), gate, up, n, out); }

void AttentionCausal(const KernelTable& table, const float* q, int64_t n_tokens, int64_t pos0, const float* k_cache,
                     const float* v_cache, const AttentionShape& shape, float* out, ThreadPool& pool) {
  FAB_CHECK(shape.n_head > 0 && shape.n_head_kv > 0 && shape.n_head % shape.n_head_kv == 0)
      << "n_head " << shape.n_head << " must be a positive multiple of n_head_kv " << shape.n_head_kv;
  FAB_CHECK(shape.head_dim > 0 && pos0 >= 0 && n_tokens >= 0);
  const int head_dim = shape.head_dim;
  const int heads_per_kv = shape.n_head / shape.n_head_kv;
  const int heads_per_slice = HeadsPerSlice(n_tokens, shape.n_head, heads_per_kv, pool.n_threads());
  const int64_t slices_per_token = shape.n_head / heads_per_slice;
  const int64_t kv_stride = static_cast<int64_t>(shape.n_head_kv) * head_dim;
  const int64_t keys_per_block = KeysPerBlock(head_dim);
  const FloatOps& ops = table.floats;
  pool.ParallelFor(n_tokens * slices_per_token, 1, [&](int64_t begin, int64_t end) {
    AttentionScratch scratch(heads_per_slice, head_dim, keys_per_block);
    for (int64_t item = begin; item < end; ++item) {
      const int64_t token_idx = ZigzagToken(item / slices_per_token, n_tokens);
      const int64_t head_idx = item % slices_per_token * heads_per_slice;
      const int64_t kv_offset = head_idx / heads_per_kv * head_dim;
      const int64_t row = (token_idx * shape.n_head + head_idx) * head_dim;
      const int64_t position = pos0 + token_idx;
      const HeadSlice slice{q + row,         k_cache + kv_offset,
                            v_cache + kv_offset,
                            out + row,       heads_per_slice,
                            FirstAttendedPosition(shape, position), position + 1};
      AttendSlice(ops, slice, kv_stride, head_dim, shape.scale, shape.softcap, keys_per_block, scratch);
    }
  });
}

void AttentionCausal(const float* q, int64_t n_tokens, int64_t pos0, const float* k_cache, const float* v_cache,
                     const AttentionShape& shape, float* out, ThreadPool& pool) {
  AttentionCausal(ActiveKernels(), q, n_tokens, pos0, k_cache, v_cache, shape, out, pool);
}

}  // namespace fab::kernels
