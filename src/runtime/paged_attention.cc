// Online softmax (running max and sum per head) over chunks of keys gathered
// from the pages: each chunk is converted to float32 once and then walked by
// every query head that shares its KV head.
#include "runtime/paged_attention.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "base/check.h"
#include "kernels/dispatch.h"

namespace fab::runtime {
namespace {

// Keys converted per chunk: K and V of 128 keys × head_dim 128 are 128 KiB,
// within L2 while the heads of a GQA group walk them.
constexpr int64_t kTargetKeysPerChunk = 128;

// Per-thread float32 scratch, grown on demand and reused across calls.
struct Scratch {
  std::vector<float> keys, values, scores, acc, running_max, running_sum;

  void Reserve(int64_t keys_per_chunk, int heads_per_kv, int head_dim) {
    const size_t chunk = static_cast<size_t>(keys_per_chunk * head_dim);
    if (keys.size() < chunk) {
      keys.resize(chunk);
      values.resize(chunk);
    }
    if (scores.size() < static_cast<size_t>(keys_per_chunk)) scores.resize(static_cast<size_t>(keys_per_chunk));
    const size_t acc_size = static_cast<size_t>(heads_per_kv) * static_cast<size_t>(head_dim);
    if (acc.size() < acc_size) acc.resize(acc_size);
    if (running_max.size() < static_cast<size_t>(heads_per_kv)) {
      running_max.resize(static_cast<size_t>(heads_per_kv));
      running_sum.resize(static_cast<size_t>(heads_per_kv));
    }
  }
};

Scratch& ThreadScratch() {
  thread_local Scratch scratch;
  return scratch;
}

// Converts the keys and values of positions [begin, end) of one KV head into
// scratch.keys / scratch.values, packed [end - begin, head_dim].
void GatherChunk(const KvPages& pages, int64_t layer_idx, std::span<const kvcache::BlockId> block_ids,
                 int64_t kv_head, int64_t begin, int64_t end, Scratch& scratch) {
  const int32_t block_size = pages.shape().block_size;
  const int64_t head_dim = pages.shape().head_dim;
  for (int64_t position = begin; position < end;) {
    const int64_t block_idx = position / block_size;
    const int32_t slot = static_cast<int32_t>(position % block_size);
    const int32_t n_slots = static_cast<int32_t>(std::min<int64_t>(block_size - slot, end - position));
    FAB_CHECK(block_idx < static_cast<int64_t>(block_ids.size())) << "position " << position << " has no block";
    const int64_t offset = (position - begin) * head_dim;
    pages.ReadKeys(layer_idx, block_ids[block_idx], kv_head, slot, n_slots, scratch.keys.data() + offset);
    pages.ReadValues(layer_idx, block_ids[block_idx], kv_head, slot, n_slots, scratch.values.data() + offset);
    position += n_slots;
  }
}

// Folds n_keys gathered keys into the running softmax of one query head.
void AttendChunk(const kernels::FloatOps& ops, const float* q_head, const Scratch& scratch, int64_t n_keys,
                 int head_dim, float scale, float* scores, float* acc, float& running_max, float& running_sum) {
  ops.attention_scores(q_head, scratch.keys.data(), head_dim, n_keys, head_dim, scale, scores);
  const float chunk_max = ops.max(scores, n_keys);
  if (chunk_max > running_max) {
    if (running_sum > 0.0f) {
      const float correction = std::exp(running_max - chunk_max);
      ops.scale(acc, correction, head_dim);
      running_sum *= correction;
    }
    running_max = chunk_max;
  }
  running_sum += ops.exp_shifted_sum(scores, n_keys, running_max);
  ops.attention_accumulate(scores, scratch.values.data(), head_dim, n_keys, head_dim, acc);
}

}  // namespace

void PagedAttention(const KvPages& pages, int64_t layer_idx, const PagedAttentionRows& rows,
                    const kernels::AttentionShape& shape, float* out, ThreadPool& pool) {
  FAB_CHECK(shape.n_head > 0 && shape.n_head_kv == pages.shape().n_head_kv && shape.n_head % shape.n_head_kv == 0);
  FAB_CHECK(shape.head_dim == pages.shape().head_dim);
  const int head_dim = shape.head_dim;
  const int heads_per_kv = shape.n_head / shape.n_head_kv;
  const int32_t block_size = pages.shape().block_size;
  const int64_t keys_per_chunk = std::max<int64_t>(1, kTargetKeysPerChunk / block_size) * block_size;
  const kernels::FloatOps& ops = kernels::ActiveKernels().floats;
  pool.ParallelFor(rows.n_rows * shape.n_head_kv, 1, [&](int64_t begin, int64_t end) {
    Scratch& scratch = ThreadScratch();
    scratch.Reserve(keys_per_chunk, heads_per_kv, head_dim);
    for (int64_t item = begin; item < end; ++item) {
      const int64_t row = item / shape.n_head_kv;
      const int64_t kv_head = item % shape.n_head_kv;
      const std::span<const kvcache::BlockId> block_ids = rows.block_tables[rows.row_sequence[row]];
      const int64_t n_kv = static_cast<int64_t>(rows.positions[row]) + 1;
      const int64_t first_head = kv_head * heads_per_kv;
      const float* q = rows.q + (row * shape.n_head + first_head) * head_dim;
      float* row_out = out + (row * shape.n_head + first_head) * head_dim;
      std::fill_n(scratch.acc.begin(), heads_per_kv * head_dim, 0.0f);
      std::fill_n(scratch.running_max.begin(), heads_per_kv, -std::numeric_limits<float>::infinity());
      std::fill_n(scratch.running_sum.begin(), heads_per_kv, 0.0f);
      for (int64_t key_begin = 0; key_begin < n_kv; key_begin += keys_per_chunk) {
        const int64_t n_keys = std::min(keys_per_chunk, n_kv - key_begin);
        GatherChunk(pages, layer_idx, block_ids, kv_head, key_begin, key_begin + n_keys, scratch);
        for (int h = 0; h < heads_per_kv; ++h) {
          AttendChunk(ops, q + h * head_dim, scratch, n_keys, head_dim, shape.scale, scratch.scores.data(),
                      scratch.acc.data() + h * head_dim, scratch.running_max[h], scratch.running_sum[h]);
        }
      }
      for (int h = 0; h < heads_per_kv; ++h) {
        ops.scale_by_weight(scratch.acc.data() + h * head_dim, nullptr, 1.0f / scratch.running_sum[h], head_dim,
                            row_out + h * head_dim);
      }
    }
  });
}

}  // namespace fab::runtime
