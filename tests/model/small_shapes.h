// Small synthetic shapes of every architecture family, for tests that must
// stay fast: 128-wide, a few layers, a 600-token generated vocabulary.
// Families beyond the architecture names:
//   "llama-swa"       llama with attention.sliding_window (every layer slides)
//   "gemma2", "gemma3" sliding-window layers with a window of kTestWindow, so
//                     prompts of a few dozen tokens cross it
//   "qwen3moe"        16 experts, 4 per token, 64 wide
//   "qwen2moe"        the same with a 128-wide shared expert
//   "exaone4-swa"     exaone4 with 64 layers: the layer count that gets
//                     sliding windows (and global layers without RoPE)
#pragma once

#include <string>
#include <string_view>

#include "model/synth_shapes.h"

namespace fab::model {

inline constexpr int64_t kTestWindow = 24;

inline SynthShape SmallShapeOf(std::string_view family) {
  //                    name    arch     embd lay head kv  ff   vocab ctx  base      tied   llama3
  SynthShape shape{"test", "llama", 128, 2, 4, 2, 256, 600, 512, 10000.0f, false, false};
  if (family == "llama") return shape;
  if (family == "llama-swa") {
    shape.sliding_window = kTestWindow;
    return shape;
  }
  shape.tied_embeddings = true;
  if (family == "qwen2") {
    shape.arch = "qwen2";
  } else if (family == "qwen3") {
    shape.arch = "qwen3";
    shape.head_dim = 64;
  } else if (family == "qwen3moe") {
    shape.arch = "qwen3moe";
    shape.head_dim = 64;
    shape.n_expert = 16;
    shape.n_expert_used = 4;
    shape.n_ff_expert = 64;
  } else if (family == "qwen2moe") {
    shape.arch = "qwen2moe";
    shape.tied_embeddings = false;
    shape.n_expert = 16;
    shape.n_expert_used = 4;
    shape.n_ff_expert = 64;
    shape.n_ff_shared = 128;
  } else if (family == "gemma2") {
    shape.arch = "gemma2";
    shape.sliding_window = kTestWindow;
    shape.sliding_window_pattern = 2;  // layer 0 slides, layer 1 is global
  } else if (family == "gemma3") {
    shape.arch = "gemma3";
    shape.n_layer = 3;
    shape.head_dim = 64;
    shape.rope_freq_base = 1000000.0f;
    shape.rope_freq_base_swa = 10000.0f;
    shape.sliding_window = kTestWindow;
    shape.sliding_window_pattern = 3;  // layers 0 and 1 slide, layer 2 is global
  } else if (family == "phi3") {
    shape.arch = "phi3";
    shape.tied_embeddings = false;
  } else if (family == "exaone") {
    shape.arch = "exaone";
  } else if (family == "exaone4") {
    shape.arch = "exaone4";
  } else if (family == "exaone4-swa") {
    shape.arch = "exaone4";
    shape.n_embd = 64;
    shape.n_layer = 64;
    shape.n_ff = 128;
    shape.sliding_window = kTestWindow;
    shape.sliding_window_pattern = 4;
  }
  return shape;
}

}  // namespace fab::model
