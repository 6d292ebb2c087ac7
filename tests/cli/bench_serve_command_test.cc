// `tokenfab bench serve` run as a process against a scripted OpenAI-like
// server in this test (POSIX sockets): every request gets max_tokens text
// events, a usage event and [DONE]. No timing is asserted.
#include <algorithm>
#include <atomic>
#include <fstream>
#include <sstream>

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include "cli/tokenfab_runner.h"
#include "server/loopback_server.h"

namespace fab::cli {
namespace {

namespace json = boost::json;

struct FakeServerState {
  std::atomic<int> n_completions{0};
  std::atomic<int> in_flight{0};
  std::atomic<int> max_in_flight{0};
  std::atomic<int> n_bad_bodies{0};
  bool fail_completions = false;
};

void AnswerCompletion(int fd, const std::string& body, FakeServerState& state) {
  const int now = ++state.in_flight;
  for (int seen = state.max_in_flight; now > seen && !state.max_in_flight.compare_exchange_weak(seen, now);) {
  }
  boost::system::error_code ec;
  const json::value request = json::parse(body, ec);
  const bool valid = !ec && request.is_object() && request.as_object().contains("max_tokens") &&
                     request.at("model") == "fake-model" && request.at("prompt").is_array() &&
                     request.at("stream") == true;
  if (!valid) ++state.n_bad_bodies;
  const int64_t max_tokens = valid ? request.at("max_tokens").to_number<int64_t>() : 0;
  test::SendAll(fd, "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n");
  for (int64_t i = 0; i < max_tokens; ++i) test::SendAll(fd, test::ChunkedPiece("data: {\"choices\":[{\"text\":\"t\"}]}\n\n"));
  const std::string usage = "data: {\"choices\":[],\"usage\":{\"prompt_tokens\":" +
                            std::to_string(request.at("prompt").as_array().size()) +
                            ",\"completion_tokens\":" + std::to_string(max_tokens) + "}}\n\n";
  --state.in_flight;
  ++state.n_completions;
  test::SendAll(fd, test::ChunkedPiece(usage) + test::ChunkedPiece("data: [DONE]\n\n") + "0\r\n\r\n");
}

// Serves requests of one keep-alive connection until the client closes it.
void ServeFakeOpenAi(int fd, FakeServerState& state) {
  while (true) {
    const std::string request = test::ReadRequest(fd);
    if (request.empty()) return;
    const std::string body = request.substr(request.find("\r\n\r\n") + 4);
    if (request.rfind("GET /v1/models ", 0) == 0) {
      const std::string models = R"({"object":"list","data":[{"id":"fake-model","object":"model"}]})";
      test::SendAll(fd, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " +
                            std::to_string(models.size()) + "\r\n\r\n" + models);
    } else if (request.rfind("POST /v1/completions ", 0) == 0 && !state.fail_completions) {
      AnswerCompletion(fd, body, state);
    } else {
      const std::string error = R"({"error":{"message":"no such thing","type":"invalid_request_error"}})";
      test::SendAll(fd, "HTTP/1.1 400 Bad Request\r\nContent-Type: application/json\r\nContent-Length: " +
                            std::to_string(error.size()) + "\r\n\r\n" + error);
    }
  }
}

std::string ReadAll(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string BaseUrl(const test::LoopbackServer& server) {
  return "--base-url http://127.0.0.1:" + std::to_string(server.port());
}

TEST(BenchServeCommand, CompletesEveryRequestWithinTheConcurrencyCap) {
  FakeServerState state;
  test::LoopbackServer server([&](int fd, int) { ServeFakeOpenAi(fd, state); });
  const std::filesystem::path dir = cli_test::ScratchDir("bench_serve_command");
  const cli_test::CommandResult r = cli_test::RunTokenfabCommand(
      "bench serve " + BaseUrl(server) + " --num-prompts 12 --max-concurrency 2 --random-input-len 20 "
      "--random-output-len 5 --seed 3 --json " + (dir / "runs.json").string());
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("Serving Benchmark Result"), std::string::npos) << r.output;
  EXPECT_EQ(state.n_completions, 12 + 1);  // and the test request
  EXPECT_EQ(state.n_bad_bodies, 0);
  EXPECT_LE(state.max_in_flight, 2);
  const json::value runs = json::parse(ReadAll(dir / "runs.json"));
  ASSERT_EQ(runs.as_array().size(), 1u);
  EXPECT_EQ(runs.at(0).at("completed"), 12);
  EXPECT_EQ(runs.at(0).at("failed"), 0);
  EXPECT_EQ(runs.at(0).at("total_output_tokens"), 12 * 5);
  EXPECT_EQ(runs.at(0).at("total_input_tokens"), 12 * 20);
  EXPECT_EQ(runs.at(0).at("ttft_ms").at("n"), 12);
  EXPECT_EQ(runs.at(0).at("itl_ms").at("n"), 12 * 4);
  EXPECT_EQ(runs.at(0).at("config").at("model"), "fake-model");
}

TEST(BenchServeCommand, SweepsConcurrencyAndRateInOrderAndDrawsThePlot) {
  FakeServerState state;
  test::LoopbackServer server([&](int fd, int) { ServeFakeOpenAi(fd, state); });
  const std::filesystem::path dir = cli_test::ScratchDir("bench_serve_command");
  const cli_test::CommandResult r = cli_test::RunTokenfabCommand(
      "bench serve " + BaseUrl(server) + " --num-prompts 4 --max-concurrency 1,4 --request-rate inf,200 "
      "--random-input-len 8 --random-output-len 3 --no-progress --json " + (dir / "sweep.json").string() +
      " --svg " + (dir / "sweep.svg").string());
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const json::value runs = json::parse(ReadAll(dir / "sweep.json"));
  ASSERT_EQ(runs.as_array().size(), 4u);
  const std::vector<std::pair<int, std::string>> expected = {{1, "inf"}, {1, "200"}, {4, "inf"}, {4, "200"}};
  for (size_t i = 0; i < expected.size(); ++i) {
    EXPECT_EQ(runs.at(i).at("config").at("max_concurrency"), expected[i].first);
    EXPECT_EQ(runs.at(i).at("config").at("request_rate").as_string(), expected[i].second);
    EXPECT_EQ(runs.at(i).at("completed"), 4);
  }
  const std::string svg = ReadAll(dir / "sweep.svg");
  EXPECT_EQ(svg.rfind("<svg", 0), 0u);
  EXPECT_NE(svg.find("c=4"), std::string::npos);
  EXPECT_NE(r.output.find("TTFT p99 ms"), std::string::npos) << r.output;  // the sweep summary
}

TEST(BenchServeCommand, FailsWithTheServersMessageWhenRequestsAreRefused) {
  FakeServerState state;
  state.fail_completions = true;
  test::LoopbackServer server([&](int fd, int) { ServeFakeOpenAi(fd, state); });
  const cli_test::CommandResult r =
      cli_test::RunTokenfabCommand("bench serve " + BaseUrl(server) + " --num-prompts 2");
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("HTTP 400: no such thing"), std::string::npos) << r.output;
}

TEST(BenchServeCommand, RefusesBadOptionsBeforeSendingAnything) {
  const cli_test::CommandResult https = cli_test::RunTokenfabCommand("bench serve --base-url https://127.0.0.1:1");
  EXPECT_EQ(https.exit_code, 1);
  EXPECT_NE(https.output.find("https is not supported"), std::string::npos) << https.output;
  const cli_test::CommandResult rate = cli_test::RunTokenfabCommand("bench serve --request-rate fast");
  EXPECT_EQ(rate.exit_code, 1);
  EXPECT_NE(rate.output.find("--request-rate"), std::string::npos) << rate.output;
}

TEST(BenchServeCommand, FailsClearlyWhenNothingListens) {
  uint16_t closed_port = 0;
  {
    test::LoopbackServer probe([](int, int) {});
    closed_port = probe.port();
  }
  const cli_test::CommandResult r =
      cli_test::RunTokenfabCommand("bench serve --base-url http://127.0.0.1:" + std::to_string(closed_port));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.output.find("connect"), std::string::npos) << r.output;
}

}  // namespace
}  // namespace fab::cli
