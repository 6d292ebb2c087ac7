// Crash safety of the books: `tokenfab serve --auth --db sqlite://…` runs
// metered streaming load from three tenants (one client thread each, one
// request after another, each on its own connection) and is killed with
// SIGKILL at random moments (0.2-1.5 s after it listens; in every other
// round, at the first acknowledgement after that), then restarted on the
// same database, twenty times. A client counts a request as acknowledged
// only once it received the final usage chunk, which the server sends only
// after the request's ledger row is durable. Afterwards the database agrees
// with the clients: every acknowledged request has exactly one ledger row
// with its id and its prompt and completion tokens; no request id appears
// twice; every quota_usage row (scope and period) holds the sum of the
// ledger rows of that tenant or key in that day or month of arrival; no
// reservation outlives the restarts; and `tokenfab audit verify` still
// passes. Requests cut off by a kill may or may not have a row. The random
// delays come from a fixed seed, printed (FAB_LEDGER_CRASH_SEED overrides
// it).
#include <gtest/gtest.h>

#include <signal.h>
#include <sys/wait.h>

#include <atomic>
#include <boost/json.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <random>
#include <thread>

#include "cli/tokenfab_runner.h"
#include "control/policy.h"
#include "control/sql_connection.h"
#include "http/raw_http.h"
#include "http/serve_fixture.h"

namespace fab::http_test {
namespace {

using cli_test::CommandResult;
using cli_test::RunTokenfabCommand;
using std::chrono::milliseconds;

constexpr uint32_t kDefaultSeed = 20261207;
constexpr int kKilledRounds = 20;  // then one more round that ends with a clean stop
constexpr int kMinDelayMs = 200, kMaxDelayMs = 1500;
constexpr const char* kTenants[] = {"north", "south", "west"};

// A request whose client received the final usage chunk.
struct Acknowledged {
  std::string id;
  std::string tenant;
  int64_t prompt_tokens = 0;
  int64_t completion_tokens = 0;
};

struct ClientTally {
  std::vector<Acknowledged> acknowledged;
  int64_t n_sent = 0;         // requests whose bytes went out
  int64_t n_cut = 0;          // ended by a kill before the usage chunk
  std::vector<std::string> unexpected;  // anything a live server should never answer
};

uint32_t Seed() {
  const char* text = std::getenv("FAB_LEDGER_CRASH_SEED");
  return text != nullptr && *text != '\0' ? static_cast<uint32_t>(std::strtoul(text, nullptr, 10)) : kDefaultSeed;
}

// Sends metered streaming requests for `tenant` to whatever port `port`
// holds (0: no server right now) until `stop`.
// Counts each acknowledgement in `n_acknowledged` the moment it is known.
void RunClient(const std::string& tenant, const std::string& key, uint32_t seed, const std::atomic<uint16_t>& port,
               const std::atomic<bool>& stop, std::atomic<int64_t>& n_acknowledged, ClientTally& tally) {
  static const char* const kPrompts[] = {"Once upon a time", "The quick brown fox jumps", "Hello", "In a galaxy far",
                                         "Tokens and joules and money"};
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int> max_tokens(8, 24);
  for (int64_t i = 0; !stop.load(); ++i) {
    const uint16_t at = port.load();
    if (at == 0) {
      std::this_thread::sleep_for(milliseconds(5));
      continue;
    }
    std::optional<RawConnection> connection = RawConnection::Connect(at);
    if (!connection) {  // killed a moment ago; the next server is starting
      std::this_thread::sleep_for(milliseconds(5));
      continue;
    }
    const std::string prompt = kPrompts[rng() % std::size(kPrompts)];
    const bool chat = i % 2 == 1;
    const std::string tail = ",\"max_tokens\":" + std::to_string(max_tokens(rng)) +
                             R"(,"stream":true,"stream_options":{"include_usage":true}})";
    const std::string body = chat ? R"({"messages":[{"role":"user","content":")" + prompt + "\"}]" + tail
                                  : R"({"prompt":")" + prompt + "\"" + tail;
    const std::string request =
        BuildRequest("POST", chat ? "/v1/chat/completions" : "/v1/completions",
                     {{"Authorization", "Bearer " + key}, {"Content-Type", "application/json"}}, body);
    if (!connection->Send(request, milliseconds(5000))) {
      ++tally.n_cut;
      continue;
    }
    ++tally.n_sent;
    const RawResponse head = connection->ReadHead(milliseconds(15000));
    if (head.status == 0) {  // killed before it answered
      ++tally.n_cut;
      continue;
    }
    std::string streamed, error;
    while (std::optional<std::string> piece = connection->ReadBodyPiece(milliseconds(15000), &error)) {
      streamed += *piece;
    }
    if (head.status != 200) {
      tally.unexpected.push_back(tenant + ": HTTP " + std::to_string(head.status) + " " + streamed.substr(0, 300));
      continue;
    }
    // Only whole events count (a kill may cut the last one).
    std::string framing;
    const std::vector<std::string> events = SplitSseEvents(streamed, &framing);
    std::optional<Acknowledged> acknowledged;
    bool done = false;
    for (const std::string& event : events) {
      if (event == "[DONE]") {
        done = true;
        continue;
      }
      boost::system::error_code parse_error;
      const boost::json::value chunk = boost::json::parse(event, parse_error);
      if (parse_error || !chunk.is_object()) {
        tally.unexpected.push_back(tenant + ": an event that is not JSON: " + event.substr(0, 300));
        continue;
      }
      if (chunk.as_object().contains("error")) {
        tally.unexpected.push_back(tenant + ": an error event: " + event.substr(0, 300));
        continue;
      }
      const boost::json::value* usage = chunk.as_object().if_contains("usage");
      if (usage == nullptr || !usage->is_object()) continue;
      acknowledged = Acknowledged{std::string(chunk.at("id").as_string()), tenant,
                                  usage->at("prompt_tokens").to_number<int64_t>(),
                                  usage->at("completion_tokens").to_number<int64_t>()};
    }
    if (acknowledged) {
      tally.acknowledged.push_back(*acknowledged);
      n_acknowledged.fetch_add(1);
    } else if (done || error.empty()) {
      // A stream that ended cleanly without its usage chunk: the server
      // broke the contract (a kill shows as a read error instead).
      tally.unexpected.push_back(tenant + ": a stream that ended without its usage chunk: " +
                                 streamed.substr(streamed.size() > 300 ? streamed.size() - 300 : 0));
    } else {
      ++tally.n_cut;
    }
  }
}

