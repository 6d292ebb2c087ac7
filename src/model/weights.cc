#include "model/weights.h"

#include <sys/mman.h>

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
  FAB_ASSIGN_OR_RETURN(layer.attn_norm, BindVector(gguf, LayerPrefix(layer_idx) + "attn_norm.weight", hp.n_embd));
  return BindAttentionProjections(gguf, hp, layer_idx, layer);
}

Status BindAttentionProjections(const GgufFile& gguf, const ModelHparams& hp, int64_t layer_idx, LayerWeights& layer) {
  const std::string p = LayerPrefix(layer_idx);
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

Status BindGatedFeedForward(const GgufFile& gguf, const ModelHparams& hp, int64_t layer_idx, LayerWeights& layer) {
  FAB_ASSIGN_OR_RETURN(layer.ffn_norm, BindVector(gguf, LayerPrefix(layer_idx) + "ffn_norm.weight", hp.n_embd));
  return BindFeedForwardProjections(gguf, hp, layer_idx, layer);
}

Status BindFeedForwardProjections(const GgufFile& gguf, const ModelHparams& hp, int64_t layer_idx,
                                  LayerWeights& layer) {
  const std::string p = LayerPrefix(layer_idx);
  FAB_ASSIGN_OR_RETURN(layer.w_gate, BindMatrix(gguf, p + "ffn_gate.weight", {.rows = hp.n_ff, .cols = hp.n_embd}));
  FAB_ASSIGN_OR_RETURN(layer.w_up, BindMatrix(gguf, p + "ffn_up.weight", {.rows = hp.n_ff, .cols = hp.n_embd}));
  FAB_ASSIGN_OR_RETURN(layer.w_down, BindMatrix(gguf, p + "ffn_down.weight", {.rows = hp.n_embd, .cols = hp.n_ff}));
  return OkStatus();
}

TensorView RowSlice(const TensorView& matrix, int64_t first_row, int64_t n_rows) {
  TensorView slice = matrix;
  slice.ne[1] = n_rows;
  slice.ne[2] = slice.ne[3] = 1;
  slice.data = matrix.row(first_row);
  return slice;
}

TensorView ExpertMatrix(const TensorView& stacked, int64_t expert, int64_t rows_per_expert) {
  return RowSlice(stacked, expert * rows_per_expert, rows_per_expert);
}

Status BindPostNorms(const GgufFile& gguf, const ModelHparams& hp, int64_t layer_idx, LayerWeights& layer) {
  const std::string p = LayerPrefix(layer_idx);
  FAB_ASSIGN_OR_RETURN(layer.attn_post_norm, BindVector(gguf, p + "post_attention_norm.weight", hp.n_embd));
  FAB_ASSIGN_OR_RETURN(layer.ffn_post_norm, BindVector(gguf, p + "post_ffw_norm.weight", hp.n_embd));
  return OkStatus();
}

StatusOr<TensorView> BindStackedMatrix(const GgufFile& gguf, const std::string& name, MatrixShape shape,
                                       int64_t n_stack) {
  const GgufTensorInfo* info = gguf.FindTensor(name);
  if (info == nullptr) return NotFoundError("tensor '" + name + "' is missing");
  TensorView view = info->view;
  if (!GetDTypeInfo(view.dtype).computable) {
    return UnimplementedError("tensor '" + name + "' has dtype " + DTypeName(view.dtype) +
                              ", which tokenfab cannot compute with yet");
  }
  if (view.ne[0] != shape.cols || view.ne[1] != shape.rows || view.ne[2] != n_stack || view.ne[3] != 1) {
    return InvalidArgumentError("tensor '" + name + "' has shape " + ShapeString(view.ne, info->n_dims) +
                                ", expected [" + std::to_string(shape.cols) + ", " + std::to_string(shape.rows) +
                                ", " + std::to_string(n_stack) + "]");
  }
  view.ne[1] = shape.rows * n_stack;
  view.ne[2] = 1;
  return view;
}

Status BindExpertFeedForward(const GgufFile& gguf, const ModelHparams& hp, int64_t layer_idx, LayerWeights& layer) {
  const std::string p = LayerPrefix(layer_idx);
  const int64_t n_ff = hp.n_ff_expert;
  FAB_ASSIGN_OR_RETURN(layer.ffn_norm, BindVector(gguf, p + "ffn_norm.weight", hp.n_embd));
  FAB_ASSIGN_OR_RETURN(layer.ffn_gate_inp,
                       BindMatrix(gguf, p + "ffn_gate_inp.weight", {.rows = hp.n_expert, .cols = hp.n_embd}));
  FAB_ASSIGN_OR_RETURN(layer.ffn_gate_exps,
                       BindStackedMatrix(gguf, p + "ffn_gate_exps.weight", {.rows = n_ff, .cols = hp.n_embd},
                                         hp.n_expert));
  FAB_ASSIGN_OR_RETURN(layer.ffn_up_exps, BindStackedMatrix(gguf, p + "ffn_up_exps.weight",
                                                            {.rows = n_ff, .cols = hp.n_embd}, hp.n_expert));
  FAB_ASSIGN_OR_RETURN(layer.ffn_down_exps, BindStackedMatrix(gguf, p + "ffn_down_exps.weight",
                                                              {.rows = hp.n_embd, .cols = n_ff}, hp.n_expert));
  if (hp.n_ff_shared > 0) {
    const int64_t n_sh = hp.n_ff_shared;
    FAB_ASSIGN_OR_RETURN(layer.ffn_gate_shexp,
                         BindMatrix(gguf, p + "ffn_gate_shexp.weight", {.rows = n_sh, .cols = hp.n_embd}));
    FAB_ASSIGN_OR_RETURN(layer.ffn_up_shexp,
                         BindMatrix(gguf, p + "ffn_up_shexp.weight", {.rows = n_sh, .cols = hp.n_embd}));
    FAB_ASSIGN_OR_RETURN(layer.ffn_down_shexp,
                         BindMatrix(gguf, p + "ffn_down_shexp.weight", {.rows = hp.n_embd, .cols = n_sh}));
    if (gguf.FindTensor(p + "ffn_gate_inp_shexp.weight") != nullptr) {
      FAB_ASSIGN_OR_RETURN(layer.ffn_gate_inp_shexp,
                           BindMatrix(gguf, p + "ffn_gate_inp_shexp.weight", {.rows = 1, .cols = hp.n_embd}));
    }
  }
  return OkStatus();
}

StatusOr<ModelWeights> BindWeightsLayerByLayer(const GgufFile& gguf, ModelHparams& hp, LayerBinder bind_layer) {
  FAB_ASSIGN_OR_RETURN(ModelWeights weights, BindEmbeddingsAndOutput(gguf, hp));
  weights.layers.resize(static_cast<size_t>(hp.n_layer));
  for (int64_t layer_idx = 0; layer_idx < hp.n_layer; ++layer_idx) {
    FAB_RETURN_IF_ERROR(bind_layer(gguf, hp, layer_idx, weights.layers[static_cast<size_t>(layer_idx)]));
  }
  weights.n_expert = hp.n_expert;
  weights.n_expert_used = hp.n_expert_used;
  return weights;
}

int64_t ModelWeights::BytesPerToken() const {
  int64_t bytes = output.n_bytes() + token_embd.row_bytes();
  for (const LayerWeights& layer : layers) {
    for (const TensorView* m : {&layer.wq, &layer.wk, &layer.wv, &layer.wo, &layer.w_gate, &layer.w_up, &layer.w_down,
                                &layer.ffn_gate_inp, &layer.ffn_gate_shexp, &layer.ffn_up_shexp, &layer.ffn_down_shexp}) {
      if (m->data != nullptr) bytes += m->n_bytes();
    }
    // A token reads only the experts it is routed to.
    if (layer.ffn_gate_exps.data != nullptr && n_expert > 0) {
      const int64_t experts = layer.ffn_gate_exps.n_bytes() + layer.ffn_up_exps.n_bytes() + layer.ffn_down_exps.n_bytes();
      bytes += experts / n_expert * n_expert_used;
    }
  }
  return bytes;
}

namespace {

// Asks the kernel to back a mapped buffer (AlignedBuffer::kLazyBytes or
// more) with transparent huge pages: the kernels stream packed weights once
// per step, and 4 KiB pages cost a TLB miss every 64 lines of that stream.
// Memory is still committed only where written. A no-op where THP is off.
void AdviseHugePages(AlignedBuffer& buffer) {
  if (buffer.size() >= AlignedBuffer::kLazyBytes) ::madvise(buffer.data(), buffer.size(), MADV_HUGEPAGE);
}

}  // namespace

void RepackWeights(ModelWeights& weights, ThreadPool& pool,
                   const std::function<void(const TensorView& file_view)>& on_replaced) {
  std::vector<TensorView*> matrices;
  if (!weights.tied_output) matrices.push_back(&weights.output);
  for (LayerWeights& layer : weights.layers) {
    // Stacked experts stay in the file: only the experts used are touched.
    for (TensorView* m : {&layer.wq, &layer.wk, &layer.wv, &layer.wo, &layer.w_gate, &layer.w_up, &layer.w_down,
                          &layer.ffn_gate_inp, &layer.ffn_gate_shexp, &layer.ffn_up_shexp, &layer.ffn_down_shexp}) {
      matrices.push_back(m);
    }
  }
  if (weights.n_expert > 0 && !weights.layers.empty() && weights.layers[0].ffn_gate_exps.data != nullptr) {
    const LayerWeights& first = weights.layers[0];
    const int64_t rows_per_expert[3] = {first.ffn_gate_exps.n_rows() / weights.n_expert,
                                        first.ffn_up_exps.n_rows() / weights.n_expert,
                                        first.ffn_down_exps.n_rows() / weights.n_expert};
    weights.expert_panels = std::make_unique<ExpertPanels>(weights.layers, weights.n_expert, rows_per_expert);
    for (LayerWeights& layer : weights.layers) layer.expert_panels = weights.expert_panels.get();
  }
  // One buffer for every packed matrix (each at a 64-byte aligned offset),
  // on huge pages where the kernel offers them.
  const auto padded = [](int64_t bytes) { return static_cast<size_t>((bytes + 63) / 64 * 64); };
  size_t total = 0;
  for (const TensorView* m : matrices) total += kernels::CanPack(*m) ? padded(m->n_bytes()) : 0;
  if (total == 0) return;
  weights.packed_storage.emplace_back(total);
  AlignedBuffer& storage = weights.packed_storage.back();
  AdviseHugePages(storage);
  size_t offset = 0;
  for (TensorView* m : matrices) {
    if (!kernels::CanPack(*m)) continue;
    const TensorView file_view = *m;
    *m = kernels::PackMatrix(file_view, storage.data() + offset, pool);
    offset += padded(file_view.n_bytes());
    on_replaced(file_view);
  }
}

}  // namespace fab::model
