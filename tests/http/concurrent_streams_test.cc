// Many streams at once against the live `tokenfab serve`: 64 clients stream
// completions and chats concurrently, a seeded quarter of them hang up at
// random points; afterwards the server is alive, no request is left running
// or waiting, the KV cache is empty again (kv_cache_usage_perc 0: no leaked
// blocks), and every stream that was read to its end is well-formed SSE
// ending with [DONE]. And one client that hangs up mid-stream has its
// request cancelled at once, not run to its max_tokens.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <boost/json.hpp>

#include "http/raw_http.h"
#include "http/serve_fixture.h"

namespace fab::http_test {
namespace {

using namespace std::chrono_literals;

constexpr int kClients = 64;
constexpr int kMaxTokens = 24;

struct ClientPlan {
  bool chat = false;
  std::optional<int> hang_up_after_pieces;  // nullopt: read to the end
};

struct ClientOutcome {
  bool hung_up = false;
  int status = 0;
  std::string body;
  std::string error;  // empty when the stream was read as planned
};

std::string StreamRequest(bool chat, int index, int max_tokens) {
  const std::string model = std::string(R"("model":")") + kTestModelName + R"(",)";
  const std::string common = R"("max_tokens":)" + std::to_string(max_tokens) +
                             R"(,"temperature":0.8,"seed":)" + std::to_string(index) + R"(,"stream":true)";
  if (chat) {
    return BuildJsonPost("/v1/chat/completions", "{" + model +
                                                     R"("messages":[{"role":"user","content":"Story )" +
                                                     std::to_string(index) + R"("}],)" + common + "}");
  }
  return BuildJsonPost("/v1/completions", "{" + model + R"("prompt":"Once upon a time number )" +
                                              std::to_string(index) + R"(",)" + common + "}");
}

ClientOutcome RunClient(uint16_t port, int index, const ClientPlan& plan) {
  ClientOutcome outcome;
  outcome.hung_up = plan.hang_up_after_pieces.has_value();
  std::optional<RawConnection> connection = RawConnection::Connect(port, &outcome.error);
  if (!connection) return outcome;
  if (!connection->Send(StreamRequest(plan.chat, index, kMaxTokens))) {
    outcome.error = "send failed";
    return outcome;
  }
  if (plan.hang_up_after_pieces == 0) return outcome;  // before even the head
  const RawResponse head = connection->ReadHead(60s);
  outcome.status = head.status;
  if (head.status != 200) {
    outcome.error = "status " + std::to_string(head.status) + " " + head.error;
    return outcome;
  }
  int n_pieces = 0;
  while (true) {
    if (plan.hang_up_after_pieces && n_pieces >= *plan.hang_up_after_pieces) return outcome;  // closes
    std::string error;
    std::optional<std::string> piece = connection->ReadBodyPiece(60s, &error);
    if (!piece) {
      outcome.error = error;
      return outcome;
    }
    outcome.body += *piece;
    ++n_pieces;
  }
}

// The problems with one stream read to its end ("" when none).
std::string StreamProblems(const ClientOutcome& outcome, bool chat) {
  if (!outcome.error.empty()) return "read error: " + outcome.error;
  std::string framing_error;
  const std::vector<std::string> events = SplitSseEvents(outcome.body, &framing_error);
  if (!framing_error.empty()) return "framing: " + framing_error;
  if (events.empty() || events.back() != "[DONE]") return "does not end with [DONE]";
  std::string finish_reason;
  for (size_t i = 0; i + 1 < events.size(); ++i) {
    boost::system::error_code parse_error;
    const boost::json::value chunk = boost::json::parse(events[i], parse_error);
    if (parse_error || !chunk.is_object()) return "event " + std::to_string(i) + " is not a JSON object";
    const boost::json::object& object = chunk.as_object();
    if (object.contains("error")) return "error event: " + events[i];
    const char* expected_object = chat ? "chat.completion.chunk" : "text_completion";
    if (!object.contains("object") || object.at("object") != expected_object) return "object: " + events[i];
    for (const boost::json::value& choice : object.at("choices").as_array()) {
      if (choice.as_object().contains("finish_reason") && choice.at("finish_reason").is_string()) {
        finish_reason = choice.at("finish_reason").as_string();
      }
    }
  }
  if (finish_reason != "length" && finish_reason != "stop") return "no finish_reason in any chunk";
  return "";
}

bool ServerIsIdle(uint16_t port) {
  return ReadMetric(port, "tokenfab:num_requests_running") == 0.0 &&
         ReadMetric(port, "tokenfab:num_requests_waiting") == 0.0 &&
         ReadMetric(port, "tokenfab:kv_cache_usage_perc") == 0.0;
}

