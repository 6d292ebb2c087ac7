// ModelWeights: views of every weight tensor of a llama-shaped transformer,
// bound by name from a GGUF file and checked against the hparams' shapes by
// the architecture's ArchSpec::bind_weights, composed of the binders below.
// Large matrices stay in the file's mmap (TensorView, no copy); small vectors
// (norms, biases, rope factors) are converted to owned float32.
// Lifetime: the views are valid while the GgufFile they came from lives.
// RepackWeights may move matrices into owned packed buffers (packed_storage).
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "base/aligned_buffer.h"
#include "base/status.h"
#include "gguf/gguf_file.h"
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
};

struct ModelWeights {
  TensorView token_embd;           // [n_vocab rows, n_embd]
  std::vector<float> output_norm;  // [n_embd]
  TensorView output;               // [n_vocab rows, n_embd]; token_embd when tied
  bool tied_output = false;
  std::vector<float> rope_factors; // [n_rot / 2] (Llama-3 rope_freqs) or empty
  std::vector<LayerWeights> layers;
  // Owned copies of matrices repacked by RepackWeights; views point into them.
  std::vector<AlignedBuffer> packed_storage;

  // Bytes of weights read to generate one token (every matrix but the
  // embedding table, of which one row is read).
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

// blk.<layer_idx>.attn_{q,k,v}.bias, all three required.
Status BindQkvBiases(const GgufFile& gguf, const ModelHparams& hp, int64_t layer_idx, LayerWeights& layer);

// blk.<layer_idx>.{ffn_norm, ffn_gate, ffn_up, ffn_down}.weight.
// attn_q_norm.weight and attn_k_norm.weight, [head_dim] each (QK-norm).
Status BindQkNorms(const GgufFile& gguf, const ModelHparams& hp, int64_t layer_idx, LayerWeights& layer);

Status BindSwiGluFeedForward(const GgufFile& gguf, const ModelHparams& hp, int64_t layer_idx, LayerWeights& layer);

// Binds one layer's tensors into `layer` (an architecture's composition of
// the binders above).
using LayerBinder = Status (*)(const GgufFile& gguf, const ModelHparams& hp, int64_t layer_idx, LayerWeights& layer);

// BindEmbeddingsAndOutput, then every one of hp.n_layer layers with
// `bind_layer`. Sets hp.n_vocab.
StatusOr<ModelWeights> BindWeightsLayerByLayer(const GgufFile& gguf, ModelHparams& hp, LayerBinder bind_layer);

// Repacks every layer matrix and the untied output matrix that
// kernels::CanPack accepts into owned 16-row panels (kernels/packed_weights.h),
// in parallel over `pool`. token_embd (read by row lookups) and a tied output
// stay in the file. Calls on_replaced(file view) as soon as a matrix's file
// bytes are no longer read (so the caller may drop their pages at once).
void RepackWeights(ModelWeights& weights, ThreadPool& pool,
                   const std::function<void(const TensorView& file_view)>& on_replaced);

}  // namespace fab::model
