// Work is split into items of (tile, KV head): a tile is a run of at most
// kMaxRowsPerTile consecutive rows of one sequence (a prefill chunk gives
// several, a decode row one). An item walks its sequence's keys in chunks of
// kTargetKeysPerChunk positions: each chunk is converted to float32 once
// (KvPages::ReadKeys/ReadValues) and then folded into the online softmax
// (running max and sum) of every row of the tile and every query head that
// shares the KV head (up to four heads per pass of attention_chunk.h), each
// row stopping at its own position. Chunk
// boundaries are fixed multiples of the chunk size from position 0, so a
// row's result is the same whatever tile, step or thread it lands in.
// Threads take items from a shared counter, largest first.
#include "runtime/paged_attention.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <limits>
#include <vector>

#include "base/check.h"
#include "kernels/dispatch.h"
#include "runtime/attention_chunk.h"

namespace fab::runtime {
namespace {

// Keys converted per chunk: K and V of 128 keys × head_dim 128 are 128 KiB,
// within L2 while the rows and heads of a tile walk them.
constexpr int64_t kTargetKeysPerChunk = 128;
// Rows sharing one conversion of each chunk. Bounds the per-thread scratch
// (rows × heads_per_kv × head_dim accumulators) and keeps enough items for
// two or more threads in a single-sequence prefill.
constexpr int64_t kMaxRowsPerTile = 32;

struct WorkItem {
  int64_t first_row = 0;
  int64_t n_rows = 0;
  int64_t kv_head = 0;
  int64_t n_keys = 0;  // keys the item converts: max position of its rows + 1
  int64_t cost = 0;    // Σ over rows of keys attended, for ordering
};

// Per-thread float32 scratch, grown on demand and reused across calls.
struct Scratch {
  std::vector<float> keys, values, scores, acc, running_max, running_sum;

