// PagedAttention: causal grouped-query attention for the rows of one batched
// step, each row reading its own sequence's keys and values from KvPages
// through that sequence's block table (position p: block_ids[p / block_size],
// slot p % block_size). The rows' own K/V must already be written, so causal
// masking within a prefill chunk is simply "keys 0 .. own position".
// Threads: parallel over (tile of a sequence's rows, KV head) items on
// `pool`, taken largest first from a shared counter; a row's result does not
// depend on the thread count or on the other rows of the step. Per-thread
// float32 scratch is bounded (one chunk of max(128, block_size) keys and the
// accumulators of 32 rows), never per token of context.
#pragma once

#include <cstdint>
#include <span>

#include "kernels/ops.h"
#include "request/ids.h"
#include "platform/thread_pool.h"
#include "runtime/kv_pages.h"

namespace fab::runtime {

struct PagedAttentionRows {
  const float* q = nullptr;               // [n_rows, n_head, head_dim]
  int64_t n_rows = 0;
  const int32_t* positions = nullptr;     // [n_rows]: the row attends keys [0, position]
  const int32_t* row_sequence = nullptr;  // [n_rows]: index into block_tables
  // One table per sequence of the step; each covers every position its rows attend.
  std::span<const std::span<const BlockId>> block_tables;
};

// out: [n_rows, n_head, head_dim]. shape.n_head_kv and head_dim must match the pages.
void PagedAttention(const KvPages& pages, int64_t layer_idx, const PagedAttentionRows& rows,
                    const kernels::AttentionShape& shape, float* out, ThreadPool& pool);

}  // namespace fab::runtime
