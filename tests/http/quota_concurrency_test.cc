// Quotas hold under concurrency across two `tokenfab serve --auth` servers
// (--node-id a and b) that share one PostgreSQL database. 200 requests fired
// at once through both, with one key of a tenant whose budget is 10000
// tokens, get 200 or 429 insufficient_quota and nothing else; the ledger
// then holds one row per 200, at most 10000 tokens plus one request's
// reservation (admission counts committed usage plus what requests in flight
// may still cost), quota_usage agrees with it, and no reservation is left
// once both servers stopped. A tenant allowed 60 requests per minute gets
// exactly 60 of 90 requests fired at both servers at once; the others get
// 429 rate_limit_exceeded. Skips without the PostgreSQL test server that
// ctest starts (tests/control/postgres_fixture.sh).
#include <gtest/gtest.h>

#include <sys/wait.h>

#include <barrier>
#include <boost/json.hpp>
#include <cstdlib>
#include <fstream>
#include <random>
#include <thread>

#include "cli/tokenfab_runner.h"
#include "control/sql_connection.h"
#include "http/raw_http.h"
#include "http/serve_fixture.h"

namespace fab::http_test {
namespace {

using cli_test::CommandResult;
using cli_test::RunTokenfabCommand;

// A fresh database on the PostgreSQL test server, dropped when destroyed
// (as tests/control/test_databases.cc makes them); nullptr with *why_not
// when there is no server.
class PostgresDatabase {
 public:
  static std::unique_ptr<PostgresDatabase> Create(std::string* why_not) {
    const char* state = std::getenv("FAB_TEST_POSTGRES_STATE");
    if (state == nullptr) {
      *why_not = "no PostgreSQL test server: run through ctest, which starts tests/control/postgres_fixture.sh";
      return nullptr;
    }
    std::ifstream in(state);
    std::string admin_url;
    if (!std::getline(in, admin_url) || admin_url.empty()) {
      *why_not = std::string("the PostgreSQL test server's state file ") + state + " is missing";
      return nullptr;
    }
    std::unique_ptr<PostgresDatabase> db(new PostgresDatabase());
    db->admin_url_ = admin_url;
    std::random_device device;
    char suffix[17];
    std::snprintf(suffix, sizeof suffix, "%08x%08x", device(), device());
    db->name_ = std::string("t_quota_") + suffix;
    auto connection = control::OpenSqlConnection(admin_url);
    if (!connection.ok()) {
      *why_not = connection.status().ToString();
      return nullptr;
    }
    const Status created = (*connection)->Execute("CREATE DATABASE " + db->name_);
    if (!created.ok()) {
      *why_not = created.ToString();
      return nullptr;
    }
    db->url_ = admin_url.substr(0, admin_url.rfind('/') + 1) + db->name_;
    return db;
  }

  ~PostgresDatabase() {
    auto connection = control::OpenSqlConnection(admin_url_);
    if (connection.ok()) (void)(*connection)->Execute("DROP DATABASE IF EXISTS " + name_ + " WITH (FORCE)");
  }

  const std::string& url() const { return url_; }

