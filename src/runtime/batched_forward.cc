#include "runtime/batched_forward.h"

#include <cmath>

#include "base/check.h"
#include "kernels/matmul.h"
#include "kernels/quantize.h"
#include "runtime/paged_attention.h"

namespace fab::runtime {
namespace {

size_t FloatBytes(int64_t n) { return static_cast<size_t>(n) * sizeof(float); }

// Rows per parallel part of the row-wise passes below: a row of n_embd
// floats is a microsecond of work, so fewer rows are not worth a thread wake.
constexpr int64_t kRowsPerPart = 4;

void AddBias(float* rows, const std::vector<float>& bias, int64_t n_rows) {
  if (bias.empty()) return;
  const int64_t width = static_cast<int64_t>(bias.size());
  for (int64_t row = 0; row < n_rows; ++row) {
    for (int64_t i = 0; i < width; ++i) rows[row * width + i] += bias[i];
  }
}

}  // namespace

BatchedForward::BatchedForward(const model::Model& model, KvPages& pages, ThreadPool& pool, int64_t max_tokens)
    : model_(model), pages_(pages), pool_(pool), max_tokens_(max_tokens) {
  FAB_CHECK(max_tokens > 0);
  const model::ModelHparams& hp = model.hparams();
  FAB_CHECK(pages.shape().n_layer == hp.n_layer && pages.shape().n_head_kv == hp.n_head_kv &&
            pages.shape().head_dim == hp.head_dim)
      << "KV pages do not match the model";
  x_ = AlignedBuffer(FloatBytes(max_tokens * hp.n_embd));
  norm_ = AlignedBuffer(FloatBytes(max_tokens * hp.n_embd));
  q_ = AlignedBuffer(FloatBytes(max_tokens * hp.q_dim()));
  attn_ = AlignedBuffer(FloatBytes(max_tokens * hp.q_dim()));
  k_ = AlignedBuffer(FloatBytes(max_tokens * hp.kv_dim()));
  v_ = AlignedBuffer(FloatBytes(max_tokens * hp.kv_dim()));
  gate_ = AlignedBuffer(FloatBytes(max_tokens * hp.n_ff));
  up_ = AlignedBuffer(FloatBytes(max_tokens * hp.n_ff));
  rope_.head_dim = static_cast<int>(hp.head_dim);
  rope_.n_rot = static_cast<int>(hp.n_rot);
  rope_.freq_base = hp.rope_freq_base;
  rope_.freq_scale = hp.rope_freq_scale;
  rope_.freq_factors = model.weights().rope_factors.empty() ? nullptr : model.weights().rope_factors.data();
  rope_.style = hp.rope_style;
  attention_shape_.n_head = static_cast<int>(hp.n_head);
  attention_shape_.n_head_kv = static_cast<int>(hp.n_head_kv);
  attention_shape_.head_dim = static_cast<int>(hp.head_dim);
  attention_shape_.scale = 1.0f / std::sqrt(static_cast<float>(hp.head_dim));
}

std::span<const float> BatchedForward::logits_row(int64_t sampled_idx) const {
  const int64_t n_vocab = model_.hparams().n_vocab;
  return std::span<const float>(logits_).subspan(static_cast<size_t>(sampled_idx * n_vocab),
                                                 static_cast<size_t>(n_vocab));
}

void BatchedForward::GatherRows(const StepPlan& plan) {
  const model::ModelHparams& hp = model_.hparams();
  const model::ModelWeights& w = model_.weights();
  const int32_t block_size = pages_.shape().block_size;
  positions_.clear();
  row_sequence_.clear();
  row_block_.clear();
  row_slot_.clear();
  block_tables_.clear();
  sampled_rows_.clear();
  float* x = x_.as<float>();
  for (size_t seq_idx = 0; seq_idx < plan.sequences.size(); ++seq_idx) {
    const ScheduledSequence& sequence = plan.sequences[seq_idx];
    block_tables_.push_back(sequence.block_ids);
    for (int64_t i = 0; i < sequence.n_tokens(); ++i) {
      const int64_t row = static_cast<int64_t>(positions_.size());
      const int64_t position = sequence.first_position + i;
      kernels::DequantizeRow(w.token_embd.dtype, w.token_embd.row(sequence.tokens[i]), x + row * hp.n_embd,
                             hp.n_embd);
      positions_.push_back(static_cast<int32_t>(position));
      row_sequence_.push_back(static_cast<int32_t>(seq_idx));
      row_block_.push_back(sequence.block_ids[position / block_size]);
      row_slot_.push_back(static_cast<int32_t>(position % block_size));
    }
    if (sequence.sample) sampled_rows_.push_back(static_cast<int64_t>(positions_.size()) - 1);
  }
}

void BatchedForward::Run(const StepPlan& plan) {
  const int64_t n_rows = plan.n_tokens();
  FAB_CHECK(n_rows > 0 && n_rows <= max_tokens_) << "step of " << n_rows << " tokens";
  GatherRows(plan);
  AddResidualAndNorm(nullptr, &model_.weights().layers[0].attn_norm, n_rows);
  for (int64_t layer_idx = 0; layer_idx < model_.hparams().n_layer; ++layer_idx) {
    AttentionLayer(layer_idx, n_rows);
    FeedForwardLayer(layer_idx, n_rows);
  }
  OutputHead();
}

void BatchedForward::AddResidualAndNorm(const float* y, const std::vector<float>* norm_weight, int64_t n_rows) {
  const model::ModelHparams& hp = model_.hparams();
  const int64_t width = hp.n_embd;
  float* x = x_.as<float>();
  float* norm = norm_.as<float>();
  pool_.ParallelFor(n_rows, kRowsPerPart, [&](int64_t begin, int64_t end) {
    for (int64_t row = begin; row < end; ++row) {
      float* x_row = x + row * width;
      if (y != nullptr) {
        const float* y_row = y + row * width;
        for (int64_t i = 0; i < width; ++i) x_row[i] += y_row[i];
      }
      if (norm_weight != nullptr) kernels::RmsNorm(x_row, norm_weight->data(), width, hp.rms_eps, norm + row * width);
    }
  });
}

void BatchedForward::WriteKv(int64_t layer_idx, int64_t n_rows, const float* k, const float* v) {
  const int64_t kv_dim = model_.hparams().kv_dim();
  pool_.ParallelFor(n_rows, 1, [&](int64_t begin, int64_t end) {
    for (int64_t row = begin; row < end; ++row) {
      pages_.Write(layer_idx, row_block_[row], row_slot_[row], k + row * kv_dim, v + row * kv_dim);
    }
  });
}

void BatchedForward::AttentionLayer(int64_t layer_idx, int64_t n_rows) {
  const model::ModelHparams& hp = model_.hparams();
  const model::LayerWeights& w = model_.weights().layers[layer_idx];
  float* norm = norm_.as<float>();
  float* q = q_.as<float>();
  float* k = k_.as<float>();
  float* v = v_.as<float>();
  kernels::MatMul(w.wq, norm, n_rows, q, pool_);
  kernels::MatMul(w.wk, norm, n_rows, k, pool_);
  kernels::MatMul(w.wv, norm, n_rows, v, pool_);
  AddBias(q, w.bq, n_rows);
  AddBias(k, w.bk, n_rows);
  AddBias(v, w.bv, n_rows);
  kernels::RopeInplace(q, n_rows, static_cast<int>(hp.n_head), positions_.data(), rope_);
  kernels::RopeInplace(k, n_rows, static_cast<int>(hp.n_head_kv), positions_.data(), rope_);
  WriteKv(layer_idx, n_rows, k, v);

  PagedAttentionRows rows;
  rows.q = q;
  rows.n_rows = n_rows;
  rows.positions = positions_.data();
  rows.row_sequence = row_sequence_.data();
  rows.block_tables = block_tables_;
  PagedAttention(pages_, layer_idx, rows, attention_shape_, attn_.as<float>(), pool_);
  kernels::MatMul(w.wo, attn_.as<float>(), n_rows, norm, pool_);
  AddResidualAndNorm(norm, &w.ffn_norm, n_rows);
}

void BatchedForward::FeedForwardLayer(int64_t layer_idx, int64_t n_rows) {
  const model::ModelHparams& hp = model_.hparams();
  const model::LayerWeights& w = model_.weights().layers[layer_idx];
  float* norm = norm_.as<float>();
  float* gate = gate_.as<float>();
  const float* up = up_.as<float>();
  kernels::MatMul(w.w_gate, norm, n_rows, gate, pool_);
  kernels::MatMul(w.w_up, norm, n_rows, up_.as<float>(), pool_);
  pool_.ParallelFor(n_rows, kRowsPerPart, [&](int64_t begin, int64_t end) {
    kernels::SwiGlu(gate + begin * hp.n_ff, up + begin * hp.n_ff, (end - begin) * hp.n_ff, gate + begin * hp.n_ff);
  });
  kernels::MatMul(w.w_down, gate, n_rows, norm, pool_);
  // The next layer's attention input, or (after the last layer) the bare
  // residual stream for OutputHead.
  const bool last = layer_idx + 1 == hp.n_layer;
  AddResidualAndNorm(norm, last ? nullptr : &model_.weights().layers[layer_idx + 1].attn_norm, n_rows);
}

void BatchedForward::OutputHead() {
  const model::ModelHparams& hp = model_.hparams();
  const model::ModelWeights& w = model_.weights();
  const int64_t n_sampled = static_cast<int64_t>(sampled_rows_.size());
  logits_.resize(static_cast<size_t>(n_sampled * hp.n_vocab));
  if (n_sampled == 0) return;
  // The sampled rows are gathered into the first n_sampled rows of norm.
  float* norm = norm_.as<float>();
  const float* x = x_.as<float>();
  for (int64_t i = 0; i < n_sampled; ++i) {
    kernels::RmsNorm(x + sampled_rows_[i] * hp.n_embd, w.output_norm.data(), hp.n_embd, hp.rms_eps,
                     norm + i * hp.n_embd);
  }
  kernels::MatMul(w.output, norm, n_sampled, logits_.data(), pool_);
}

}  // namespace fab::runtime
