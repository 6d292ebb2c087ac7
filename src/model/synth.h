// SynthesizeModel: writes a GGUF model with a real model's shapes and random
// weights, scaled so activations stay finite through every layer. Used for
// benchmarks and capacity planning where real weights cannot be downloaded,
// and for the built-in demo model. Deterministic for a given seed.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "base/status.h"
#include "model/quant_mix.h"
#include "model/synth_shapes.h"
#include "platform/thread_pool.h"
#include "tensor/dtype.h"

namespace fab::model {

struct SynthOptions {
  const SynthShape* shape = nullptr;
  DType quant = DType::kQ8_0;    // type of every matrix (norms stay f32) when mix is kPure
  QuantMix mix = QuantMix::kPure;  // else each tensor's type as llama.cpp's quantizer picks it
  std::string vocab_from;        // a GGUF whose tokenizer.* metadata is copied; empty = generated
  std::string out_path;
  uint64_t seed = 1;
  std::function<void(double fraction)> on_progress;
};

// Matrices whose row length is not a multiple of `quant`'s block size fall
// back to q8_0 (or f16), as llama.cpp's quantizer does; the tensor table of
// the written file says which.
Status SynthesizeModel(const SynthOptions& options, ThreadPool& pool);

}  // namespace fab::model
