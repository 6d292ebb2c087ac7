#include "runtime/batched_forward.h"

#include <cmath>

#include "base/check.h"
#include "runtime/paged_attention.h"

namespace fab::runtime {
namespace {

size_t FloatBytes(int64_t n) { return static_cast<size_t>(n) * sizeof(float); }

}  // namespace

BatchedForward::BatchedForward(const model::Model& model, KvPages& pages, ThreadPool& pool, int64_t max_tokens,
                               int64_t n_ctx)
    : model_(model), pages_(pages), pool_(pool), max_tokens_(max_tokens) {
  FAB_CHECK(max_tokens > 0);
  const model::ModelHparams& hp = model.hparams();
  FAB_CHECK(pages.shape().n_layer == hp.n_layer && pages.shape().n_head_kv == hp.n_head_kv &&
            pages.shape().head_dim == hp.head_dim)
      << "KV pages do not match the model";
  buffers_ = model::ForwardBuffers(hp, max_tokens);
  k_ = AlignedBuffer(FloatBytes(max_tokens * hp.kv_dim()));
  v_ = AlignedBuffer(FloatBytes(max_tokens * hp.kv_dim()));
  ropes_ = model::LayerRopesFor(hp, model.weights(), n_ctx > 0 ? n_ctx : hp.n_ctx_train);
}

std::span<const float> BatchedForward::logits_row(int64_t sampled_idx) const {
  const int64_t n_vocab = model_.hparams().n_vocab;
  return std::span<const float>(logits_).subspan(static_cast<size_t>(sampled_idx * n_vocab),
                                                 static_cast<size_t>(n_vocab));
}

void BatchedForward::GatherRows(const StepPlan& plan) {
  const model::ModelHparams& hp = model_.hparams();
  const int32_t block_size = pages_.shape().block_size;
  positions_.clear();
  row_sequence_.clear();
  row_block_.clear();
  row_slot_.clear();
  block_tables_.clear();
  sampled_rows_.clear();
  float* x = buffers_.x();
  for (size_t seq_idx = 0; seq_idx < plan.sequences.size(); ++seq_idx) {
    const ScheduledSequence& sequence = plan.sequences[seq_idx];
    block_tables_.push_back(sequence.block_ids);
    model::EmbedTokens(hp, model_.weights(), sequence.tokens, x + static_cast<int64_t>(positions_.size()) * hp.n_embd);
    for (int64_t i = 0; i < sequence.n_tokens(); ++i) {
      const int64_t position = sequence.first_position + i;
      positions_.push_back(static_cast<int32_t>(position));
      row_sequence_.push_back(static_cast<int32_t>(seq_idx));
      row_block_.push_back(sequence.block_ids[position / block_size]);
      row_slot_.push_back(static_cast<int32_t>(position % block_size));
    }
    if (sequence.sample) sampled_rows_.push_back(static_cast<int64_t>(positions_.size()) - 1);
  }
}

void BatchedForward::Run(const StepPlan& plan) {
  const model::ModelHparams& hp = model_.hparams();
  const model::ModelWeights& w = model_.weights();
  const int64_t n_rows = plan.n_tokens();
  FAB_CHECK(n_rows > 0 && n_rows <= max_tokens_) << "step of " << n_rows << " tokens";
  GatherRows(plan);
  float* x = buffers_.x();
  model::BlockScratch scratch = buffers_.scratch();
  model::RunLayers(hp, w, model_.arch().forward_layer, ropes_, n_rows, positions_.data(), x, scratch, *this, pool_);
  logits_.resize(sampled_rows_.size() * static_cast<size_t>(hp.n_vocab));
  model::OutputHead(hp, w, x, sampled_rows_, scratch.norm, logits_.data(), pool_);
}

std::span<const float> BatchedForward::RowLogits(int64_t first_row, int64_t n_rows) {
  const model::ModelHparams& hp = model_.hparams();
  FAB_CHECK(n_rows >= 1 && n_rows <= kMaxRowLogits && first_row >= 0 &&
            first_row + n_rows <= static_cast<int64_t>(positions_.size()))
      << "rows [" << first_row << ", " << first_row + n_rows << ") of a step of " << positions_.size();
  extra_rows_.clear();
  for (int64_t row = first_row; row < first_row + n_rows; ++row) extra_rows_.push_back(row);
  row_logits_.resize(static_cast<size_t>(n_rows * hp.n_vocab));
  model::BlockScratch scratch = buffers_.scratch();
  model::OutputHead(hp, model_.weights(), buffers_.x(), extra_rows_, scratch.norm, row_logits_.data(), pool_);
  return row_logits_;
}

model::KvSink::Rows BatchedForward::KvRows(int64_t /*layer*/) { return {k_.as<float>(), v_.as<float>()}; }

void BatchedForward::Attend(int64_t layer, const float* q, float* out, ThreadPool& pool) {
  const int64_t kv_dim = model_.hparams().kv_dim();
  const int64_t n_rows = static_cast<int64_t>(positions_.size());
  const float* k = k_.as<float>();
  const float* v = v_.as<float>();
  pool.ParallelFor(n_rows, 1, [&](int64_t begin, int64_t end) {
    for (int64_t row = begin; row < end; ++row) {
      pages_.Write(layer, row_block_[row], row_slot_[row], k + row * kv_dim, v + row * kv_dim);
    }
  });
  PagedAttentionRows rows;
  rows.q = q;
  rows.n_rows = n_rows;
  rows.positions = positions_.data();
  rows.row_sequence = row_sequence_.data();
  rows.block_tables = block_tables_;
  PagedAttention(pages_, layer, rows, model::AttentionShapeFor(model_.hparams(), layer), out, pool);
}

}  // namespace fab::runtime
