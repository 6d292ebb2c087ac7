// libFuzzer target for what a model file's metadata and tensor table may
// claim: any bytes that parse as GGUF are given to model::CheckLoadable (the
// check `model inspect` and Model::Load run: architecture, hparams within
// limits, every tensor present with its shape and type). It must answer a
// Status, never crash, hang or allocate by a claimed size. A file it accepts
// must hold the hparams' invariants the forward pass relies on: top-k within
// the expert count, windows within the context, a valid attention shape for
// every layer. Seeds (tests/fuzz/corpus/model_check_fuzz) are small files of
// several families, valid and with the malformed keys issue 13 names.
#include <cstddef>
#include <cstdint>

#include "fuzz_support.h"
#include "gguf/gguf_file.h"
#include "model/arch_spec.h"
#include "model/blocks.h"
#include "model/model.h"

using fab::fuzz::Require;

extern "C" const char* __ubsan_default_options() { return "halt_on_error=1:print_stacktrace=1"; }

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  fab::StatusOr<fab::GgufFile> file = fab::GgufFile::Parse(data, size);
  if (!file.ok()) return 0;
  const fab::Status loadable = fab::model::CheckLoadable(*file);
  if (!loadable.ok()) {
    Require(!loadable.message().empty(), "a refusal says why");
    return 0;
  }
  const auto arch = fab::model::FindArch(file->GetString("general.architecture").value());
  Require(arch.ok());
  const auto hp = (*arch)->read_hparams(*file, fab::model::HparamLimits{});
  Require(hp.ok(), "CheckLoadable's hparams read again");
  Require(hp->n_expert_used <= hp->n_expert, "top-k within the expert count");
  Require(hp->sliding_window >= 0, "a window is a count");
  if (file->Find(hp->arch + ".attention.sliding_window") != nullptr) {
    Require(hp->sliding_window <= hp->n_ctx_train, "a window the file sets lies within its context");
  }
  for (int64_t layer = 0; layer < hp->n_layer; ++layer) {
    const fab::kernels::AttentionShape shape = fab::model::AttentionShapeFor(*hp, layer);
    Require(shape.n_head > 0 && shape.n_head_kv > 0 && shape.n_head % shape.n_head_kv == 0, "heads group evenly");
    Require(shape.head_dim > 0 && shape.window >= 0, "a valid attention shape");
  }
  return 0;
}
