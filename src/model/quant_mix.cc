#include "model/quant_mix.h"

#include <cctype>
#include <string>

namespace fab::model {
namespace {

bool Contains(std::string_view s, std::string_view part) { return s.find(part) != std::string_view::npos; }

// llama-quant.cpp's use_more_bits: the first and last eighth of the layers
// and every third layer between them.
bool UseMoreBits(int64_t layer, int64_t n_layer) {
  return layer < n_layer / 8 || layer >= 7 * n_layer / 8 || (layer - n_layer / 8) % 3 == 2;
}

DType Fallback(DType type, int64_t row_length) {
  if (row_length % 256 == 0) return type;
  if (row_length % 32 != 0) return DType::kF16;
  switch (type) {
    case DType::kQ4_K: return DType::kQ5_0;
    case DType::kQ6_K: return DType::kQ8_0;
    default: return DType::kQ8_0;  // Q5_K → Q5_1 in llama.cpp
  }
}

}  // namespace

std::optional<QuantMix> ParseQuantMix(std::string_view name) {
  std::string lower(name);
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (lower == "q4_k_m") return QuantMix::kQ4_K_M;
  if (lower == "q5_k_m") return QuantMix::kQ5_K_M;
  return std::nullopt;
}

const char* QuantMixName(QuantMix mix) {
  switch (mix) {
    case QuantMix::kQ4_K_M: return "Q4_K_M";
    case QuantMix::kQ5_K_M: return "Q5_K_M";
    default: return "pure";
  }
}

DType QuantMixBaseType(QuantMix mix) { return mix == QuantMix::kQ5_K_M ? DType::kQ5_K : DType::kQ4_K; }

uint32_t QuantMixFileType(QuantMix mix) { return mix == QuantMix::kQ5_K_M ? 17 : 15; }

DType MixedTensorType(QuantMix mix, const MixModel& model, const MixedTensor& tensor) {
  const std::string_view name = tensor.name;
  const bool ends_with_weight = name.size() >= 6 && name.substr(name.size() - 6) == "weight";
  if (!tensor.is_matrix || !ends_with_weight || Contains(name, "_norm.weight") || Contains(name, "ffn_gate_inp.weight")) {
    return DType::kF32;
  }
  const DType base = QuantMixBaseType(mix);
  DType type = base;
  const bool eight_experts = model.n_expert == 8;
  if (name == "output.weight" || (model.tied_embeddings && name == "token_embd.weight")) {
    return tensor.row_length % 256 == 0 ? DType::kQ6_K : DType::kQ8_0;
  }
  if (name == "token_embd.weight") {
    type = base;
  } else if (Contains(name, "attn_v.weight") || Contains(name, "attn_qkv.weight")) {
    if (eight_experts) return DType::kQ8_0;
    if (UseMoreBits(tensor.layer, model.n_layer)) type = DType::kQ6_K;
  } else if (Contains(name, "attn_k.weight")) {
    if (eight_experts) return DType::kQ8_0;
  } else if (Contains(name, "ffn_down")) {
    if (UseMoreBits(tensor.layer, model.n_layer)) type = DType::kQ6_K;
  } else if (Contains(name, "attn_output.weight")) {
    if (eight_experts && mix == QuantMix::kQ4_K_M) type = DType::kQ5_K;
  }
  return Fallback(type, tensor.row_length);
}

}  // namespace fab::model
