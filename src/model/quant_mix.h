// QuantMix: how llama.cpp's quantizer (llama-quantize, llama_tensor_get_type)
// picks each tensor's type in a Q4_K_M or Q5_K_M file, so that `model synth`
// writes files laid out as the ones users download. Pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "tensor/dtype.h"

namespace fab::model {

enum class QuantMix {
  kPure,    // every matrix of one type (synth --quant q4_0, q8_0, ...)
  kQ4_K_M,  // Q4_K, with Q6_K where llama.cpp spends more bits
  kQ5_K_M,  // Q5_K, likewise
};

// "q4_k_m" / "q5_k_m" (any case), or nullopt.
std::optional<QuantMix> ParseQuantMix(std::string_view name);
const char* QuantMixName(QuantMix mix);
// The mix's base type (Q4_K, Q5_K) and llama_ftype number (15, 17).
DType QuantMixBaseType(QuantMix mix);
uint32_t QuantMixFileType(QuantMix mix);

// What the rules look at for one tensor of the model.
struct MixedTensor {
  std::string_view name;  // "blk.3.ffn_down.weight"
  int64_t row_length;     // ne[0]
  bool is_matrix;         // two or more dimensions
  int64_t layer;          // its blk index, or -1
};

struct MixModel {
  int64_t n_layer = 0;
  int64_t n_expert = 0;
  bool tied_embeddings = false;
};

// The type llama.cpp would give `tensor` in a file of `mix`:
//   vectors, norms and routers (ffn_gate_inp) stay f32;
//   output.weight (token_embd.weight when tied) → Q6_K;
//   attn_v / attn_qkv and ffn_down → Q6_K on the layers use_more_bits picks
//   (the first and last eighth and every third between), Q8_0 for attn_v
//   and attn_k of 8-expert models, Q5_K for their attn_output;
//   everything else the base type. Rows that are not whole 256-element
//   super-blocks fall back as llama.cpp does (Q4_K → Q5_0, Q6_K → Q8_0), except
//   Q5_K → Q5_1, which tokenfab does not compute: Q8_0 instead.
DType MixedTensorType(QuantMix mix, const MixModel& model, const MixedTensor& tensor);

}  // namespace fab::model
