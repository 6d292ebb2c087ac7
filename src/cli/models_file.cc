#include "cli/models_file.h"

#include <toml++/toml.h>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace fab::cli {
namespace {

constexpr size_t kMaxModelsFileBytes = 1 << 20;
constexpr size_t kMaxModels = 64;

}  // namespace

StatusOr<std::vector<ModelEntry>> ReadModelsFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return NotFoundError("cannot open the models file " + path);
  std::ostringstream text;
  text << in.rdbuf();
  if (text.str().size() > kMaxModelsFileBytes) return InvalidArgumentError(path + ": larger than 1 MiB");
  toml::table root;
  try {
    root = toml::parse(text.str());
  } catch (const toml::parse_error& error) {
    return InvalidArgumentError(path + ": line " + std::to_string(error.source().begin.line) + ": " +
                                std::string(error.description()));
  }
  for (const auto& [key, node] : root) {
    if (key.str() != "model") {
      return InvalidArgumentError(path + ": '" + std::string(key.str()).substr(0, 64) + "' is not known ([[model]] is)");
    }
  }
  const toml::array* list = root["model"].as_array();
  if (list == nullptr || list->empty()) return InvalidArgumentError(path + ": no [[model]] entries");
  if (list->size() > kMaxModels) return InvalidArgumentError(path + ": more than 64 models");
  const std::filesystem::path folder = std::filesystem::path(path).parent_path();
  std::vector<ModelEntry> entries;
  for (size_t i = 0; i < list->size(); ++i) {
    const std::string where = path + ": model " + std::to_string(i + 1) + ": ";
    const toml::table* table = (*list)[i].as_table();
    if (table == nullptr) return InvalidArgumentError(where + "not a table");
    ModelEntry entry;
    for (const auto& [key, node] : *table) {
      const std::string name(key.str());
      const auto text_of = [&](std::string* out) -> Status {
        if (!node.is_string()) return InvalidArgumentError(where + "'" + name + "' must be a string");
        *out = node.as_string()->get();
        return OkStatus();
      };
      const auto count_of = [&](std::optional<int32_t>* out) -> Status {
        if (!node.is_integer() || node.as_integer()->get() < 1 || node.as_integer()->get() > (1 << 20)) {
          return InvalidArgumentError(where + "'" + name + "' must be a whole number from 1 to 1048576");
        }
        *out = static_cast<int32_t>(node.as_integer()->get());
        return OkStatus();
      };
      std::string value;
      if (name == "name") {
        FAB_RETURN_IF_ERROR(text_of(&entry.name));
      } else if (name == "path") {
        FAB_RETURN_IF_ERROR(text_of(&value));
        const std::filesystem::path file(value);
        entry.path = file.is_absolute() || folder.empty() ? value : (folder / file).string();
      } else if (name == "kv_cache") {
        FAB_RETURN_IF_ERROR(text_of(&value));
        entry.kv_cache = value;
      } else if (name == "kv_dtype") {
        FAB_RETURN_IF_ERROR(text_of(&value));
        entry.kv_dtype = value;
      } else if (name == "max_num_seqs") {
        FAB_RETURN_IF_ERROR(count_of(&entry.max_num_seqs));
      } else if (name == "max_waiting") {
        FAB_RETURN_IF_ERROR(count_of(&entry.max_waiting));
      } else {
        return InvalidArgumentError(where + "'" + name.substr(0, 64) +
                                    "' is not known (name, path, kv_cache, kv_dtype, max_num_seqs, max_waiting are)");
      }
    }
    if (entry.path.empty()) return InvalidArgumentError(where + "'path' is required");
    entries.push_back(std::move(entry));
  }
  return entries;
}

}  // namespace fab::cli
