#include "kernels/dispatch.h"

#include <cstdlib>
#include <string_view>

#include "platform/cpu_features.h"

namespace fab::kernels {
namespace {

KernelTable MakeTable(Isa isa) {
  switch (isa) {
    case Isa::kScalar: return KernelTable{isa, MakeQuantOpsScalar(), MakeFloatOpsScalar()};
    case Isa::kAvx2: return KernelTable{isa, MakeQuantOpsAvx2(), MakeFloatOpsAvx2()};
    case Isa::kAvx512: return KernelTable{isa, MakeQuantOpsAvx512(), MakeFloatOpsAvx512()};
  }
  return KernelTable{Isa::kScalar, MakeQuantOpsScalar(), MakeFloatOpsScalar()};
}

bool CpuRuns(Isa isa) {
  const CpuFeatures& cpu = GetCpuFeatures();
  switch (isa) {
    case Isa::kScalar: return true;
    case Isa::kAvx2: return cpu.HasAvx2Set();
    case Isa::kAvx512: return cpu.HasAvx512Set() && cpu.avx512vnni;
  }
  return false;
}

}  // namespace

const char* IsaName(Isa isa) {
  switch (isa) {
    case Isa::kScalar: return "scalar";
    case Isa::kAvx2: return "avx2";
    case Isa::kAvx512: return "avx512";
  }
  return "unknown";
}

const KernelTable* KernelsFor(Isa isa) {
  // Each table is built only on a CPU that runs it: the builders live in
  // their ISA's translation unit and may themselves use its instructions.
  if (!CpuRuns(isa)) return nullptr;
  switch (isa) {
    case Isa::kScalar: {
      static const KernelTable table = MakeTable(Isa::kScalar);
      return &table;
    }
    case Isa::kAvx2: {
      static const KernelTable table = MakeTable(Isa::kAvx2);
      return &table;
    }
    case Isa::kAvx512: {
      static const KernelTable table = MakeTable(Isa::kAvx512);
      return &table;
    }
  }
  return nullptr;
}

const KernelTable& ActiveKernels() {
  static const KernelTable* active = [] {
    Isa limit = Isa::kAvx512;
    if (const char* env = std::getenv("TOKENFAB_ISA")) {
      std::string_view name(env);
      if (name == "scalar") limit = Isa::kScalar;
      if (name == "avx2") limit = Isa::kAvx2;
    }
    for (int level = static_cast<int>(limit); level >= 0; --level) {
      if (const KernelTable* table = KernelsFor(static_cast<Isa>(level))) return table;
    }
    return KernelsFor(Isa::kScalar);
  }();
  return *active;
}

}  // namespace fab::kernels
