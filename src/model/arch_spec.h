// ArchSpec: what distinguishes one architecture (model/arch/<name>.cc) from
// another: its RoPE layout, its biases and the way its layer composes the
// shared blocks. The registry maps `general.architecture` to a spec.
#pragma once

#include <string_view>

#include "kernels/ops.h"
#include "model/blocks.h"

namespace fab::model {

struct ArchSpec {
  const char* name;  // as in general.architecture
  kernels::RopeStyle rope_style;
  bool has_qkv_bias;
  void (*forward_layer)(const LayerContext& ctx);  // one transformer layer
};

const ArchSpec& LlamaArch();
const ArchSpec& Qwen2Arch();

// The spec for `name`, or nullptr when the architecture is not supported.
const ArchSpec* FindArch(std::string_view name);

}  // namespace fab::model
