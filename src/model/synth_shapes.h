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
  const char* arch;           // "llama", "qwen2" or "qwen3"
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
};

const std::vector<SynthShape>& SynthShapes();
// nullptr when no shape has that name.
const SynthShape* FindSynthShape(std::string_view name);

}  // namespace fab::model
