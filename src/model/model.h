// Model: a loaded GGUF transformer: the mapped file, its hparams, its bound
// weights and its architecture, whose ArchSpec (found by general.architecture)
// read the hparams and bound the weights. Immutable after Load; share it between
// sessions and threads freely. Weights are read from the mmap in place,
// except matrices repacked at load (LoadOptions::repack_weights), which the
// model owns.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "base/status.h"
#include "gguf/gguf_file.h"
#include "model/arch_spec.h"
#include "model/hparams.h"
#include "model/weights.h"

namespace fab::model {

struct LoadOptions {
  // Called with the fraction of weight bytes paged in so far (0..1) while
  // Load touches every page, so the first forward pass does not stall.
  std::function<void(double fraction)> on_progress;
  bool prefault = true;
  // Repack q4_0 / q8_0 matrices into 16-row panels (kernels/packed_weights.h)
  // and drop their file pages. Unset: when the active kernel table prefers
  // packed weights (AVX-512 VNNI).
  std::optional<bool> repack_weights;
};

// What Model::Load checks before it repacks anything: the architecture
// (general.architecture) is supported, its hparams are within limits, and
// every tensor it needs is present with the right shape and type. The error
// names the key or tensor. `model inspect` uses it to say whether a file
// loads.
Status CheckLoadable(const GgufFile& gguf);

class Model {
 public:
  static StatusOr<std::unique_ptr<Model>> Load(const std::string& path, const LoadOptions& options = {});

  const GgufFile& gguf() const { return gguf_; }
  const ModelHparams& hparams() const { return hparams_; }
  const ModelWeights& weights() const { return weights_; }
  const ArchSpec& arch() const { return *arch_; }

 private:
  Model(GgufFile gguf, ModelHparams hparams, ModelWeights weights, const ArchSpec* arch);

  GgufFile gguf_;
  ModelHparams hparams_;
  ModelWeights weights_;
  const ArchSpec* arch_;
};

}  // namespace fab::model
