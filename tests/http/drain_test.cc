// SIGTERM drains the live `tokenfab serve`: it stops taking work at once
// (/ready 503 or the connection refused, a new generation request 503 or
// refused), the streams in flight end cleanly — short ones finish, long ones
// are cut at the drain timeout with a final chunk — each with
// `data: [DONE]`, and the process exits 0 within the drain timeout plus a
// bound.
#include <gtest/gtest.h>

#include <signal.h>
#include <sys/wait.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <boost/json.hpp>

#include "http/raw_http.h"
#include "http/serve_fixture.h"

namespace fab::http_test {
namespace {

using namespace std::chrono_literals;

constexpr int kDrainTimeoutSeconds = 6;

// A streamed completion of `n` choices × max_tokens.
std::string Completion(int max_tokens, int n = 1) {
  return BuildJsonPost("/v1/completions", std::string(R"({"model":")") + kTestModelName +
                                              R"(","prompt":"Once upon a time","max_tokens":)" +
                                              std::to_string(max_tokens) + R"(,"n":)" + std::to_string(n) +
                                              R"(,"stream":true,"stream_options":{"include_usage":true}})");
}

// completion_tokens of the usage chunk (the last before [DONE]), or -1.
int64_t CompletionTokens(const std::vector<std::string>& events) {
  if (events.size() < 2) return -1;
  boost::system::error_code error;
  const boost::json::value chunk = boost::json::parse(events[events.size() - 2], error);
  if (error || !chunk.is_object() || !chunk.as_object().contains("usage")) return -1;
  const boost::json::value& usage = chunk.at("usage");
  if (!usage.is_object() || !usage.as_object().contains("completion_tokens")) return -1;
  return usage.at("completion_tokens").to_number<int64_t>();
}

// "refused" when no connection could be made, else the status (0: no answer).
std::string Probe(uint16_t port, const std::string& request) {
  std::string error;
  std::optional<RawConnection> connection = RawConnection::Connect(port, &error);
  if (!connection) return "refused";
  connection->Send(request, 2s);
  const RawResponse response = connection->ReadResponse(5s);
  if (response.status == 0 &&
      (response.error == "connection closed" || response.error.find("reset") != std::string::npos)) {
    return "refused";  // accepted by the kernel's backlog, then closed unanswered
  }
  return std::to_string(response.status);
}

TEST(Drain, SigtermRefusesNewWorkEndsInFlightStreamsAndExitsZero) {
  std::string error;
  std::unique_ptr<ServeProcess> server =
      ServeProcess::Start({{"--drain-timeout", std::to_string(kDrainTimeoutSeconds)}}, &error);
  ASSERT_NE(server, nullptr) << error;
  const uint16_t port = server->port();
  ASSERT_EQ(Get(port, "/ready").status, 200);

  // Two short streams that finish inside the drain timeout even on a loaded
  // machine, and two long ones (4 choices × 2000 tokens) that run until it.
  constexpr int kShort = 16;
  constexpr int kLongChoices = 4;
  const std::vector<int> max_tokens = {kShort, kShort, 2000, 2000};
  std::vector<RawConnection> streams;
  std::vector<std::string> bodies(max_tokens.size());
  for (size_t i = 0; i < max_tokens.size(); ++i) {
    std::optional<RawConnection> connection = RawConnection::Connect(port, &error);
    ASSERT_TRUE(connection) << error;
    ASSERT_TRUE(connection->Send(Completion(max_tokens[i], max_tokens[i] == kShort ? 1 : kLongChoices)));
    ASSERT_EQ(connection->ReadHead(30s).status, 200) << "stream " << i;
    std::optional<std::string> first = connection->ReadBodyPiece(30s, &error);
    ASSERT_TRUE(first) << "stream " << i << ": " << error;
    bodies[i] = *first;
    streams.push_back(std::move(*connection));
  }

  const auto signalled_at = std::chrono::steady_clock::now();
  server->Signal(SIGTERM);
  std::this_thread::sleep_for(300ms);
  const std::string ready = Probe(port, BuildRequest("GET", "/ready", {}, ""));
  EXPECT_TRUE(ready == "503" || ready == "refused") << "GET /ready during the drain: " << ready;
  const std::string generate = Probe(port, Completion(4));
  EXPECT_TRUE(generate == "503" || generate == "refused")
      << "a new completion during the drain: " << generate;

  // Every stream ends, cleanly, within the drain timeout and a bound.
  for (size_t i = 0; i < streams.size(); ++i) {
    while (true) {
      const auto left =
          std::chrono::seconds(kDrainTimeoutSeconds + 10) - (std::chrono::steady_clock::now() - signalled_at);
      std::optional<std::string> piece = streams[i].ReadBodyPiece(
          std::max(std::chrono::duration_cast<std::chrono::milliseconds>(left), 1ms), &error);
      if (!piece) break;
      bodies[i] += *piece;
    }
    EXPECT_EQ(error, "") << "stream " << i << " (max_tokens " << max_tokens[i] << ") did not end cleanly";
    std::string framing_error;
    const std::vector<std::string> events = SplitSseEvents(bodies[i], &framing_error);
    EXPECT_EQ(framing_error, "") << "stream " << i;
    EXPECT_TRUE(!events.empty() && events.back() == "[DONE]")
        << "stream " << i << " (max_tokens " << max_tokens[i]
        << ") ends with: " << bodies[i].substr(bodies[i].size() > 200 ? bodies[i].size() - 200 : 0);
    const int64_t n_generated = CompletionTokens(events);
    if (max_tokens[i] == kShort) {
      EXPECT_EQ(n_generated, kShort) << "a short stream did not run to its end during the drain: "
                                     << bodies[i].substr(bodies[i].size() > 400 ? bodies[i].size() - 400 : 0);
    } else {
      // Run until the drain timeout at most, then ended with a final chunk
      // and the usage.
      const double ended_after =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - signalled_at).count();
      EXPECT_LT(ended_after, kDrainTimeoutSeconds + 3.0) << "stream " << i << " outlived the drain timeout";
      EXPECT_GE(n_generated, 1) << "stream " << i << " has no usage chunk";
      EXPECT_NE(bodies[i].find(R"("finish_reason":")"), std::string::npos)
          << "stream " << i << " ended without a final chunk";
    }
  }

  const std::optional<int> status = server->WaitForExit(std::chrono::seconds(kDrainTimeoutSeconds + 10));
  ASSERT_TRUE(status.has_value()) << "still running " << kDrainTimeoutSeconds + 10 << " s after SIGTERM";
  EXPECT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) == 0)
      << "wait status " << *status << "; " << server->OutputTail();
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - signalled_at).count();
  EXPECT_LT(seconds, kDrainTimeoutSeconds + 10.0);
}

}  // namespace
}  // namespace fab::http_test
