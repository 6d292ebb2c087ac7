// Every .gguf under FAB_SHARED_DIR/models opens, names its architecture and
// keeps all tensors inside the file; every fuzz seed is a valid file.
// Skipped when the directories are absent.
#include <filesystem>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "gguf/gguf_file.h"

namespace fab {
namespace {

namespace fs = std::filesystem;

std::vector<std::string> FilesIn(const fs::path& dir, const std::string& extension) {
  std::vector<std::string> paths;
  std::error_code error;
  if (!fs::is_directory(dir, error)) return paths;
  for (const fs::directory_entry& entry : fs::directory_iterator(dir, error)) {
    if (entry.is_regular_file() && (extension.empty() || entry.path().extension() == extension)) {
      paths.push_back(entry.path().string());
    }
  }
  return paths;
}

TEST(GgufSharedModels, EveryModelOpensWithTensorsInsideTheFile) {
  std::vector<std::string> paths = FilesIn(fs::path(FAB_SHARED_DIR) / "models", ".gguf");
  if (paths.empty()) GTEST_SKIP() << "no .gguf files under " << FAB_SHARED_DIR << "/models";
  for (const std::string& path : paths) {
    SCOPED_TRACE(path);
    StatusOr<GgufFile> file = GgufFile::Open(path);
    ASSERT_TRUE(file.ok()) << file.status().ToString();
    EXPECT_GT(file->tensors().size(), 0u);
    StatusOr<std::string> architecture = file->GetString("general.architecture");
    ASSERT_TRUE(architecture.ok()) << architecture.status().ToString();
    EXPECT_FALSE(architecture->empty());
    const uint8_t* data_begin = file->data() + file->data_offset();
    const uint8_t* file_end = file->data() + file->size();
    for (const GgufTensorInfo& info : file->tensors()) {
      const uint8_t* tensor_data = static_cast<const uint8_t*>(info.view.data);
      EXPECT_GE(tensor_data, data_begin) << info.name;
      EXPECT_LE(tensor_data + info.n_bytes, file_end) << info.name;
      EXPECT_EQ(info.view.n_bytes(), info.n_bytes) << info.name;
    }
  }
}

TEST(GgufFuzzSeeds, EverySeedIsAValidSmallFile) {
  std::vector<std::string> paths = FilesIn(fs::path(FAB_SOURCE_DIR) / "tests/fuzz/corpus/gguf_reader_fuzz", "");
  if (paths.empty()) GTEST_SKIP() << "no seed corpus";
  for (const std::string& path : paths) {
    SCOPED_TRACE(path);
    EXPECT_LT(fs::file_size(path), 10u * 1024);
    StatusOr<GgufFile> file = GgufFile::Open(path);
    EXPECT_TRUE(file.ok()) << file.status().ToString();
  }
}

}  // namespace
}  // namespace fab