 private:
  PostgresDatabase() = default;
  std::string admin_url_, name_, url_;
};

struct Outcome {
  int status = 0;
  std::string body;
};

class QuotaConcurrency : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string why_not;
    db_ = PostgresDatabase::Create(&why_not);
    if (!db_) GTEST_SKIP() << why_not;
    dir_ = ScratchDirectory() / ("quota-" + std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()));
    std::filesystem::create_directories(dir_);
    books_ = "--db " + db_->url() + " --secret-file " + (dir_ / "secret").string();
  }

  void TearDown() override {
    servers_.clear();  // before the database goes
  }

  CommandResult Admin(const std::string& args) { return RunTokenfabCommand(args + " " + books_); }

  std::string NewKey(const std::string& tenant) {
    const CommandResult created = RunTokenfabCommand("keys create --tenant " + tenant + " " + books_, false);
    EXPECT_EQ(created.exit_code, 0);
    return created.output.substr(0, created.output.find('\n'));
  }

  // Starts servers a and b over the shared database, with the same secret.
  bool StartTwoServers() {
    for (const char* node : {"a", "b"}) {
      std::string error;
      std::unique_ptr<ServeProcess> server = ServeProcess::Start(
          {{"--auth", "--db", db_->url(), "--secret-file", (dir_ / "secret").string(), "--node-id", node}}, &error);
      if (server == nullptr) {
        ADD_FAILURE() << "server " << node << ": " << error;
        return false;
      }
      servers_.push_back(std::move(server));
    }
    return true;
  }

  void StopServers() {
    for (const auto& server : servers_) {
      const int status = server->Stop();
      EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "status " << status << "; "
                                                                  << server->OutputTail();
    }
  }

  // n_threads threads released together, each sending `per_thread`
  // requests one after another, alternating between the two servers.
  std::vector<Outcome> Fire(int n_threads, int per_thread, const std::string& key, const std::string& body) {
    std::vector<Outcome> outcomes(static_cast<size_t>(n_threads * per_thread));
    std::barrier start(n_threads);
    std::vector<std::thread> threads;
    for (int t = 0; t < n_threads; ++t) {
      threads.emplace_back([&, t] {
        start.arrive_and_wait();
        for (int i = 0; i < per_thread; ++i) {
          const uint16_t port = servers_[static_cast<size_t>((t + i) % 2)]->port();
          const RawResponse response = Exchange(
              port,
              BuildRequest("POST", "/v1/completions",
                           {{"Authorization", "Bearer " + key}, {"Content-Type", "application/json"}}, body),
              std::chrono::seconds(60));
          Outcome& outcome = outcomes[static_cast<size_t>(t * per_thread + i)];
          outcome.status = response.status;
          outcome.body = response.status != 0 ? response.body : "no response: " + response.error;
        }
      });
    }
    for (std::thread& thread : threads) thread.join();
    return outcomes;
  }

  std::vector<control::SqlRow> Query(const std::string& sql) {
    auto connection = control::OpenSqlConnection(db_->url());
    EXPECT_TRUE(connection.ok()) << connection.status().ToString();
    if (!connection.ok()) return {};
    auto rows = (*connection)->Query(sql);
    EXPECT_TRUE(rows.ok()) << rows.status().ToString();
    return rows.ok() ? *rows : std::vector<control::SqlRow>{};
  }

  std::unique_ptr<PostgresDatabase> db_;
  std::filesystem::path dir_;
  std::string books_;
  std::vector<std::unique_ptr<ServeProcess>> servers_;
};

bool Says(const Outcome& outcome, const char* code) { return outcome.body.find(code) != std::string::npos; }

