#include "model/weights.h"

#include <string>

#include "kernels/packed_weights.h"
#include "kernels/quantize.h"

namespace fab::model {
namespace {

std::string ShapeString(const int64_t* ne, int n_dims) {
  std::string s = "[";
  for (int i = 0; i < n_dims; ++i) s += (i ? ", " : "") + std::to_string(ne[i]);
  return s + "]";
}

std::string LayerPrefix(int64_t layer_idx) { return "blk." + std::to_string(layer_idx) + "."; }

}  // namespace

StatusOr<TensorView> BindMatrix(const GgufFile& gguf, const std::string& name, MatrixShape shape) {
  const GgufTensorInfo* info = gguf.FindTensor(name);
  if (info == nullptr) return NotFoundError("tensor '" + name + "' is missing");
  const TensorView& view = info->view;
  if (!GetDTypeInfo(view.dtype).computable) {
    return UnimplementedError("tensor '" + name + "' has dtype " + DTypeName(view.dtype) +
                              ", which tokenfab cannot compute with yet");
  }
  if (view.ne[0] != shape.cols || view.ne[1] != shape.rows || view.ne[2] != 1 || view.ne[3] != 1) {
    return InvalidArgumentError("tensor '" + name + "' has shape " + ShapeString(view.ne, info->n_dims) +
                                ", expected [" + std::to_string(shape.cols) + ", " + std::to_string(shape.rows) + "]");
  }
  return view;
}

StatusOr<std::vector<float>> BindVector(const GgufFile& gguf, const std::string& name, int64_t length) {
  const GgufTensorInfo* info = gguf.FindTensor(name);
  if (info == nullptr) return NotFoundError("tensor '" + name + "' is missing");
  const TensorView& view = info->view;
  if (view.n_elements() != length || view.ne[0] != length) {
    return InvalidArgumentError("tensor '" + name + "' has " + std::to_string(view.n_elements()) +
                                " elements, expected " + std::to_string(length));
  }
  if (view.dtype != DType::kF32 && view.dtype != DType::kF16 && view.dtype != DType::kBF16) {
    return UnimplementedError("vector tensor '" + name + "' must be f32, f16 or bf16, not " + DTypeName(view.dtype));
  }
  std::vector<float> values(static_cast<size_t>(length));
  kernels::DequantizeRow(view.dtype, view.data, values.data(), length);
  return values;
}

StatusOr<ModelWeights> BindEmbeddingsAndOutput(const GgufFile& gguf, ModelHparams& hp) {
  ModelWeights weights;
  const GgufTensorInfo* embd = gguf.FindTensor("token_embd.weight");
  if (embd == nullptr) return NotFoundError("tensor 'token_embd.weight' is missing");
  hp.n_vocab = embd->view.ne[1];
  if (hp.n_vocab < 1 || hp.n_vocab > HparamLimits().max_vocab) {
    return InvalidArgumentError("vocabulary size " + std::to_string(hp.n_vocab) + " is out of range");
  }
  const MatrixShape vocab_by_embd{.rows = hp.n_vocab, .cols = hp.n_embd};
  FAB_ASSIGN_OR_RETURN(weights.token_embd, BindMatrix(gguf, "token_embd.weight", vocab_by_embd));
  FAB_ASSIGN_OR_RETURN(weights.output_norm, BindVector(gguf, "output_norm.weight", hp.n_embd));
  if (gguf.FindTensor("output.weight") != nullptr) {
    FAB_ASSIGN_OR_RETURN(weights.output, BindMatrix(gguf, "output.weight", vocab_by_embd));
  } else {
    weights.output = weights.token_embd;
    weights.tied_output = true;
  }
  if (gguf.FindTensor("rope_freqs.weight") != nullptr) {
    FAB_ASSIGN_OR_RETURN(weights.rope_factors, BindVector(gguf, "rope_freqs.weight", hp.n_rot / 2));
  }
  return weights;
}

Status BindAttention(const GgufFile& gguf, const ModelHparams& hp, int64_t layer_idx, LayerWeights& layer) {
  const std::string p = LayerPrefix(layer_idx);
  FAB_ASSIGN_OR_RETURN(layer.attn_norm, BindVector(gguf, p + "attn_norm.weight", hp.n_embd));
  FAB_ASSIGN_OR_RETURN(layer.wq, BindMatrix(gguf, p + "attn_q.weight", {.rows = hp.q_dim(), .cols = hp.n_embd}));
  FAB_ASSIGN_OR_RETURN(layer.wk, BindMatrix(gguf, p + "attn_k.weight", {.rows = hp.kv_dim(), .cols = hp.n_embd}));
  FAB_ASSIGN_OR_RETURN(layer.wv, BindMatrix(gguf, p + "attn_v.weight", {.rows = hp.kv_dim(), .cols = hp.n_embd}));
  FAB_ASSIGN_OR_RETURN(layer.wo, BindMatrix(gguf, p + "attn_output.weight", {.rows = hp.n_embd, .cols = hp.q_dim()}));
  return OkStatus();
}

Status BindQkvBiases(const GgufFile& gguf, const ModelHparams& hp, int64_t layer_idx, LayerWeights& layer) {
  const std::string p = LayerPrefix(layer_idx);
  FAB_ASSIGN_OR_RETURN(layer.bq, BindVector(gguf, p + "attn_q.bias", hp.q_dim()));
  FAB_ASSIGN_OR_RETURN(layer.bk, BindVector(gguf, p + "attn_k.bias", hp.kv_dim()));
  FAB_ASSIGN_OR_RETURN(layer.bv, BindVector(gguf, p + "attn_v.bias", hp.kv_dim()));
  return OkStatus();
}

Status BindQkNorms(const GgufFile& gguf, const ModelHparams& hp, int64_t layer_idx, LayerWeights& layer) {
  const std::string p = LayerPrefix(layer_idx);
  FAB_ASSIGN_OR_RETURN(layer.attn_q_norm, BindVector(gguf, p + "attn_q_norm.weight", hp.head_dim));
  FAB_ASSIGN_OR_RETURN(layer.attn_k_norm, BindVector(gguf, p + "attn_k_norm.weight", hp.head_dim));
  return OkStatus();
}

Status BindSwiGluFeedForward(const GgufFile& gguf, const ModelHparams& hp, int64_t layer_idx, LayerWeights& layer) {
  const std::string p = LayerPrefix(layer_idx);
  FAB_ASSIGN_OR_RETURN(layer.ffn_norm, BindVector(gguf, p + "ffn_norm.weight", hp.n_embd));
  FAB_ASSIGN_OR_RETURN(layer.w_gate, BindMatrix(gguf, p + "ffn_gate.weight", {.rows = hp.n_ff, .cols = hp.n_embd}));
  FAB_ASSIGN_OR_RETURN(layer.w_up, BindMatrix(gguf, p + "ffn_up.weight", {.rows = hp.n_ff, .cols = hp.n_embd}));
  FAB_ASSIGN_OR_RETURN(layer.w_down, BindMatrix(gguf, p + "ffn_down.weight", {.rows = hp.n_embd, .cols = hp.n_ff}));
  return OkStatus();
}

StatusOr<ModelWeights> BindWeightsLayerByLayer(const GgufFile& gguf, ModelHparams& hp, LayerBinder bind_layer) {
  FAB_ASSIGN_OR_RETURN(ModelWeights weights, BindEmbeddingsAndOutput(gguf, hp));
  weights.layers.resize(static_cast<size_t>(hp.n_layer));
  for (int64_t layer_idx = 0; layer_idx < hp.n_layer; ++layer_idx) {
    FAB_RETURN_IF_ERROR(bind_layer(gguf, hp, layer_idx, weights.layers[static_cast<size_t>(layer_idx)]));
  }
  return weights;
}

int64_t ModelWeights::BytesPerToken() const {
  int64_t bytes = output.n_bytes() + token_embd.row_bytes();
  for (const LayerWeights& layer : layers) {
    for (const TensorView* m : {&layer.wq, &layer.wk, &layer.wv, &layer.wo, &layer.w_gate, &layer.w_up, &layer.w_down}) {
      bytes += m->n_bytes();
    }
  }
  return bytes;
}

void RepackWeights(ModelWeights& weights, ThreadPool& pool,
                   const std::function<void(const TensorView& file_view)>& on_replaced) {
  std::vector<TensorView*> matrices;
  if (!weights.tied_output) matrices.push_back(&weights.output);
  for (LayerWeights& layer : weights.layers) {
    for (TensorView* m : {&layer.wq, &layer.wk, &layer.wv, &layer.wo, &layer.w_gate, &layer.w_up, &layer.w_down}) {
      matrices.push_back(m);
    }
  }
  for (TensorView* m : matrices) {
    if (!kernels::CanPack(*m)) continue;
    weights.packed_storage.emplace_back(static_cast<size_t>(m->n_bytes()));
    const TensorView file_view = *m;
    *m = kernels::PackMatrix(file_view, weights.packed_storage.back().data(), pool);
    on_replaced(file_view);
  }
}

}  // namespace fab::model
