#include "model/hparams.h"

#include <cmath>

namespace fab::model {
namespace {

// Reads an integer key, or `fallback` when absent; checks 1 ≤ value ≤ cap.
StatusOr<int64_t> ReadCount(const GgufFile& gguf, const std::string& key, int64_t cap,
                            int64_t fallback = -1) {
  if (gguf.Find(key) == nullptr && fallback >= 0) return fallback;
  FAB_ASSIGN_OR_RETURN(int64_t value, gguf.GetInt(key));
  if (value < 1 || value > cap) {
    return InvalidArgumentError(key + " = " + std::to_string(value) + " is outside [1, " + std::to_string(cap) + "]");
  }
  return value;
}

StatusOr<float> ReadPositiveFloat(const GgufFile& gguf, const std::string& key, float fallback) {
  if (gguf.Find(key) == nullptr) return fallback;
  FAB_ASSIGN_OR_RETURN(double value, gguf.GetFloat(key));
  if (!std::isfinite(value) || value <= 0.0) {
    return InvalidArgumentError(key + " must be a positive finite number");
  }
  return static_cast<float>(value);
}

Status ReadRopeScaling(const GgufFile& gguf, const std::string& arch, ModelHparams& hp) {
  const std::string type_key = arch + ".rope.scaling.type";
  if (gguf.Find(type_key) == nullptr) return OkStatus();
  FAB_ASSIGN_OR_RETURN(std::string type, gguf.GetString(type_key));
  if (type == "none") return OkStatus();
  if (type != "linear") return UnimplementedError("rope scaling type '" + type + "' is not supported");
  FAB_ASSIGN_OR_RETURN(float factor, ReadPositiveFloat(gguf, arch + ".rope.scaling.factor", 1.0f));
  hp.rope_freq_scale = 1.0f / factor;
  return OkStatus();
}

}  // namespace

StatusOr<ModelHparams> ReadCommonHparams(const GgufFile& gguf, const std::string& arch, const HparamLimits& limits) {
  ModelHparams hp;
  hp.arch = arch;
  const std::string p = arch + ".";
  FAB_ASSIGN_OR_RETURN(hp.n_embd, ReadCount(gguf, p + "embedding_length", limits.max_embd));
  FAB_ASSIGN_OR_RETURN(hp.n_layer, ReadCount(gguf, p + "block_count", limits.max_layers));
  FAB_ASSIGN_OR_RETURN(hp.n_head, ReadCount(gguf, p + "attention.head_count", limits.max_heads));
  FAB_ASSIGN_OR_RETURN(hp.n_head_kv, ReadCount(gguf, p + "attention.head_count_kv", limits.max_heads, hp.n_head));
  FAB_ASSIGN_OR_RETURN(hp.n_ff, ReadCount(gguf, p + "feed_forward_length", limits.max_ff));
  FAB_ASSIGN_OR_RETURN(hp.n_ctx_train, ReadCount(gguf, p + "context_length", limits.max_ctx, 4096));
  if (hp.n_head % hp.n_head_kv != 0) {
    return InvalidArgumentError("head_count " + std::to_string(hp.n_head) + " is not a multiple of head_count_kv " +
                                std::to_string(hp.n_head_kv));
  }
  const int64_t default_head_dim = hp.n_embd % hp.n_head == 0 ? hp.n_embd / hp.n_head : 0;
  FAB_ASSIGN_OR_RETURN(hp.head_dim, ReadCount(gguf, p + "attention.key_length", 4096, default_head_dim));
  if (hp.head_dim == 0 || hp.head_dim % 2 != 0) {
    return InvalidArgumentError("attention head size must be a positive even number");
  }
  FAB_ASSIGN_OR_RETURN(hp.n_rot, ReadCount(gguf, p + "rope.dimension_count", hp.head_dim, hp.head_dim));
  if (hp.n_rot % 2 != 0) return InvalidArgumentError(p + "rope.dimension_count must be even");
  FAB_ASSIGN_OR_RETURN(hp.rms_eps, ReadPositiveFloat(gguf, p + "attention.layer_norm_rms_epsilon", 1e-5f));
  FAB_ASSIGN_OR_RETURN(hp.rope_freq_base, ReadPositiveFloat(gguf, p + "rope.freq_base", 10000.0f));
  FAB_RETURN_IF_ERROR(ReadRopeScaling(gguf, arch, hp));
  return hp;
}

}  // namespace fab::model