  void Reserve(int64_t keys_per_chunk, int64_t n_heads, int head_dim) {
    const size_t chunk = static_cast<size_t>(keys_per_chunk * head_dim);
    if (keys.size() < chunk) {
      keys.resize(chunk);
      values.resize(chunk);
    }
    const size_t n_scores = static_cast<size_t>(AttentionChunkOps::kMaxQueries * keys_per_chunk);
    if (scores.size() < n_scores) scores.resize(n_scores);
    const size_t acc_size = static_cast<size_t>(n_heads) * static_cast<size_t>(head_dim);
    if (acc.size() < acc_size) acc.resize(acc_size);
    if (running_max.size() < static_cast<size_t>(n_heads)) {
      running_max.resize(static_cast<size_t>(n_heads));
      running_sum.resize(static_cast<size_t>(n_heads));
    }
  }
};

Scratch& ThreadScratch() {
  thread_local Scratch scratch;
  return scratch;
}

// Tiles of consecutive rows sharing a sequence, times KV heads, largest first.
std::vector<WorkItem> MakeWorkItems(const PagedAttentionRows& rows, const kernels::AttentionShape& shape) {
  const int64_t n_head_kv = shape.n_head_kv;
  std::vector<WorkItem> items;
  for (int64_t first = 0; first < rows.n_rows;) {
    int64_t end = first + 1;
    while (end < rows.n_rows && end - first < kMaxRowsPerTile && rows.row_sequence[end] == rows.row_sequence[first]) {
      ++end;
    }
    int64_t n_keys = 0, cost = 0;
    for (int64_t row = first; row < end; ++row) {
      n_keys = std::max<int64_t>(n_keys, rows.positions[row] + 1);
      cost += rows.positions[row] + 1 - kernels::FirstAttendedPosition(shape, rows.positions[row]);
    }
    for (int64_t kv_head = 0; kv_head < n_head_kv; ++kv_head) {
      items.push_back(WorkItem{first, end - first, kv_head, n_keys, cost});
    }
    first = end;
  }
  std::stable_sort(items.begin(), items.end(), [](const WorkItem& a, const WorkItem& b) { return a.cost > b.cost; });
  return items;
}

// Converts the keys and values of positions [begin, end) of one KV head into
// scratch.keys / scratch.values, packed [end - chunk_begin, head_dim].
// Position p lands at row p - chunk_begin; rows before `begin` are left as
// they are (no query of the tile attends them: a sliding window passed them,
// and their blocks may be gone).
void GatherChunk(const KvPages& pages, int64_t layer_idx, std::span<const BlockId> block_ids,
                 int64_t kv_head, int64_t chunk_begin, int64_t begin, int64_t end, Scratch& scratch) {
  const int32_t block_size = pages.shape().block_size;
  const int64_t head_dim = pages.shape().head_dim;
  for (int64_t position = begin; position < end;) {
    const int64_t block_idx = position / block_size;
    const int32_t slot = static_cast<int32_t>(position % block_size);
    const int32_t n_slots = static_cast<int32_t>(std::min<int64_t>(block_size - slot, end - position));
    FAB_CHECK(block_idx < static_cast<int64_t>(block_ids.size())) << "position " << position << " has no block";
    const int64_t offset = (position - chunk_begin) * head_dim;
    pages.ReadKeys(layer_idx, block_ids[block_idx], kv_head, slot, n_slots, scratch.keys.data() + offset);
    pages.ReadValues(layer_idx, block_ids[block_idx], kv_head, slot, n_slots, scratch.values.data() + offset);
    position += n_slots;
  }
}

// Folds the gathered keys [first_key, first_key + n_keys) of the chunk into
// the running softmax of n_queries (at most AttentionChunkOps::kMaxQueries)
// consecutive query heads of one row: q [n_queries, head_dim], acc
// [n_queries, head_dim], running_max/sum [n_queries].
void AttendChunk(const kernels::FloatOps& ops, const AttentionChunkOps& chunk_ops, const float* q, int n_queries,
                 Scratch& scratch, int64_t keys_per_chunk, int64_t first_key, int64_t n_keys, int head_dim,
                 const kernels::AttentionShape& shape, float* acc, float* running_max, float* running_sum) {
  float* scores = scratch.scores.data();
  const float* keys = scratch.keys.data() + first_key * head_dim;
  const float* values = scratch.values.data() + first_key * head_dim;
  chunk_ops.scores(q, head_dim, n_queries, keys, n_keys, head_dim, shape.scale, scores, keys_per_chunk);
  for (int g = 0; g < n_queries; ++g) {
    float* query_scores = scores + g * keys_per_chunk;
    if (shape.softcap > 0.0f) kernels::SoftCapInplace(query_scores, n_keys, shape.softcap);
    const float chunk_max = ops.max(query_scores, n_keys);
    if (chunk_max > running_max[g]) {
      if (running_sum[g] > 0.0f) {
        const float correction = std::exp(running_max[g] - chunk_max);
        ops.scale(acc + g * head_dim, correction, head_dim);
        running_sum[g] *= correction;
      }
      running_max[g] = chunk_max;
    }
    running_sum[g] += ops.exp_shifted_sum(query_scores, n_keys, running_max[g]);
  }
  chunk_ops.accumulate(scores, keys_per_chunk, n_queries, values, n_keys, head_dim, acc, head_dim);
}

struct AttentionJob {
  const KvPages& pages;
  int64_t layer_idx;
  const PagedAttentionRows& rows;
  const kernels::AttentionShape& shape;
  int64_t keys_per_chunk;
  float* out;
};

// One (tile, KV head) item: every row of the tile and every query head of the group.
void RunItem(const AttentionJob& job, const WorkItem& item, Scratch& scratch) {
  const kernels::FloatOps& ops = kernels::ActiveKernels().floats;
  const AttentionChunkOps& chunk_ops = ActiveAttentionChunkOps();
  const kernels::AttentionShape& shape = job.shape;
  const int head_dim = shape.head_dim;
  const int heads_per_kv = shape.n_head / shape.n_head_kv;
  const int64_t n_heads = item.n_rows * heads_per_kv;  // (row, head) pairs, row-major
  scratch.Reserve(job.keys_per_chunk, n_heads, head_dim);
  std::fill_n(scratch.acc.begin(), n_heads * head_dim, 0.0f);
  std::fill_n(scratch.running_max.begin(), n_heads, -std::numeric_limits<float>::infinity());
  std::fill_n(scratch.running_sum.begin(), n_heads, 0.0f);
  const std::span<const BlockId> block_ids = job.rows.block_tables[job.rows.row_sequence[item.first_row]];
  const int64_t first_head = item.kv_head * heads_per_kv;
  // Chunks start at multiples of keys_per_chunk whatever the window, so a
  // row's result does not depend on the tile it lands in.
  int64_t tile_first_key = item.n_keys;
  for (int64_t row = item.first_row; row < item.first_row + item.n_rows; ++row) {
    tile_first_key = std::min(tile_first_key, kernels::FirstAttendedPosition(shape, job.rows.positions[row]));
  }
  for (int64_t key_begin = tile_first_key / job.keys_per_chunk * job.keys_per_chunk; key_begin < item.n_keys;
       key_begin += job.keys_per_chunk) {
    const int64_t key_end = std::min(key_begin + job.keys_per_chunk, item.n_keys);
    GatherChunk(job.pages, job.layer_idx, block_ids, item.kv_head, key_begin, std::max(key_begin, tile_first_key),
                key_end, scratch);
    for (int64_t i = 0; i < item.n_rows; ++i) {
      const int64_t row = item.first_row + i;
      const int64_t row_begin = std::max(key_begin, kernels::FirstAttendedPosition(shape, job.rows.positions[row]));
      const int64_t row_end = std::min<int64_t>(key_end, job.rows.positions[row] + 1);
      if (row_end <= row_begin) continue;
      const float* q = job.rows.q + (row * shape.n_head + first_head) * head_dim;
      for (int h = 0; h < heads_per_kv; h += AttentionChunkOps::kMaxQueries) {
        const int n_queries = std::min(AttentionChunkOps::kMaxQueries, heads_per_kv - h);
        const int64_t pair = i * heads_per_kv + h;
        AttendChunk(ops, chunk_ops, q + h * head_dim, n_queries, scratch, job.keys_per_chunk, row_begin - key_begin,
                    row_end - row_begin, head_dim, shape, scratch.acc.data() + pair * head_dim,
                    scratch.running_max.data() + pair, scratch.running_sum.data() + pair);
      }
    }
  }
  for (int64_t i = 0; i < item.n_rows; ++i) {
    float* row_out = job.out + ((item.first_row + i) * shape.n_head + first_head) * head_dim;
    for (int h = 0; h < heads_per_kv; ++h) {
      const int64_t pair = i * heads_per_kv + h;
      ops.scale_by_weight(scratch.acc.data() + pair * head_dim, nullptr, 1.0f / scratch.running_sum[pair], head_dim,
                          row_out + h * head_dim);
    }
  }
}

}  // namespace

void PagedAttention(const KvPages& pages, int64_t layer_idx, const PagedAttentionRows& rows,
                    const kernels::AttentionShape& shape, float* out, ThreadPool& pool) {
  FAB_CHECK(shape.n_head > 0 && shape.n_head_kv == pages.shape().n_head_kv && shape.n_head % shape.n_head_kv == 0);
  FAB_CHECK(shape.head_dim == pages.shape().head_dim);
  const int32_t block_size = pages.shape().block_size;
  const int64_t keys_per_chunk = std::max<int64_t>(1, kTargetKeysPerChunk / block_size) * block_size;
  const std::vector<WorkItem> items = MakeWorkItems(rows, shape);
  const AttentionJob job{pages, layer_idx, rows, shape, keys_per_chunk, out};
  std::atomic<size_t> next_item{0};
  pool.Run([&](int /*thread_idx*/) {
    Scratch& scratch = ThreadScratch();
    for (size_t item_idx = next_item.fetch_add(1); item_idx < items.size(); item_idx = next_item.fetch_add(1)) {
      RunItem(job, items[item_idx], scratch);
    }
  });
}

}  // namespace fab::runtime
