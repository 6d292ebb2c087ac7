#include "model/arch_spec.h"

namespace fab::model {

const ArchSpec* FindArch(std::string_view name) {
  for (const ArchSpec* spec : {&LlamaArch(), &Qwen2Arch()}) {
    if (name == spec->name) return spec;
  }
  return nullptr;
}

}  // namespace fab::model
