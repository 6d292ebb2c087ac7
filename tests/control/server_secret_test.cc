#include "control/server_secret.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>

namespace fab::control {
namespace {

class ServerSecretTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (std::filesystem::temp_directory_path() / "tokenfab-secret-XXXXXX").string();
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  void Write(const std::string& path, const std::string& contents, mode_t mode) {
    std::ofstream(path) << contents;
    ASSERT_EQ(chmod(path.c_str(), mode), 0);
  }

  std::string dir_;
};

TEST_F(ServerSecretTest, CreatesAMode0600FileOfRandomHexOnFirstUseAndReadsItAfter) {
  const std::string path = dir_ + "/sub/secret";
  StatusOr<ServerSecret> created = LoadOrCreateServerSecret(path);
  ASSERT_TRUE(created.ok()) << created.status().ToString();
  EXPECT_EQ(created->key.size(), 64u);
  struct stat info {};
  ASSERT_EQ(stat(path.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600u);
  StatusOr<ServerSecret> again = LoadOrCreateServerSecret(path);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->key, created->key);
}

TEST_F(ServerSecretTest, RefusesAFileThatGroupOrOthersMayRead) {
  const std::string path = dir_ + "/secret";
  Write(path, std::string(40, 'x'), 0644);
  StatusOr<ServerSecret> secret = LoadOrCreateServerSecret(path);
  EXPECT_EQ(secret.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(secret.status().message().find("chmod 600"), std::string::npos) << secret.status().message();
}

TEST_F(ServerSecretTest, RefusesAShortSecretADirectoryAndAnEmptyPath) {
  const std::string path = dir_ + "/short";
  Write(path, "  tooshort \n", 0600);
  EXPECT_EQ(LoadOrCreateServerSecret(path).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(LoadOrCreateServerSecret(dir_).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(LoadOrCreateServerSecret("").status().code(), StatusCode::kInvalidArgument);
}

TEST_F(ServerSecretTest, TrimsSurroundingWhitespace) {
  const std::string path = dir_ + "/secret";
  Write(path, "\n" + std::string(32, 'k') + "\n\n", 0400);
  StatusOr<ServerSecret> secret = LoadOrCreateServerSecret(path);
  ASSERT_TRUE(secret.ok()) << secret.status().ToString();
  EXPECT_EQ(secret->key, std::string(32, 'k'));
}

}  // namespace
}  // namespace fab::control
