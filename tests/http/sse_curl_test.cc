// SSE framing as curl sees it from the live `tokenfab serve`: a streamed
// response is 200, Content-Type text/event-stream, Transfer-Encoding
// chunked; its body is nothing but `data: {json}\n\n` events ending with
// `data: [DONE]\n\n`; with stream_options.include_usage the last JSON chunk
// has "choices":[] and the usage. Skips when curl is absent.
#include <gtest/gtest.h>

#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include <boost/json.hpp>

#include "cli/tokenfab_runner.h"
#include "http/raw_http.h"
#include "http/serve_fixture.h"
#include "tokenizer/oracle_support.h"

namespace fab::http_test {
namespace {

using fab::testing::ShellQuote;

struct CurlResult {
  int exit_code = -1;
  std::string headers;  // as written by -D
  std::string body;     // as written to stdout
};

std::string ReadWholeFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// curl -sN [--raw] -D <file> POST `json` to `url`.
CurlResult CurlPost(const std::string& url, const std::string& json, bool raw) {
  const std::filesystem::path& dir = ScratchDirectory();
  const std::filesystem::path body_file = dir / "request.json";
  const std::filesystem::path header_file = dir / "headers.txt";
  cli_test::WriteFile(body_file, json);
  std::filesystem::remove(header_file);
  CurlResult result;
  const std::string command = std::string("curl -sN --max-time 60 ") + (raw ? "--raw " : "") + "-D " +
                              ShellQuote(header_file.string()) + " -H 'Content-Type: application/json' " +
                              "--data-binary @" + ShellQuote(body_file.string()) + " " + ShellQuote(url);
  result.exit_code = fab::testing::RunCommand(command, &result.body);
  result.headers = ReadWholeFile(header_file);
  return result;
}

std::string Lower(std::string text) {
  for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

// Removes chunked framing exactly as RFC 9112 writes it; sets *error on any
// deviation (a bad size line, data longer than its size, no last chunk).
std::string Dechunk(std::string_view wire, std::string* error) {
  std::string body;
  while (true) {
    const size_t line_end = wire.find("\r\n");
    if (line_end == std::string_view::npos) {
      *error = "no CRLF after a chunk size";
      return body;
    }
    const std::string size_text(wire.substr(0, line_end));
    char* end = nullptr;
    const unsigned long size = std::strtoul(size_text.c_str(), &end, 16);
    if (size_text.empty() || *end != '\0') {
      *error = "bad chunk size line '" + size_text.substr(0, 40) + "'";
      return body;
    }
    wire.remove_prefix(line_end + 2);
    if (size == 0) {
      if (wire != "\r\n") *error = "bytes after the last chunk: '" + std::string(wire.substr(0, 40)) + "'";
      return body;
    }
    if (wire.size() < size + 2 || wire.substr(size, 2) != "\r\n") {
      *error = "chunk data does not match its size " + size_text;
      return body;
    }
    body.append(wire.substr(0, size));
    wire.remove_prefix(size + 2);
  }
}

// Checks the SSE body and returns its JSON chunks (without [DONE]).
std::vector<boost::json::object> CheckSseBody(const std::string& body) {
  std::string framing_error;
  const std::vector<std::string> events = SplitSseEvents(body, &framing_error);
  EXPECT_EQ(framing_error, "") << body.substr(0, 500);
  EXPECT_GE(events.size(), 2u) << body.substr(0, 500);
  EXPECT_TRUE(body.size() >= 14 && body.compare(body.size() - 14, 14, "data: [DONE]\n\n") == 0)
      << "the body does not end with data: [DONE]: ..."
      << body.substr(body.size() > 200 ? body.size() - 200 : 0);
  std::vector<boost::json::object> chunks;
  for (size_t i = 0; i + 1 < events.size(); ++i) {
    boost::system::error_code parse_error;
    boost::json::value value = boost::json::parse(events[i], parse_error);
    EXPECT_FALSE(parse_error) << "event " << i << " is not JSON: " << events[i].substr(0, 200);
    EXPECT_TRUE(value.is_object()) << "event " << i << ": " << events[i].substr(0, 200);
    if (!parse_error && value.is_object()) chunks.push_back(std::move(value.as_object()));
    EXPECT_NE(events[i], "[DONE]") << "[DONE] before the end, at event " << i;
  }
  return chunks;
}

void CheckStreamHeaders(const std::string& headers) {
  const std::string lower = Lower(headers);
  EXPECT_EQ(lower.rfind("http/1.1 200", 0), 0u) << headers;
  EXPECT_NE(lower.find("\r\ncontent-type: text/event-stream"), std::string::npos) << headers;
  EXPECT_NE(lower.find("\r\ntransfer-encoding: chunked\r\n"), std::string::npos) << headers;
  EXPECT_EQ(lower.find("\r\ncontent-length:"), std::string::npos) << headers;
}

class SseCurl : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!fab::testing::ProgramExists("curl")) GTEST_SKIP() << "curl not found on PATH";
    std::string error;
    server_ = ServeProcess::Start({}, &error);
    ASSERT_NE(server_, nullptr) << error;
  }
  std::unique_ptr<ServeProcess> server_;
};

