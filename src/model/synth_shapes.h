// The shapes of real models that `tokenfab model synth` can reproduce with
// random weights (for benchmarks and capacity planning where the real
// weights cannot be downloaded). Plain data.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

namespace fab::model {

struct SynthShape {
  const char* name;           // "tinyllama-1.1b"
  const char* arch;           // general.architecture: llama, qwen2, qwen2moe, qwen3, qwen3moe, gemma2, gemma3, phi3, exaone, exaone4
  int64_t n_embd;
  int64_t n_layer;
  int64_t n_head;
  int64_t n_head_kv;
  int64_t n_ff;
  int64_t n_vocab;
  int64_t n_ctx;
  float rope_freq_base;
  bool tied_embeddings;       // no output.weight (output = token_embd)
  bool llama3_rope_factors;   // writes a Llama-3.1 style rope_freqs.weight
  int64_t head_dim = 0;       // 0: n_embd / n_head; else written as attention.key_length (qwen3)
  // Sliding-window attention (gemma, exaone4): attention.sliding_window and
  // attention.sliding_window_pattern, written when the window is > 0.
  int64_t sliding_window = 0;
  int64_t sliding_window_pattern = 0;
  float rope_freq_base_swa = 0.0f;  // > 0: written as rope.freq_base_swa
  // Mixture of experts (qwen3moe): expert_count, expert_used_count,
  // expert_feed_forward_length.
  int64_t n_expert = 0;
  int64_t n_expert_used = 0;
  int64_t n_ff_expert = 0;
  // A shared expert every token runs (qwen2moe): expert_shared_feed_forward_length.
  int64_t n_ff_shared = 0;
};

const std::vector<SynthShape>& SynthShapes();
// nullptr when no shape has that name.
const SynthShape* FindSynthShape(std::string_view name);

}  // namespace fab::model