class LedgerCrash : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = ScratchDirectory() / "ledger-crash";
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

  std::unique_ptr<ServeProcess> Serve(std::string* error) {
    return ServeProcess::Start({{"--auth", "--db", db_url_, "--secret-file", (dir_ / "secret").string(), "--node-id",
                                 "crash-node"}},
                               error);
  }

  std::vector<control::SqlRow> Query(const std::string& sql) {
    auto connection = control::OpenSqlConnection(db_url_);
    EXPECT_TRUE(connection.ok()) << connection.status().ToString();
    if (!connection.ok()) return {};
    auto rows = (*connection)->Query(sql);
    EXPECT_TRUE(rows.ok()) << rows.status().ToString();
    return rows.ok() ? *rows : std::vector<control::SqlRow>{};
  }

  std::filesystem::path dir_;
  std::string db_url_;
  std::string books_;
};

TEST_F(LedgerCrash, EveryAcknowledgedRequestHasOneLedgerRowAndQuotaUsageMatchesTheLedgerAfterRandomKills) {
  const uint32_t seed = Seed();
  std::printf("LedgerCrash seed %u (set FAB_LEDGER_CRASH_SEED to replay)\n", seed);
  std::fflush(stdout);
  RecordProperty("seed", std::to_string(seed));
  std::vector<std::string> keys;
  for (const char* tenant : kTenants) {
    ASSERT_EQ(Admin(std::string("tenants create ") + tenant).exit_code, 0);
    keys.push_back(NewKey(tenant));
    ASSERT_EQ(keys.back().size(), 46u);
  }

  std::atomic<uint16_t> port{0};
  std::atomic<bool> stop{false};
  std::atomic<int64_t> n_acknowledged{0};
  std::vector<ClientTally> tallies(std::size(kTenants));
  std::vector<std::thread> clients;
  for (size_t i = 0; i < std::size(kTenants); ++i) {
    clients.emplace_back(RunClient, std::string(kTenants[i]), keys[i], seed + 1 + static_cast<uint32_t>(i),
                         std::cref(port), std::cref(stop), std::ref(n_acknowledged), std::ref(tallies[i]));
  }
  const auto stop_clients = [&] {
    stop.store(true);
    for (std::thread& client : clients) {
      if (client.joinable()) client.join();
    }
  };

  std::mt19937 rng(seed);
  std::uniform_int_distribution<int> delay_ms(kMinDelayMs, kMaxDelayMs);
  const auto started = std::chrono::steady_clock::now();
  for (int round = 0; round <= kKilledRounds; ++round) {
    std::string error;
    std::unique_ptr<ServeProcess> server = Serve(&error);
    if (server == nullptr) {
      stop_clients();
      FAIL() << "round " << round << ": " << error;
    }
    port.store(server->port());
    const int delay = delay_ms(rng);
    std::this_thread::sleep_for(milliseconds(delay));
    if (round == kKilledRounds) {  // the last round: the clients stop, then the server does, cleanly
      stop_clients();
      const int status = server->Stop();
      EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "status " << status << "; "
                                                                  << server->OutputTail();
      break;
    }
    // Odd rounds kill at the next acknowledgement: the moment a server that
    // sent usage before its row was durable would lose the row.
    bool at_acknowledgement = false;
    if (round % 2 == 1) {
      const int64_t before = n_acknowledged.load();
      const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(3);
      while (n_acknowledged.load() == before && std::chrono::steady_clock::now() < give_up) {
        std::this_thread::yield();
      }
      at_acknowledgement = n_acknowledged.load() != before;
    }
    server->Signal(SIGKILL);
    const std::optional<int> status = server->WaitForExit(milliseconds(5000));
    port.store(0);
    ASSERT_TRUE(status.has_value()) << "round " << round << ": the server outlived SIGKILL";
    EXPECT_TRUE(WIFSIGNALED(*status) && WTERMSIG(*status) == SIGKILL) << "round " << round << ": status " << *status;
    std::printf("round %d: killed after %d ms%s\n", round, delay, at_acknowledgement ? ", at an acknowledgement" : "");
  }
  stop_clients();
  const double load_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();

  std::vector<Acknowledged> acknowledged;
  int64_t n_sent = 0, n_cut = 0;
  for (const ClientTally& tally : tallies) {
    acknowledged.insert(acknowledged.end(), tally.acknowledged.begin(), tally.acknowledged.end());
    n_sent += tally.n_sent;
    n_cut += tally.n_cut;
    for (const std::string& what : tally.unexpected) ADD_FAILURE() << what;
  }
  std::printf("%d kills in %.1f s: %lld requests sent, %zu acknowledged, %lld cut off\n", kKilledRounds, load_s,
              static_cast<long long>(n_sent), acknowledged.size(), static_cast<long long>(n_cut));
  std::fflush(stdout);
  // The test means something only if the clients got through between kills.
  ASSERT_GE(acknowledged.size(), 30u);
  for (const ClientTally& tally : tallies) EXPECT_GE(tally.acknowledged.size(), 5u);

  // No request id twice (it is the primary key; checked all the same).
  const control::SqlRow counts = Query("SELECT COUNT(*), COUNT(DISTINCT request_id) FROM ledger").front();
  EXPECT_EQ(control::SqlInt(counts[0]), control::SqlInt(counts[1]));

  struct Row {
    std::string tenant_id, tenant, key_id;
    int64_t arrival_ms, prompt_tokens, completion_tokens;
  };
  std::map<std::string, Row> ledger;
  for (const control::SqlRow& r : Query("SELECT request_id, tenant_id, tenant, key_id, arrival_ms, prompt_tokens, "
                                        "completion_tokens FROM ledger")) {
    ledger[control::SqlText(r[0])] = Row{control::SqlText(r[1]), control::SqlText(r[2]), control::SqlText(r[3]),
                                         control::SqlInt(r[4]),  control::SqlInt(r[5]),  control::SqlInt(r[6])};
  }
  EXPECT_GE(ledger.size(), acknowledged.size());

  // Every acknowledged request: one row, with the usage its client received.
  int n_missing = 0;
  for (const Acknowledged& ack : acknowledged) {
    const auto row = ledger.find(ack.id);
    if (row == ledger.end()) {
      if (++n_missing <= 10) ADD_FAILURE() << "acknowledged request " << ack.id << " of " << ack.tenant
                                           << " has no ledger row";
      continue;
    }
    EXPECT_EQ(row->second.tenant, ack.tenant) << ack.id;
    EXPECT_EQ(row->second.prompt_tokens, ack.prompt_tokens) << ack.id;
    EXPECT_EQ(row->second.completion_tokens, ack.completion_tokens) << ack.id;
  }
  EXPECT_EQ(n_missing, 0) << "of " << acknowledged.size() << " acknowledged requests";

  // quota_usage holds exactly the sums of the ledger per scope and period.
  std::map<std::pair<std::string, std::string>, int64_t> expected;
  for (const auto& [id, row] : ledger) {
    for (const std::string& scope : {"tenant:" + row.tenant_id, "key:" + row.key_id}) {
      for (const control::BudgetPeriod period : {control::BudgetPeriod::kDay, control::BudgetPeriod::kMonth}) {
        expected[{scope, control::PeriodKey(period, row.arrival_ms)}] += row.prompt_tokens + row.completion_tokens;
      }
    }
  }
  std::map<std::pair<std::string, std::string>, int64_t> stored;
  for (const control::SqlRow& r : Query("SELECT scope, period, tokens FROM quota_usage")) {
    stored[{control::SqlText(r[0]), control::SqlText(r[1])}] = control::SqlInt(r[2]);
  }
  EXPECT_EQ(stored.size(), expected.size());
  for (const auto& [scope_period, tokens] : expected) {
    const auto found = stored.find(scope_period);
    if (found == stored.end()) {
      ADD_FAILURE() << "no quota_usage row for " << scope_period.first << " " << scope_period.second;
      continue;
    }
    EXPECT_EQ(found->second, tokens) << scope_period.first << " " << scope_period.second;
  }
  for (const auto& [scope_period, tokens] : stored) {
    EXPECT_TRUE(expected.contains(scope_period))
        << "quota_usage row " << scope_period.first << " " << scope_period.second << " (" << tokens
        << " tokens) has no ledger rows";
  }

  // The killed runs' reservations went when the node restarted, and the
  // clean stop settled the rest.
  EXPECT_EQ(control::SqlInt(Query("SELECT COUNT(*) FROM reservations").front()[0]), 0);

  const CommandResult verified = Admin("audit verify");
  EXPECT_EQ(verified.exit_code, 0) << verified.output;
}

}  // namespace
}  // namespace fab::http_test
