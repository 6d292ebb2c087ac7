// ArchSpec: everything that distinguishes one architecture from another,
// owned by its file model/arch/<name>.cc: how its hparams are read, how its
// weights are bound and how its layer composes the shared blocks. Arch files
// build these from the shared readers (hparams.h), binders (weights.h) and
// blocks (blocks.h). The registry (model/arch/registry.cc) is the one list
// that maps `general.architecture` to a spec; adding an architecture is one
// file under model/arch/ plus one line there. Specs are immutable statics.
#pragma once

#include <string_view>

#include "base/status.h"
#include "gguf/gguf_file.h"
#include "model/blocks.h"
#include "model/hparams.h"
#include "model/weights.h"

namespace fab::model {

struct ArchSpec {
  const char* name;  // as in general.architecture
  // Reads and validates the hparams of a file of this architecture (its
  // `<name>.*` keys, capped by `limits`), including the traits the
  // architecture fixes (rope_style, has_qkv_bias). n_vocab stays 0.
  StatusOr<ModelHparams> (*read_hparams)(const GgufFile& gguf, const HparamLimits& limits);
  // Binds and validates every weight tensor against `hp` and sets
  // hp.n_vocab. The views are valid while `gguf` lives.
  StatusOr<ModelWeights> (*bind_weights)(const GgufFile& gguf, ModelHparams& hp);
  // One transformer layer over the shared blocks.
  void (*forward_layer)(const LayerContext& ctx);
};

const ArchSpec& LlamaArch();
const ArchSpec& Qwen2Arch();
const ArchSpec& Qwen2MoeArch();
const ArchSpec& Qwen3Arch();
const ArchSpec& Qwen3MoeArch();
const ArchSpec& Gemma2Arch();
const ArchSpec& Gemma3Arch();
const ArchSpec& Phi3Arch();
const ArchSpec& ExaoneArch();
const ArchSpec& Exaone4Arch();

// The spec registered for `name`; UnimplementedError naming the supported
// architectures when there is none.
StatusOr<const ArchSpec*> FindArch(std::string_view name);

}  // namespace fab::model
