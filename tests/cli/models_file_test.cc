// The --models file: entries give names, paths relative to the file and
// per-model settings; unknown keys, wrong types, a missing path and an
// empty list are refused naming the entry.
#include "cli/models_file.h"

#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

namespace fab::cli {
namespace {

namespace fs = std::filesystem;

std::string Write(const std::string& name, const std::string& text) {
  const fs::path dir = fs::temp_directory_path() / ("tokenfab_models_file_" + std::to_string(getpid()));
  fs::create_directories(dir);
  std::ofstream(dir / name) << text;
  return (dir / name).string();
}

TEST(ModelsFile, ReadsNamesPathsAndSettings) {
  const std::string path = Write("models.toml", R"([[model]]
name = "small"
path = "a.gguf"
kv_cache = "16k"
kv_dtype = "q8_0"
max_num_seqs = 8
max_waiting = 32

[[model]]
path = "/abs/b.gguf"
)");
  const StatusOr<std::vector<ModelEntry>> entries = ReadModelsFile(path);
  ASSERT_TRUE(entries.ok()) << entries.status().ToString();
  ASSERT_EQ(entries->size(), 2u);
  EXPECT_EQ((*entries)[0].name, "small");
  EXPECT_EQ((*entries)[0].path, (fs::path(path).parent_path() / "a.gguf").string());
  EXPECT_EQ((*entries)[0].kv_cache, "16k");
  EXPECT_EQ((*entries)[0].kv_dtype, "q8_0");
  EXPECT_EQ((*entries)[0].max_num_seqs, 8);
  EXPECT_EQ((*entries)[0].max_waiting, 32);
  EXPECT_EQ((*entries)[1].path, "/abs/b.gguf");
  EXPECT_FALSE((*entries)[1].kv_cache);
}

TEST(ModelsFile, RefusesWhatItDoesNotKnowNamingTheEntry) {
  const std::pair<std::string, std::string> cases[] = {
      {"[[model]]\npath = \"a.gguf\"\ncolour = \"red\"\n", "model 1: 'colour' is not known"},
      {"[[model]]\nname = \"x\"\n", "model 1: 'path' is required"},
      {"[[model]]\npath = \"a.gguf\"\n[[model]]\npath = \"b.gguf\"\nmax_num_seqs = 0\n", "model 2: 'max_num_seqs'"},
      {"[[model]]\npath = 3\n", "'path' must be a string"},
      {"[server]\nport = 1\n", "'server' is not known"},
      {"", "no [[model]] entries"},
      {"[[model]\n", "line 1"},
  };
  int i = 0;
  for (const auto& [text, part] : cases) {
    const StatusOr<std::vector<ModelEntry>> entries = ReadModelsFile(Write("case" + std::to_string(i++) + ".toml", text));
    ASSERT_FALSE(entries.ok()) << text;
    EXPECT_NE(entries.status().message().find(part), std::string::npos) << entries.status().message();
  }
  EXPECT_FALSE(ReadModelsFile("/nonexistent/models.toml").ok());
}

}  // namespace
}  // namespace fab::cli
