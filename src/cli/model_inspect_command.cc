// `tokenfab model inspect FILE [--json]`: metadata and the tensor table,
// then exit 1 naming the key or tensor when a model file would not load.
#include <cstdio>
#include <string>

#include <boost/json.hpp>

#include "cli/command_options.h"
#include "cli/model_loader.h"
#include "gguf/gguf_file.h"
#include "model/model.h"

namespace fab::cli {
namespace {

constexpr size_t kMaxValueChars = 100;
constexpr size_t kJsonArrayHead = 16;

std::string ShapeText(const GgufTensorInfo& tensor) {
  std::string s;
  for (int i = 0; i < tensor.n_dims; ++i) s += (i ? " x " : "") + std::to_string(tensor.view.ne[i]);
  return s;
}

boost::json::value ValueToJson(const GgufValue& value) {
  if (const std::vector<GgufValue>* array = value.AsArray()) {
    boost::json::array head;
    for (size_t i = 0; i < array->size() && i < kJsonArrayHead; ++i) head.push_back(ValueToJson((*array)[i]));
    return boost::json::object{{"type", "array"},
                               {"element_type", GgufValueTypeName(value.array_element_type())},
                               {"length", array->size()},
                               {"head", std::move(head)}};
  }
  if (const std::string* text = value.AsString()) return boost::json::string(*text);
  if (value.type() == GgufValueType::kBool) return *value.AsBool();
  if (auto as_uint = value.AsUint()) return *as_uint;
  if (value.is_integer()) return *value.AsInt();
  return *value.AsFloat();
}

void PrintJson(const GgufFile& gguf) {
  boost::json::object metadata;
  for (const auto& [key, value] : gguf.metadata()) metadata[key] = ValueToJson(value);
  boost::json::array tensors;
  for (const GgufTensorInfo& t : gguf.tensors()) {
    boost::json::array shape(t.view.ne, t.view.ne + t.n_dims);
    tensors.push_back(boost::json::object{{"name", t.name}, {"dtype", DTypeName(t.dtype)}, {"shape", std::move(shape)},
                                          {"offset", t.offset_in_data}, {"bytes", t.n_bytes}});
  }
  boost::json::object root{{"version", gguf.version()}, {"alignment", gguf.alignment()},
                           {"data_offset", gguf.data_offset()}, {"file_bytes", gguf.size()},
                           {"metadata", std::move(metadata)}, {"tensors", std::move(tensors)}};
  std::printf("%s\n", boost::json::serialize(root).c_str());
}

void PrintHuman(const std::string& path, const GgufFile& gguf) {
  std::printf("%s: GGUF v%u, %zu bytes, %zu metadata keys, %zu tensors, alignment %zu\n\n", path.c_str(),
              gguf.version(), gguf.size(), gguf.metadata().size(), gguf.tensors().size(), gguf.alignment());
  for (const auto& [key, value] : gguf.metadata()) {
    std::printf("  %-44s %s\n", key.c_str(), value.ToShortString(kMaxValueChars).c_str());
  }
  std::printf("\n  %-36s %-6s %-22s %14s\n", "tensor", "type", "shape", "bytes");
  int64_t total = 0;
  for (const GgufTensorInfo& t : gguf.tensors()) {
    std::printf("  %-36s %-6s %-22s %14lld\n", t.name.c_str(), DTypeName(t.dtype), ShapeText(t).c_str(),
                static_cast<long long>(t.n_bytes));
    total += t.n_bytes;
  }
  std::printf("\n  %zu tensors, %.1f MiB of weights\n", gguf.tensors().size(), total / 1048576.0);
}

}  // namespace

int RunModelInspect(const InspectOptions& options) {
  auto gguf = GgufFile::Open(options.model_path);
  if (!gguf.ok()) return ReportError(gguf.status());
  if (options.json) {
    PrintJson(*gguf);
  } else {
    PrintHuman(options.model_path, *gguf);
  }
  // A file with tensors is a model: say (exit 1) when it would not load.
  // Vocabulary-only files (model vocab) have none and are not checked.
  if (gguf->tensors().empty()) return 0;
  std::fflush(stdout);
  if (Status loadable = model::CheckLoadable(*gguf); !loadable.ok()) {
    return ReportError(loadable.WithContext("the model does not load"));
  }
  return 0;
}

}  // namespace fab::cli