TEST_F(QuotaConcurrency, ATokenBudgetHoldsAcrossTwoServersUnder200ConcurrentRequests) {
  constexpr int64_t kBudget = 10000;
  constexpr int64_t kMaxTokens = 100;
  ASSERT_EQ(Admin("tenants create capped --budget-tokens " + std::to_string(kBudget)).exit_code, 0);
  const std::string key = NewKey("capped");
  ASSERT_EQ(key.size(), 46u);
  ASSERT_TRUE(StartTwoServers());

  // A short prompt + 100: each admission reserves ~110-120 of the 10000.
  const std::string body = R"({"prompt":"The quick brown fox jumps over the lazy dog","max_tokens":)" +
                           std::to_string(kMaxTokens) + R"(,"ignore_eos":true})";
  const auto started = std::chrono::steady_clock::now();
  const std::vector<Outcome> outcomes = Fire(40, 5, key, body);
  const double fire_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  int n_ok = 0, n_quota = 0, n_queue_full = 0;
  for (const Outcome& outcome : outcomes) {
    if (outcome.status == 200) {
      ++n_ok;
    } else if (outcome.status == 429 && Says(outcome, "insufficient_quota")) {
      ++n_quota;
    } else if (outcome.status == 503 && Says(outcome, "queue_full")) {
      ++n_queue_full;
    } else {
      ADD_FAILURE() << "HTTP " << outcome.status << ": " << outcome.body.substr(0, 400);
    }
  }
  std::printf("200 requests in %.1f s: %d admitted, %d insufficient_quota, %d queue_full\n", fire_s, n_ok, n_quota,
              n_queue_full);
  EXPECT_GE(n_ok, 1);
  EXPECT_GE(n_quota, 1);
  StopServers();

  const control::SqlRow totals =
      Query("SELECT COUNT(*), COALESCE(SUM(prompt_tokens + completion_tokens), 0), COALESCE(MAX(prompt_tokens), 0), "
            "COALESCE(MIN(completion_tokens), 0) FROM ledger")
          .front();
  const int64_t n_rows = control::SqlInt(totals[0]);
  const int64_t settled = control::SqlInt(totals[1]);
  const int64_t largest_reservation = control::SqlInt(totals[2]) + kMaxTokens;
  const bool every_request_used_its_reservation = control::SqlInt(totals[3]) == kMaxTokens;
  std::printf("ledger: %lld rows, %lld tokens (budget %lld, one reservation %lld)\n", static_cast<long long>(n_rows),
              static_cast<long long>(settled), static_cast<long long>(kBudget),
              static_cast<long long>(largest_reservation));
  EXPECT_EQ(n_rows, n_ok);
  EXPECT_LE(settled, kBudget + largest_reservation);
  // ignore_eos: each admitted request used all it reserved (one prompt for
  // all), so the budget admits exactly floor(budget / reservation) of them,
  // no fewer (a leaked reservation) and no more.
  if (every_request_used_its_reservation) {
    EXPECT_EQ(n_ok, kBudget / largest_reservation);
  }
  // Both servers' rows were settled into the tenant's and the key's usage.
  for (const char* scope : {"tenant:%", "key:%"}) {
    const std::vector<control::SqlRow> usage = Query(std::string("SELECT COALESCE(SUM(tokens), 0) FROM quota_usage "
                                                                 "WHERE scope LIKE '") +
                                                     scope + "' AND period LIKE 'month:%'");
    EXPECT_EQ(control::SqlInt(usage.front()[0]), settled) << scope;
  }
  EXPECT_EQ(control::SqlInt(Query("SELECT COUNT(*) FROM reservations").front()[0]), 0);
}

TEST_F(QuotaConcurrency, ARequestsPerMinuteLimitAdmitsExactlyItsCountAcrossTwoServers) {
  ASSERT_EQ(Admin("tenants create paced --requests-per-minute 60").exit_code, 0);
  const std::string key = NewKey("paced");
  ASSERT_EQ(key.size(), 46u);
  ASSERT_TRUE(StartTwoServers());

  const std::vector<Outcome> outcomes = Fire(90, 1, key, R"({"prompt":"Hello","max_tokens":2})");
  int n_ok = 0, n_limited = 0;
  for (const Outcome& outcome : outcomes) {
    if (outcome.status == 200) {
      ++n_ok;
    } else if (outcome.status == 429 && Says(outcome, "rate_limit_exceeded")) {
      ++n_limited;
    } else {
      ADD_FAILURE() << "HTTP " << outcome.status << ": " << outcome.body.substr(0, 400);
    }
  }
  EXPECT_EQ(n_ok, 60);
  EXPECT_EQ(n_limited, 30);
  StopServers();
  EXPECT_EQ(control::SqlInt(Query("SELECT COUNT(*) FROM ledger").front()[0]), n_ok);
  EXPECT_EQ(control::SqlInt(Query("SELECT COUNT(*) FROM reservations").front()[0]), 0);
}

}  // namespace
}  // namespace fab::http_test
