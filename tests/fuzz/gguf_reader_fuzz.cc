// libFuzzer target for the GGUF reader: any bytes given to GgufFile::Parse
// must give a file or a Status, never a crash, leak, hang or UB. A file that
// parses is also read in full (every value rendered and fetched, every
// tensor byte range touched) and rewritten with GgufWriter: the rewrite must
// parse, and rewriting that must give the same bytes (writer/reader agree).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <vector>

#include "fuzz_support.h"
#include "gguf/gguf_file.h"
#include "gguf/gguf_writer.h"

namespace {

// Rewrites above this alignment produce >= 1 MiB per input: skip them.
constexpr size_t kMaxRewriteAlignment = 4096;

using fab::fuzz::Require;

void ReadEverything(const fab::GgufFile& file) {
  for (const auto& [key, value] : file.metadata()) {
    Require(file.Find(key) == &value);
    (void)value.ToShortString(64);
    (void)value.ToShortString(2);
    (void)file.GetInt(key);
    (void)file.GetFloat(key);
    (void)file.GetString(key);
    (void)file.GetBool(key);
  }
  for (const fab::GgufTensorInfo& info : file.tensors()) {
    Require(file.FindTensor(info.name) == &info);
    Require(info.view.n_bytes() == info.n_bytes);
    if (info.n_bytes == 0) continue;
    const volatile uint8_t* bytes = static_cast<const uint8_t*>(info.view.data);
    (void)bytes[0];
    (void)bytes[info.n_bytes - 1];
  }
}

fab::StatusOr<std::vector<uint8_t>> Rewrite(const fab::GgufFile& file) {
  fab::GgufWriter writer;
  for (const auto& [key, value] : file.metadata()) writer.Add(key, value);
  for (const fab::GgufTensorInfo& info : file.tensors()) {
    const uint8_t* data = static_cast<const uint8_t*>(info.view.data);
    std::vector<int64_t> shape(info.ne, info.ne + info.n_dims);
    writer.AddTensor(info.name, info.dtype, shape, std::vector<uint8_t>(data, data + info.n_bytes));
  }
  return writer.WriteToBytes();
}

}  // namespace

// Undefined behaviour is a finding, not a warning: stop at the first report.
extern "C" const char* __ubsan_default_options() { return "halt_on_error=1:print_stacktrace=1"; }

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  fab::StatusOr<fab::GgufFile> file = fab::GgufFile::Parse(data, size);
  if (!file.ok()) return 0;
  ReadEverything(*file);
  if (file->alignment() > kMaxRewriteAlignment) return 0;

  fab::StatusOr<std::vector<uint8_t>> first = Rewrite(*file);
  Require(first.ok());
  fab::StatusOr<fab::GgufFile> reparsed = fab::GgufFile::Parse(first->data(), first->size());
  Require(reparsed.ok());
  Require(reparsed->metadata().size() == file->metadata().size());
  Require(reparsed->tensors().size() == file->tensors().size());
  fab::StatusOr<std::vector<uint8_t>> second = Rewrite(*reparsed);
  Require(second.ok() && *second == *first);
  return 0;
}
