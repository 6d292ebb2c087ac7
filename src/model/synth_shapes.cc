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
      {"gemma-2-2b", "gemma2", 2304, 26, 8, 4, 9216, 256000, 8192, 10000.0f, true, false, 256, 4096, 2},
      {"gemma-3-1b", "gemma3", 1152, 26, 4, 1, 6912, 262144, 32768, 1000000.0f, true, false, 256, 512, 6, 10000.0f},
      {"phi-3-mini", "phi3", 3072, 32, 32, 32, 8192, 32064, 4096, 10000.0f, false, false},
      {"exaone-3.5-2.4b", "exaone", 2560, 30, 32, 8, 7168, 102400, 32768, 1000000.0f, true, false},
      {"exaone-4.0-1.2b", "exaone4", 2048, 30, 32, 8, 4096, 102400, 65536, 1000000.0f, true, false, 64},
      // Qwen3-30B-A3B's widths, attention and routing (8 of the experts per
      // token, 768 wide), with 12 of its 48 layers and 32 of its 128 experts
      // so that a Q4_K_M file (1.6 GB) fits a small machine.
      {"qwen3-30b-a3b-scaled", "qwen3moe", 2048, 12, 32, 4, 6144, 151936, 40960, 1000000.0f, false, false, 128, 0, 0,
       0.0f, 32, 8, 768},
      // Small models of each family for tests and fidelity checks against
      // llama.cpp: 256 wide, a window of 32 where the family slides.
      {"qwen3-tiny", "qwen3", 256, 2, 4, 2, 768, 32000, 2048, 1000000.0f, true, false, 128},
      {"qwen3moe-tiny", "qwen3moe", 256, 2, 4, 2, 768, 32000, 2048, 1000000.0f, false, false, 128, 0, 0, 0.0f, 16,
       4, 128},
      {"qwen2moe-tiny", "qwen2moe", 256, 2, 4, 2, 768, 32000, 2048, 1000000.0f, false, false, 0, 0, 0, 0.0f, 16, 4,
       128, 384},
      {"gemma2-tiny", "gemma2", 256, 2, 4, 2, 768, 32000, 2048, 10000.0f, true, false, 128, 32, 2},
      {"gemma3-tiny", "gemma3", 256, 3, 4, 2, 768, 32000, 2048, 1000000.0f, true, false, 128, 32, 3, 10000.0f},
      {"phi3-tiny", "phi3", 256, 2, 4, 4, 768, 32000, 2048, 10000.0f, false, false},
      {"exaone-tiny", "exaone", 256, 2, 4, 2, 768, 32000, 2048, 1000000.0f, true, false},
      {"exaone4-tiny", "exaone4", 256, 2, 4, 2, 768, 32000, 2048, 1000000.0f, true, false, 64},
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
