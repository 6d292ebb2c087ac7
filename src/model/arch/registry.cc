// The architecture registry: the one list of supported architectures. To add
// one, write model/arch/<name>.cc defining its ArchSpec and list it here.
#include <span>
#include <string>

#include "model/arch_spec.h"

namespace fab::model {
namespace {

std::span<const ArchSpec* const> RegisteredArchs() {
  static const ArchSpec* const kArchs[] = {&LlamaArch(),   &Qwen2Arch(),  &Qwen2MoeArch(), &Qwen3Arch(),
                                           &Qwen3MoeArch(), &Gemma2Arch(), &Gemma3Arch(),   &Phi3Arch(),
                                           &ExaoneArch(),   &Exaone4Arch()};
  return kArchs;
}

}  // namespace

StatusOr<const ArchSpec*> FindArch(std::string_view name) {
  std::string supported;
  for (const ArchSpec* spec : RegisteredArchs()) {
    if (name == spec->name) return spec;
    supported += (supported.empty() ? "" : ", ") + std::string(spec->name);
  }
  return UnimplementedError("general.architecture '" + std::string(name) + "' is not supported (supported: " +
                            supported + ")");
}

}  // namespace fab::model
