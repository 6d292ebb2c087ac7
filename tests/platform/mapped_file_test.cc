#include "platform/mapped_file.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

namespace fab {
namespace {

TEST(MappedFile, MapsTheBytesOfAFile) {
  const std::string path = (std::filesystem::temp_directory_path() / "tokenfab_mapped_file_test.bin").string();
  {
    std::ofstream out(path, std::ios::binary);
    out << "tokenfab";
  }
  auto file = MappedFile::Open(path);
  ASSERT_TRUE(file.ok()) << file.status().ToString();
  ASSERT_EQ(file->size(), 8u);
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(file->data()), 8), "tokenfab");
}

TEST(MappedFile, MissingFileIsNotFound) {
  auto file = MappedFile::Open("/nonexistent/tokenfab.gguf");
  ASSERT_FALSE(file.ok());
  EXPECT_EQ(file.status().code(), StatusCode::kNotFound);
  EXPECT_NE(file.status().message().find("/nonexistent/tokenfab.gguf"), std::string::npos);
}

TEST(MappedFile, DirectoryIsRejected) {
  auto file = MappedFile::Open(std::filesystem::temp_directory_path().string());
  ASSERT_FALSE(file.ok());
  EXPECT_EQ(file.status().code(), StatusCode::kInvalidArgument);
}

TEST(MappedFile, EmptyFileMapsToNothing) {
  const std::string path = (std::filesystem::temp_directory_path() / "tokenfab_mapped_empty.bin").string();
  std::ofstream(path, std::ios::binary).close();
  auto file = MappedFile::Open(path);
  ASSERT_TRUE(file.ok());
  EXPECT_EQ(file->size(), 0u);
  EXPECT_EQ(file->data(), nullptr);
}

}  // namespace
}  // namespace fab
