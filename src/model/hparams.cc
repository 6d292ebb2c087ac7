#include "model/hparams.h"

#include <algorithm>
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

Status ReadRopeScaling(const GgufFile& gguf, const std::string& arch, ModelHparams& hp) {
  const std::string type_key = arch + ".rope.scaling.type";
  if (gguf.Find(type_key) == nullptr) return OkStatus();
  FAB_ASSIGN_OR_RETURN(std::string type, gguf.GetString(type_key));
  if (type == "none") return OkStatus();
  if (type != "linear") return UnimplementedError("rope scaling type '" + type + "' is not supported");
  FAB_ASSIGN_OR_RETURN(float factor, ReadOptionalPositive(gguf, arch + ".rope.scaling.factor", 1.0f));
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
  FAB_ASSIGN_OR_RETURN(hp.rms_eps, ReadOptionalPositive(gguf, p + "attention.layer_norm_rms_epsilon", 1e-5f));
  FAB_ASSIGN_OR_RETURN(hp.rope_freq_base, ReadOptionalPositive(gguf, p + "rope.freq_base", 10000.0f));
  FAB_RETURN_IF_ERROR(ReadRopeScaling(gguf, arch, hp));
  return hp;
}

StatusOr<float> ReadOptionalPositive(const GgufFile& gguf, const std::string& key, float fallback) {
  if (gguf.Find(key) == nullptr) return fallback;
  FAB_ASSIGN_OR_RETURN(double value, gguf.GetFloat(key));
  if (!std::isfinite(value) || value <= 0.0) {
    return InvalidArgumentError(key + " must be a positive finite number");
  }
  return static_cast<float>(value);
}

Status ReadSlidingWindow(const GgufFile& gguf, const std::string& arch, int64_t default_window,
                         int64_t default_period, float swa_base_default, ModelHparams& hp) {
  const std::string p = arch + ".";
  const std::string window_key = p + "attention.sliding_window";
  int64_t window = default_window;
  if (gguf.Find(window_key) != nullptr) {
    FAB_ASSIGN_OR_RETURN(window, gguf.GetInt(window_key));
    if (window < 0) return InvalidArgumentError(window_key + " = " + std::to_string(window) + " is negative");
  }
  if (window == 0) return OkStatus();
  // A default window beyond the context simply never slides; a file that
  // says so itself is inconsistent.
  if (window > hp.n_ctx_train && gguf.Find(window_key) != nullptr) {
    return InvalidArgumentError(window_key + " = " + std::to_string(window) + " is larger than the context length " +
                                std::to_string(hp.n_ctx_train));
  }
  const std::string pattern_key = p + "attention.sliding_window_pattern";
  int64_t period = default_period;
  if (const GgufValue* value = gguf.Find(pattern_key); value != nullptr) {
    StatusOr<int64_t> read = gguf.GetInt(pattern_key);
    if (!read.ok()) {
      return UnimplementedError(pattern_key + " must be one integer period (per-layer arrays are not supported)");
    }
    period = *read;
  }
  if (period < 0 || period > hp.n_layer) {
    return InvalidArgumentError(pattern_key + " = " + std::to_string(period) + " is outside [0, block_count]");
  }
  hp.sliding_window = window;
  hp.sliding_layers.assign(static_cast<size_t>(hp.n_layer), 0);
  for (int64_t layer = 0; layer < hp.n_layer; ++layer) {
    hp.sliding_layers[layer] = period == 0 || layer % period < period - 1 ? 1 : 0;
  }
  const float swa_base = swa_base_default > 0.0f ? swa_base_default : hp.rope_freq_base;
  FAB_ASSIGN_OR_RETURN(hp.rope_freq_base_swa, ReadOptionalPositive(gguf, p + "rope.freq_base_swa", swa_base));
  return OkStatus();
}

Status ReadExpertCounts(const GgufFile& gguf, const std::string& arch, const HparamLimits& limits,
                        ModelHparams& hp) {
  const std::string p = arch + ".";
  FAB_ASSIGN_OR_RETURN(hp.n_expert, ReadCount(gguf, p + "expert_count", limits.max_experts));
  FAB_ASSIGN_OR_RETURN(hp.n_expert_used, ReadCount(gguf, p + "expert_used_count", hp.n_expert));
  FAB_ASSIGN_OR_RETURN(hp.n_ff_expert, ReadCount(gguf, p + "expert_feed_forward_length", limits.max_ff,
                                                 std::max<int64_t>(1, hp.n_ff / hp.n_expert_used)));
  const std::string shared_key = p + "expert_shared_feed_forward_length";
  if (gguf.Find(shared_key) != nullptr) {
    FAB_ASSIGN_OR_RETURN(hp.n_ff_shared, ReadCount(gguf, shared_key, limits.max_ff));
  }
  return OkStatus();
}

}  // namespace fab::model
