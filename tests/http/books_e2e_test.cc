// `tokenfab serve --auth --db` keeps the books: a key over its rate limit
// gets 429 rate_limit_exceeded with Retry-After and x-ratelimit-* headers, a
// tenant past its budget 429 insufficient_quota, both before any token is
// generated; every served request has one ledger row whose token counts
// equal the usage its client received, with its joules, energy source and
// cost; /metrics shows energy, cost and tokens per joule by tenant.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "cli/tokenfab_runner.h"
#include "control/sql_connection.h"
#include "http/raw_http.h"
#include "http/serve_fixture.h"

namespace fab::http_test {
namespace {

using cli_test::CommandResult;
using cli_test::RunTokenfabCommand;

class BooksEndToEnd : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = ScratchDirectory() / ("books-" + std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()));
    std::filesystem::create_directories(dir_);
    db_url_ = "sqlite://" + (dir_ / "books.db").string();
    books_ = "--db " + db_url_ + " --secret-file " + (dir_ / "secret").string();
  }

  CommandResult Admin(const std::string& args) { return RunTokenfabCommand(args + " " + books_); }

  std::string NewKey(const std::string& tenant) {
    const CommandResult created = RunTokenfabCommand("keys create --tenant " + tenant + " " + books_, false);
    EXPECT_EQ(created.exit_code, 0);
    return created.output.substr(0, created.output.find('\n'));
  }

  std::unique_ptr<ServeProcess> Serve() {
    std::string error;
    std::unique_ptr<ServeProcess> server = ServeProcess::Start(
        {{"--auth", "--db", db_url_, "--secret-file", (dir_ / "secret").string(), "--public-route", "/metrics"}},
        &error);
    EXPECT_NE(server, nullptr) << error;
    return server;
  }

  static RawResponse Post(uint16_t port, const std::string& target, const std::string& key, const std::string& body) {
    return Exchange(port, BuildRequest("POST", target,
                                       {{"Authorization", "Bearer " + key}, {"Content-Type", "application/json"}},
                                       body));
  }

  std::vector<control::SqlRow> Query(const std::string& sql) {
    auto connection = control::OpenSqlConnection(db_url_);
    EXPECT_TRUE(connection.ok()) << connection.status().ToString();
    auto rows = (*connection)->Query(sql);
    EXPECT_TRUE(rows.ok()) << rows.status().ToString();
    return rows.ok() ? *rows : std::vector<control::SqlRow>{};
  }

  std::filesystem::path dir_;
  std::string db_url_;
  std::string books_;
};

TEST_F(BooksEndToEnd, LimitsAnswer429WithRetryAfterAndRateLimitHeadersBeforeAnyToken) {
  ASSERT_EQ(Admin("tenants create slow --requests-per-minute 2").exit_code, 0);
  ASSERT_EQ(Admin("tenants create poor --budget-tokens 40").exit_code, 0);
  const std::string slow = NewKey("slow"), poor = NewKey("poor");
  std::unique_ptr<ServeProcess> server = Serve();
  ASSERT_NE(server, nullptr);
  const uint16_t port = server->port();
  const std::string body = R"({"prompt":"Once upon a time","max_tokens":4})";
  for (int i = 0; i < 2; ++i) {
    const RawResponse ok = Post(port, "/v1/completions", slow, body);
    ASSERT_EQ(ok.status, 200) << ok.body;
    EXPECT_EQ(ok.Header("x-ratelimit-limit-requests"), "2");
    EXPECT_EQ(ok.Header("x-ratelimit-remaining-requests"), std::to_string(1 - i));
  }
  const RawResponse limited = Post(port, "/v1/completions", slow, body);
  EXPECT_EQ(limited.status, 429);
  EXPECT_NE(limited.body.find("rate_limit_exceeded"), std::string::npos) << limited.body;
  EXPECT_GE(std::stoi(limited.Header("retry-after")), 1);
  EXPECT_EQ(limited.Header("x-ratelimit-remaining-requests"), "0");

  // 40 tokens: the prompt (~5) + max_tokens 4 fits a few times, then not.
  int n_ok = 0;
  RawResponse refused;
  for (int i = 0; i < 10; ++i) {
    refused = Post(port, "/v1/completions", poor, body);
    if (refused.status != 200) break;
    ++n_ok;
  }
  EXPECT_GE(n_ok, 1);
  EXPECT_EQ(refused.status, 429) << refused.body;
  EXPECT_NE(refused.body.find("insufficient_quota"), std::string::npos) << refused.body;
  // A stream refused before its first token: a plain JSON 429, no event stream.
  const RawResponse stream = Post(port, "/v1/completions", poor, R"({"prompt":"x","max_tokens":4,"stream":true})");
  EXPECT_EQ(stream.status, 429);
  EXPECT_EQ(stream.Header("content-type").find("text/event-stream"), std::string::npos);
  const int64_t settled = control::SqlInt(Query("SELECT SUM(prompt_tokens + completion_tokens) FROM ledger "
                                                "WHERE tenant = 'poor'").front()[0]);
  EXPECT_LE(settled, 40);
}

