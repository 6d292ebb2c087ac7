#include "server/request_log.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <boost/json.hpp>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace fab::server {
namespace {

namespace fs = std::filesystem;

// A fresh directory under the system temp directory, removed at the end.
class TempDir {
 public:
  TempDir() : path_(fs::temp_directory_path() / ("request_log_test." + std::to_string(::getpid()))) {
    fs::remove_all(path_);
    fs::create_directories(path_);
  }
  ~TempDir() {
    (void)ConfigureRequestLog("");  // release the file before removing it
    std::error_code ignored;
    fs::remove_all(path_, ignored);
  }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

std::vector<std::string> ReadLines(const fs::path& path) {
  std::ifstream in(path);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

RequestLogEntry CompletedEntry() {
  RequestLogEntry entry;
  entry.request_id = "cmpl-1";
  entry.method = "POST";
  entry.path = "/v1/completions";
  entry.status = 200;
  entry.remote = "127.0.0.1:5000";
  entry.model = "tiny";
  entry.stream = true;
  entry.n_prompt_tokens = 12;
  entry.n_cached_prompt_tokens = 4;
  entry.n_completion_tokens = 8;
  entry.finish_reason = "length";
  entry.ttft_s = 0.25;
  entry.queue_s = 0.01;
  entry.duration_s = 1.5;
  return entry;
}

TEST(RequestLog, WritesOneJsonObjectPerLineWithEveryField) {
  TempDir dir;
  const fs::path file = dir.path() / "requests.log";
  ASSERT_TRUE(ConfigureRequestLog(file.string()).ok());
  LogRequest(CompletedEntry());

  const std::vector<std::string> lines = ReadLines(file);
  ASSERT_EQ(lines.size(), 1u);
  const boost::json::object line = boost::json::parse(lines[0]).as_object();
  EXPECT_TRUE(line.at("ts").is_string());
  EXPECT_EQ(line.at("request_id"), "cmpl-1");
  EXPECT_EQ(line.at("method"), "POST");
  EXPECT_EQ(line.at("path"), "/v1/completions");
  EXPECT_EQ(line.at("status").to_number<int>(), 200);
  EXPECT_EQ(line.at("remote"), "127.0.0.1:5000");
  EXPECT_EQ(line.at("model"), "tiny");
  EXPECT_TRUE(line.at("user").is_null());
  EXPECT_EQ(line.at("stream"), true);
  EXPECT_EQ(line.at("prompt_tokens").to_number<int>(), 12);
  EXPECT_EQ(line.at("cached_prompt_tokens").to_number<int>(), 4);
  EXPECT_EQ(line.at("completion_tokens").to_number<int>(), 8);
  EXPECT_EQ(line.at("finish_reason"), "length");
  EXPECT_DOUBLE_EQ(line.at("ttft_s").to_number<double>(), 0.25);
  EXPECT_DOUBLE_EQ(line.at("queue_s").to_number<double>(), 0.01);
  EXPECT_DOUBLE_EQ(line.at("duration_s").to_number<double>(), 1.5);
  EXPECT_EQ(line.at("error"), "");
}

TEST(RequestLog, EscapesHostileStringsAndKeepsEachEntryOnOneLine) {
  TempDir dir;
  const fs::path file = dir.path() / "requests.log";
  ASSERT_TRUE(ConfigureRequestLog(file.string()).ok());
  RequestLogEntry entry;
  entry.method = "GET";
  entry.path = "/a\"b\\c\nd\re\x01";
  entry.status = 404;
  entry.user = "bad utf8 \xff\xfe end";
  entry.error = "line one\nline two";
  entry.ttft_s = std::nan("");
  LogRequest(entry);
  LogRequest(CompletedEntry());

  const std::vector<std::string> lines = ReadLines(file);
  ASSERT_EQ(lines.size(), 2u);
  const boost::json::object first = boost::json::parse(lines[0]).as_object();
  EXPECT_EQ(first.at("path"), "/a\"b\\c\nd\re\x01");
  EXPECT_EQ(first.at("user"), "bad utf8 \xEF\xBF\xBD\xEF\xBF\xBD end");
  EXPECT_EQ(first.at("error"), "line one\nline two");
  EXPECT_TRUE(first.at("ttft_s").is_null());
  EXPECT_EQ(boost::json::parse(lines[1]).as_object().at("request_id"), "cmpl-1");
}

TEST(RequestLog, AppendsToAnExistingFile) {
  TempDir dir;
  const fs::path file = dir.path() / "requests.log";
  std::ofstream(file) << "{\"earlier\":true}\n";
  ASSERT_TRUE(ConfigureRequestLog(file.string()).ok());
  LogRequest(CompletedEntry());
  const std::vector<std::string> lines = ReadLines(file);
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0], "{\"earlier\":true}");
}

TEST(RequestLog, RejectsAPathThatCannotBeOpenedForWriting) {
  TempDir dir;
  const fs::path regular_file = dir.path() / "not-a-directory";
  std::ofstream(regular_file) << "x";
  const Status under_a_file = ConfigureRequestLog((regular_file / "requests.log").string());
  EXPECT_FALSE(under_a_file.ok());
  EXPECT_NE(under_a_file.ToString().find("request log"), std::string::npos) << under_a_file.ToString();
  EXPECT_FALSE(ConfigureRequestLog(dir.path().string()).ok());  // a directory
}

}  // namespace
}  // namespace fab::server
