#include "model/session.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "model/blocks.h"

namespace fab::model {
namespace {


// Keys and values go straight into the cache rows [pos0, pos0 + n_rows) of
// each layer; attention reads the rows [0, pos0 + n_rows).
class ContiguousKvSink final : public KvSink {
 public:
  ContiguousKvSink(KvCache& cache, const ModelHparams& hp, int64_t pos0, int64_t n_rows)
      : cache_(cache), hp_(hp), kv_dim_(hp.kv_dim()), pos0_(pos0), n_rows_(n_rows) {}

  Rows KvRows(int64_t layer) override {
    return {cache_.k(layer) + pos0_ * kv_dim_, cache_.v(layer) + pos0_ * kv_dim_};
  }

  void Attend(int64_t layer, const float* q, float* out, ThreadPool& pool) override {
    kernels::AttentionCausal(q, n_rows_, pos0_, cache_.k(layer), cache_.v(layer), AttentionShapeFor(hp_, layer), out,
                             pool);
  }

 private:
  KvCache& cache_;
  const ModelHparams& hp_;
  int64_t kv_dim_;
  int64_t pos0_;
  int64_t n_rows_;
};

}  // namespace

Session::Session(const Model& model, ThreadPool& pool, const SessionOptions& options)
    : model_(model),
      pool_(pool),
      n_ctx_(std::clamp<int64_t>(options.n_ctx, 1, model.hparams().n_ctx_train)),
      max_batch_(std::max<int64_t>(options.max_batch, 1)),
      cache_(model.hparams().n_layer, n_ctx_, model.hparams().kv_dim()) {
  const ModelHparams& hp = model.hparams();
  const int64_t b = std::min(max_batch_, n_ctx_);
  max_batch_ = b;
  buffers_ = ForwardBuffers(hp, b);
  positions_.resize(static_cast<size_t>(b));
  ropes_ = LayerRopesFor(hp, model.weights(), n_ctx_);
}

Status Session::Eval(std::span<const TokenId> tokens, bool all_logits) {
  const int64_t n_vocab = model_.hparams().n_vocab;
  for (TokenId token : tokens) {
    if (token < 0 || token >= n_vocab) {
      return InvalidArgumentError("token id " + std::to_string(token) + " is outside the vocabulary [0, " +
                                  std::to_string(n_vocab) + ")");
    }
  }
  const int64_t n_tokens = static_cast<int64_t>(tokens.size());
  if (n_past_ + n_tokens > n_ctx_) {
    return OutOfRangeError(std::to_string(n_past_ + n_tokens) + " tokens do not fit the context of " +
                           std::to_string(n_ctx_));
  }
  if (n_tokens == 0) return OkStatus();
  logits_.assign(static_cast<size_t>((all_logits ? n_tokens : 1) * n_vocab), 0.0f);
  for (int64_t begin = 0; begin < n_tokens; begin += max_batch_) {
    const int64_t count = std::min(max_batch_, n_tokens - begin);
    const bool is_last = begin + count == n_tokens;
    float* out = all_logits ? logits_.data() + begin * n_vocab : (is_last ? logits_.data() : nullptr);
    EvalBatch(tokens.subspan(static_cast<size_t>(begin), static_cast<size_t>(count)), all_logits, out);
  }
  return OkStatus();
}

void Session::EvalBatch(std::span<const TokenId> tokens, bool all_logits, float* logits_out) {
  const ModelHparams& hp = model_.hparams();
  const ModelWeights& w = model_.weights();
  const int64_t n = static_cast<int64_t>(tokens.size());
  float* x = buffers_.x();
  EmbedTokens(hp, w, tokens, x);
  for (int64_t t = 0; t < n; ++t) positions_[t] = static_cast<int32_t>(n_past_ + t);
  BlockScratch scratch = buffers_.scratch();
  ContiguousKvSink sink(cache_, hp, n_past_, n);
  RunLayers(hp, w, model_.arch().forward_layer, ropes_, n, positions_.data(), x, scratch, sink, pool_);
  n_past_ += n;
  if (logits_out == nullptr) return;
  // Only the rows whose logits are wanted go through the output head.
  const int64_t first = all_logits ? 0 : n - 1;
  std::vector<int64_t> rows(static_cast<size_t>(n - first));
  std::iota(rows.begin(), rows.end(), first);
  OutputHead(hp, w, x, rows, scratch.norm, logits_out, pool_);
}

void Session::Truncate(int64_t n_past) { n_past_ = std::clamp<int64_t>(n_past, 0, n_past_); }

}  // namespace fab::model
