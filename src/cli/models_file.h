// `tokenfab serve --models models.toml`: the models one server serves, each
// with its name, file and settings:
//   [[model]]
//   name = "tinyllama-q4"            # the API name (default: the file name without .gguf)
//   path = "tl-q4_0.gguf"            # required; relative to the TOML file's folder
//   kv_cache = "16k"                 # as --kv-cache
//   kv_dtype = "q8_0"                # as --kv-dtype
//   max_num_seqs = 16                # as --max-num-seqs
//   max_waiting = 64                 # as --max-waiting
// Settings a model leaves out are the command line's. Unknown keys, wrong
// types and an empty list are refused naming the entry. Pure; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/status.h"

namespace fab::cli {

struct ModelEntry {
  std::string name;  // empty: from the file name
  std::string path;
  std::optional<std::string> kv_cache;
  std::optional<std::string> kv_dtype;
  std::optional<int32_t> max_num_seqs;
  std::optional<int32_t> max_waiting;
};

StatusOr<std::vector<ModelEntry>> ReadModelsFile(const std::string& path);

}  // namespace fab::cli