TEST_F(SseCurl, StreamedCompletionIsDataEventsEndingWithDone) {
  const CurlResult result =
      CurlPost(server_->base_url() + "/v1/completions",
               std::string(R"({"model":")") + kTestModelName +
                   R"(","prompt":"Once upon a time","max_tokens":8,"temperature":0,"stream":true})",
               /*raw=*/false);
  ASSERT_EQ(result.exit_code, 0) << result.headers << result.body;
  CheckStreamHeaders(result.headers);
  const std::vector<boost::json::object> chunks = CheckSseBody(result.body);
  ASSERT_FALSE(chunks.empty());
  std::string finish_reason;
  for (const boost::json::object& chunk : chunks) {
    EXPECT_EQ(chunk.at("object").as_string(), "text_completion") << boost::json::serialize(chunk);
    EXPECT_TRUE(chunk.at("id").is_string());
    EXPECT_EQ(chunk.at("model").as_string(), kTestModelName);
    const boost::json::array& choices = chunk.at("choices").as_array();
    ASSERT_EQ(choices.size(), 1u) << boost::json::serialize(chunk);
    EXPECT_EQ(choices[0].at("index").to_number<int64_t>(), 0);
    EXPECT_TRUE(choices[0].at("text").is_string());
    if (choices[0].at("finish_reason").is_string()) {
      EXPECT_EQ(finish_reason, "") << "two chunks carry a finish_reason";
      finish_reason = choices[0].at("finish_reason").as_string();
    }
  }
  EXPECT_TRUE(finish_reason == "length" || finish_reason == "stop") << finish_reason;
}

TEST_F(SseCurl, ChunkedFramingIsExactAndIncludeUsageEndsWithAUsageChunk) {
  const CurlResult result =
      CurlPost(server_->base_url() + "/v1/chat/completions",
               std::string(R"({"model":")") + kTestModelName +
                   R"(","messages":[{"role":"user","content":"Hello"}],"max_tokens":6,"temperature":0,)"
                   R"("stream":true,"stream_options":{"include_usage":true}})",
               /*raw=*/true);
  ASSERT_EQ(result.exit_code, 0) << result.headers << result.body;
  CheckStreamHeaders(result.headers);
  std::string chunk_error;
  const std::string body = Dechunk(result.body, &chunk_error);
  EXPECT_EQ(chunk_error, "") << result.body.substr(0, 500);
  const std::vector<boost::json::object> chunks = CheckSseBody(body);
  ASSERT_GE(chunks.size(), 2u);
  for (size_t i = 0; i + 1 < chunks.size(); ++i) {
    EXPECT_EQ(chunks[i].at("object").as_string(), "chat.completion.chunk");
    EXPECT_EQ(chunks[i].at("choices").as_array().size(), 1u) << boost::json::serialize(chunks[i]);
  }
  const boost::json::object& last = chunks.back();
  EXPECT_TRUE(last.at("choices").is_array() && last.at("choices").as_array().empty())
      << boost::json::serialize(last);
  ASSERT_TRUE(last.contains("usage") && last.at("usage").is_object()) << boost::json::serialize(last);
  const boost::json::object& usage = last.at("usage").as_object();
  EXPECT_GT(usage.at("prompt_tokens").to_number<int64_t>(), 0);
  EXPECT_GE(usage.at("completion_tokens").to_number<int64_t>(), 1);
  EXPECT_LE(usage.at("completion_tokens").to_number<int64_t>(), 6);
  EXPECT_EQ(
      usage.at("total_tokens").to_number<int64_t>(),
      usage.at("prompt_tokens").to_number<int64_t>() + usage.at("completion_tokens").to_number<int64_t>());
}

}  // namespace
}  // namespace fab::http_test
