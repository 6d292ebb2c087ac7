// ModelWeights: views of every weight tensor of a llama-shaped transformer,
// bound by name from a GGUF file and checked against the hparams' shapes by
// the architecture's ArchSpec::bind_weights, composed of the binders below.
// Large matrices stay in the file's mmap (TensorView, no copy); small vectors
// (norms, biases, rope factors) are converted to owned float32.
// Lifetime: the views are valid while the GgufFile they came from lives.
// RepackWeights may move matrices into owned packed buffers (packed_storage).
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/aligned_buffer.h"
#include "base/status.h"
#include "gguf/gguf_file.h"
#include "model/expert_panels.h"
#include "model/hparams.h"
#include "platform/thread_pool.h"
#include "tensor/tensor_view.h"

namespace fab::model {

struct LayerWeights {
  std::vector<float> attn_norm;  // [n_embd]
  TensorView wq;                 // [q_dim rows, n_embd]
  TensorView wk;                 // [kv_dim rows, n_embd]
  TensorView wv;                 // [kv_dim rows, n_embd]
  TensorView wo;                 // [n_embd rows, q_dim]
  std::vector<float> bq, bk, bv; // empty unless the architecture has biases
  // Per-head RMSNorm weights of Q and K (QK-norm, qwen3): [head_dim] each,
  // applied after the projection and before RoPE; empty when absent.
  std::vector<float> attn_q_norm, attn_k_norm;
  std::vector<float> ffn_norm;   // [n_embd]
  TensorView w_gate;             // [n_ff rows, n_embd]
  TensorView w_up;               // [n_ff rows, n_embd]
  TensorView w_down;             // [n_embd rows, n_ff]
  // RMSNorm weights of the attention and FFN outputs before they join the
  // residual stream (gemma2/3, exaone4): [n_embd] each, empty when absent.
  // An empty attn_norm / ffn_norm means the block reads x un-normalized.
  std::vector<float> attn_post_norm, ffn_post_norm;
  // Mixture of experts (hp.n_expert > 0; w_gate/w_up/w_down then empty):
  TensorView ffn_gate_inp;       // router [n_expert rows, n_embd]
  // Experts stacked: expert e owns rows [e · n, (e + 1) · n) where n is
  // n_ff_expert (gate, up) or n_embd (down); see ExpertMatrix.
  TensorView ffn_gate_exps;      // [n_expert · n_ff_expert rows, n_embd]
  TensorView ffn_up_exps;        // [n_expert · n_ff_expert rows, n_embd]
  TensorView ffn_down_exps;      // [n_expert · n_embd rows, n_ff_expert]
  // The shared expert (hp.n_ff_shared > 0), gated per token by
  // sigmoid(ffn_gate_inp_shexp · x) when that [1 row, n_embd] tensor exists.
  TensorView ffn_gate_inp_shexp;
  TensorView ffn_gate_shexp, ffn_up_shexp;  // [n_ff_shared rows, n_embd]
  TensorView ffn_down_shexp;                // [n_embd rows, n_ff_shared]
  // The packed experts of this model (owned by ModelWeights::expert_panels)
  // when RepackWeights set them up, else null: read experts from the file.
  ExpertPanels* expert_panels = nullptr;
};

// Rows [expert · rows_per_expert, (expert + 1) · rows_per_expert) of a
// stacked expert matrix, as a matrix of its own (a view, no copy).
TensorView ExpertMatrix(const TensorView& stacked, int64_t expert, int64_t rows_per_expert);

// Rows [first_row, first_row + n_rows) of a matrix, as a matrix of its own:
// the parts of a fused tensor (phi3's attn_qkv, ffn_up).
TensorView RowSlice(const TensorView& matrix, int64_t first_row, int64_t n_rows);

struct ModelWeights {
  TensorView token_embd;           // [n_vocab rows, n_embd]
  std::vector<float> output_norm;  // [n_embd]
  TensorView output;               // [n_vocab rows, n_embd]; token_embd when tied
  bool tied_output = false;
  std::vector<float> rope_factors; // [n_rot / 2] (Llama-3 rope_freqs, phi3's short factors) or empty
  // LongRoPE (phi3): the factors for contexts beyond hp.n_ctx_orig, or empty.
  std::vector<float> rope_factors_long;
  std::vector<LayerWeights> layers;
  // Of a mixture-of-experts model (hp.n_expert, hp.n_expert_used), for BytesPerToken.
  int64_t n_expert = 0;
  int64_t n_expert_used = 0;
  // Owned copies of matrices repacked by RepackWeights; views point into them.
  std::vector<AlignedBuffer> packed_storage;
  // Stacked experts, packed on first use (set by RepackWeights; layers point to it).
  std::unique_ptr<ExpertPanels> expert_panels;

