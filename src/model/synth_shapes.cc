#include "model/synth_shapes.h"

namespace fab::model {

const std::vector<SynthShape>& SynthShapes() {
  // Figures from each model's published config.json.
  static const std::vector<SynthShape> shapes = {
      {"tinyllama-1.1b", "llama", 2048, 22, 32, 4, 5632, 32000, 2048, 10000.0f, false, false},
      {"llama-3.2-1b", "llama", 2048, 16, 32, 8, 8192, 128256, 8192, 500000.0f, true, true},
      {"llama-3.1-8b", "llama", 4096, 32, 32, 8, 14336, 128256, 8192, 500000.0f, false, true},
      {"qwen2.5-0.5b", "qwen2", 896, 24, 14, 2, 4864, 151936, 32768, 1000000.0f, true, false},
      {"qwen2.5-1.5b", "qwen2", 1536, 28, 12, 2, 8960, 151936, 32768, 1000000.0f, true, false},
      {"qwen3-0.6b", "qwen3", 1024, 28, 16, 8, 3072, 151936, 40960, 1000000.0f, true, false, 128},
      {"qwen3-1.7b", "qwen3", 2048, 28, 16, 8, 6144, 151936, 40960, 1000000.0f, true, false, 128},
      // A small model for demos and tests (make run's default): seconds to make.
      {"demo-tiny", "llama", 256, 4, 4, 2, 768, 32000, 2048, 10000.0f, false, false},
  };
  return shapes;
}

const SynthShape* FindSynthShape(std::string_view name) {
  for (const SynthShape& shape : SynthShapes()) {
    if (name == shape.name) return &shape;
  }
  return nullptr;
}

}  // namespace fab::model