std::string IdleReport(uint16_t port) {
  const auto show = [](std::optional<double> v) { return v ? std::to_string(*v) : std::string("absent"); };
  return "running " + show(ReadMetric(port, "tokenfab:num_requests_running")) + ", waiting " +
         show(ReadMetric(port, "tokenfab:num_requests_waiting")) + ", kv_cache_usage_perc " +
         show(ReadMetric(port, "tokenfab:kv_cache_usage_perc"));
}

TEST(ConcurrentStreams, SixtyFourClientsAQuarterHangingUpLeaveNoRunningRequestsAndNoKvBlocks) {
  std::string error;
  std::unique_ptr<ServeProcess> server = ServeProcess::Start({}, &error);
  ASSERT_NE(server, nullptr) << error;
  const uint16_t port = server->port();

  // A seeded plan: every fourth client (shuffled) hangs up after 0–12 pieces.
  std::mt19937 random(20261129);
  std::vector<ClientPlan> plans(kClients);
  std::vector<int> order(kClients);
  for (int i = 0; i < kClients; ++i) order[i] = i;
  std::shuffle(order.begin(), order.end(), random);
  for (int i = 0; i < kClients; ++i) plans[i].chat = i % 2 == 1;
  for (int i = 0; i < kClients / 4; ++i)
    plans[order[i]].hang_up_after_pieces = std::uniform_int_distribution<int>(0, 12)(random);

  std::vector<ClientOutcome> outcomes(kClients);
  std::vector<std::thread> threads;
  for (int i = 0; i < kClients; ++i) {
    threads.emplace_back([&, i] { outcomes[i] = RunClient(port, i, plans[i]); });
  }
  for (std::thread& thread : threads) thread.join();

  int n_completed = 0;
  for (int i = 0; i < kClients; ++i) {
    if (plans[i].hang_up_after_pieces) continue;
    const std::string problems = StreamProblems(outcomes[i], plans[i].chat);
    EXPECT_EQ(problems, "") << "client " << i << " (" << (plans[i].chat ? "chat" : "completions")
                            << "): " << outcomes[i].body.substr(0, 300);
    n_completed += problems.empty();
  }
  EXPECT_EQ(n_completed, kClients - kClients / 4);

  EXPECT_TRUE(WaitUntil(60s, [&] { return ServerIsIdle(port); }))
      << "60 s after the last client: " << IdleReport(port);
  EXPECT_FALSE(server->WaitForExit(0ms).has_value()) << "the server died: " << server->OutputTail();
  EXPECT_EQ(Get(port, "/health").status, 200);
  if (HasFailure()) ADD_FAILURE() << server->OutputTail();
}

TEST(ConcurrentStreams, AClientThatHangsUpMidStreamHasItsRequestCancelledAtOnce) {
  std::string error;
  std::unique_ptr<ServeProcess> server = ServeProcess::Start({}, &error);
  ASSERT_NE(server, nullptr) << error;
  const uint16_t port = server->port();
  constexpr int kLongMaxTokens = 1800;
  const double generated_before = ReadMetric(port, "tokenfab:generation_tokens_total").value_or(0);

  {
    std::optional<RawConnection> connection = RawConnection::Connect(port, &error);
    ASSERT_TRUE(connection) << error;
    ASSERT_TRUE(connection->Send(StreamRequest(/*chat=*/false, 1, kLongMaxTokens)));
    ASSERT_EQ(connection->ReadHead(30s).status, 200);
    for (int i = 0; i < 3; ++i) {
      std::optional<std::string> piece = connection->ReadBodyPiece(30s, &error);
      ASSERT_TRUE(piece) << error;
    }
    ASSERT_EQ(ReadMetric(port, "tokenfab:num_requests_running"), 1.0) << IdleReport(port);
  }  // hangs up

  EXPECT_TRUE(WaitUntil(2s, [&] { return ServerIsIdle(port); }))
      << "2 s after the hang-up: " << IdleReport(port);
  const double generated =
      ReadMetric(port, "tokenfab:generation_tokens_total").value_or(0) - generated_before;
  EXPECT_LT(generated, kLongMaxTokens) << "the request ran to its max_tokens";
  EXPECT_EQ(ReadMetric(port, "tokenfab:request_success_total", R"(finished_reason="length")").value_or(0),
            0.0);
  // vLLM names a cancelled request's reason "abort".
  const double n_cancelled =
      ReadMetric(port, "tokenfab:request_success_total", R"(finished_reason="abort")").value_or(0) +
      ReadMetric(port, "tokenfab:request_success_total", R"(finished_reason="cancelled")").value_or(0);
  EXPECT_EQ(n_cancelled, 1.0);
  EXPECT_EQ(Get(port, "/health").status, 200);
  if (HasFailure()) ADD_FAILURE() << server->OutputTail();
}

}  // namespace
}  // namespace fab::http_test