  // Bytes of weights read to generate one token (every matrix but the
  // embedding table, of which one row is read, and the experts a token is
  // not routed to).
  int64_t BytesPerToken() const;
};

// The shape of a weight matrix: `rows` rows of `cols` elements each (GGUF
// ne = [cols, rows]; a matmul with it maps cols inputs to rows outputs).
struct MatrixShape {
  int64_t rows;
  int64_t cols;
};

// Shared binders that architecture files (model/arch/*.cc) compose into their
// ArchSpec::bind_weights. Each finds tensors by their GGUF name, checks dtype
// and shape against the hparams, and fails with a Status naming the tensor.

// The matrix `name` of `shape` and a computable dtype, viewed in the file.
StatusOr<TensorView> BindMatrix(const GgufFile& gguf, const std::string& name, MatrixShape shape);

// The 1-D f32/f16/bf16 vector `name` of `length` elements (a norm weight, a
// bias, rope factors), converted to owned float32.
StatusOr<std::vector<float>> BindVector(const GgufFile& gguf, const std::string& name, int64_t length);

// token_embd.weight (whose rows set hp.n_vocab), output_norm.weight,
// output.weight (token_embd when absent: tied) and, when present,
// rope_freqs.weight. layers is left empty.
StatusOr<ModelWeights> BindEmbeddingsAndOutput(const GgufFile& gguf, ModelHparams& hp);

// blk.<layer_idx>.{attn_norm, attn_q, attn_k, attn_v, attn_output}.weight.
Status BindAttention(const GgufFile& gguf, const ModelHparams& hp, int64_t layer_idx, LayerWeights& layer);
// The same without attn_norm (post-norm-only layers, exaone4).
Status BindAttentionProjections(const GgufFile& gguf, const ModelHparams& hp, int64_t layer_idx, LayerWeights& layer);

// blk.<layer_idx>.attn_{q,k,v}.bias, all three required.
Status BindQkvBiases(const GgufFile& gguf, const ModelHparams& hp, int64_t layer_idx, LayerWeights& layer);

// attn_q_norm.weight and attn_k_norm.weight, [head_dim] each (QK-norm).
Status BindQkNorms(const GgufFile& gguf, const ModelHparams& hp, int64_t layer_idx, LayerWeights& layer);

// blk.<layer_idx>.{ffn_norm, ffn_gate, ffn_up, ffn_down}.weight.
Status BindGatedFeedForward(const GgufFile& gguf, const ModelHparams& hp, int64_t layer_idx, LayerWeights& layer);
// The same without ffn_norm.
Status BindFeedForwardProjections(const GgufFile& gguf, const ModelHparams& hp, int64_t layer_idx,
                                  LayerWeights& layer);

// blk.<layer_idx>.{post_attention_norm, post_ffw_norm}.weight (llama.cpp's names),
// [n_embd] each, into attn_post_norm and ffn_post_norm.
Status BindPostNorms(const GgufFile& gguf, const ModelHparams& hp, int64_t layer_idx, LayerWeights& layer);

// The 3-D tensor `name` of ne = [cols, rows, n_stack] (experts stacked),
// viewed as one matrix of n_stack · rows rows.
StatusOr<TensorView> BindStackedMatrix(const GgufFile& gguf, const std::string& name, MatrixShape shape,
                                       int64_t n_stack);

// blk.<layer_idx>.ffn_norm, the router ffn_gate_inp and the stacked experts
// ffn_{gate,up,down}_exps; with hp.n_ff_shared > 0 also the shared expert
// ffn_{gate,up,down}_shexp and, when present, ffn_gate_inp_shexp.
Status BindExpertFeedForward(const GgufFile& gguf, const ModelHparams& hp, int64_t layer_idx, LayerWeights& layer);

// Binds one layer's tensors into `layer` (an architecture's composition of
// the binders above).
using LayerBinder = Status (*)(const GgufFile& gguf, const ModelHparams& hp, int64_t layer_idx, LayerWeights& layer);

// BindEmbeddingsAndOutput, then every one of hp.n_layer layers with
// `bind_layer`. Sets hp.n_vocab, and the weights' expert counts from hp.
StatusOr<ModelWeights> BindWeightsLayerByLayer(const GgufFile& gguf, ModelHparams& hp, LayerBinder bind_layer);

// Repacks every layer matrix and the untied output matrix that
// kernels::CanPack accepts into owned 16-row panels (kernels/packed_weights.h),
// in parallel over `pool`. token_embd (read by row lookups) and a tied output
// stay in the file. Calls on_replaced(file view) as soon as a matrix's file
// bytes are no longer read (so the caller may drop their pages at once).
// Stacked experts are not packed here: RepackWeights sets up
// weights.expert_panels, which packs each expert when a token first needs it.
void RepackWeights(ModelWeights& weights, ThreadPool& pool,
                   const std::function<void(const TensorView& file_view)>& on_replaced);

}  // namespace fab::model