TEST_F(BooksEndToEnd, EveryRequestHasOneLedgerRowWithTheUsageItsClientReceived) {
  ASSERT_EQ(Admin("tenants create acme").exit_code, 0);
  const std::string key = NewKey("acme");
  std::unique_ptr<ServeProcess> server = Serve();
  ASSERT_NE(server, nullptr);
  const uint16_t port = server->port();

  const RawResponse whole = Post(port, "/v1/completions", key, R"({"prompt":"Hello","max_tokens":6})");
  ASSERT_EQ(whole.status, 200) << whole.body;
  const boost::json::value body = boost::json::parse(whole.body);
  const std::string whole_id(body.at("id").as_string());
  const int64_t whole_completion = body.at("usage").at("completion_tokens").to_number<int64_t>();
  const RawResponse streamed =
      Post(port, "/v1/chat/completions", key,
           R"({"messages":[{"role":"user","content":"Hi"}],"max_tokens":5,"stream":true,)"
           R"("stream_options":{"include_usage":true}})");
  ASSERT_EQ(streamed.status, 200);
  const std::vector<std::string> events = SplitSseEvents(streamed.body);
  ASSERT_GE(events.size(), 2u);
  ASSERT_EQ(events.back(), "[DONE]");
  const boost::json::value usage_chunk = boost::json::parse(events[events.size() - 2]);
  const std::string stream_id(usage_chunk.at("id").as_string());
  const int64_t stream_completion = usage_chunk.at("usage").at("completion_tokens").to_number<int64_t>();

  // The rows are durable before the final usage went out: no waiting here.
  const std::vector<control::SqlRow> rows =
      Query("SELECT request_id, completion_tokens, joules, energy_source, cost, tenant, key_id, e2e_s FROM ledger "
            "ORDER BY arrival_ms");
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(control::SqlText(rows[0][0]), whole_id);
  EXPECT_EQ(control::SqlInt(rows[0][1]), whole_completion);
  EXPECT_EQ(control::SqlText(rows[1][0]), stream_id);
  EXPECT_EQ(control::SqlInt(rows[1][1]), stream_completion);
  for (const control::SqlRow& row : rows) {
    EXPECT_GT(control::SqlDouble(row[2]), 0.0);
    EXPECT_EQ(control::SqlText(row[3]), "model");
    EXPECT_GT(control::SqlDouble(row[4]), 0.0);
    EXPECT_EQ(control::SqlText(row[5]), "acme");
    EXPECT_EQ(control::SqlText(row[6]).rfind("key_", 0), 0u);
    EXPECT_GT(control::SqlDouble(row[7]), 0.0);
  }
  const std::string metrics = Get(port, "/metrics").body;
  EXPECT_GT(MetricValue(metrics, "tokenfab:energy_joules_total", "tenant=\"acme\"").value_or(0), 0.0);
  EXPECT_GT(MetricValue(metrics, "tokenfab:cost_total", "tenant=\"acme\"").value_or(0), 0.0);
  EXPECT_GT(MetricValue(metrics, "tokenfab:tokens_per_joule", "tenant=\"acme\"").value_or(0), 0.0);
  EXPECT_TRUE(MetricValue(metrics, "tokenfab:idle_energy_joules_total").has_value());
}

}  // namespace
}  // namespace fab::http_test
