// Power is the budget, end to end: `tokenfab serve --auth --grid mqtt://…`
// against a real mosquitto broker on loopback, with premium, standard and
// batch tenants streaming at once on a model meter (--cost-config). A
// grid.loadtarget.set.v1 of half the measured draw brings the engine under
// it; premium's p99 TPOT stays within 1 s / 100 ms, standard's within its
// 250 ms; batch throughput drops; every request completes once the target is
// removed (none is lost). A grid.powerbreach.alert.v1 makes it shed at once
// and publish grid.powerbreach.enforcement.v1 "applied", then "reverted" on
// resolve. Every status and enforcement event it publishes validates
// against NVIDIA's DSX Flex schema (ajv). Figures printed: watts and joules
// per token before and after, per-tier p99 TPOT, batch completions per
// second. Skips without mosquitto.
#include <gtest/gtest.h>

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <thread>

#include <boost/json.hpp>

#include "base/clock.h"
#include "cli/tokenfab_runner.h"
#include "grid/cloud_event.h"
#include "grid/grid_events.h"
#include "http/raw_http.h"
#include "http/serve_fixture.h"
#include "power/grid_link.h"
#include "tokenizer/oracle_support.h"

namespace fab::http_test {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;


// A mosquitto broker on 127.0.0.1:port, stopped with the object.
class Broker {
 public:
  explicit Broker(const fs::path& dir) : port_(FreeLoopbackPort()), pid_file_(dir / "mosquitto.pid") {
    const fs::path config = dir / "mosquitto.conf";
    // Started as root, mosquitto would drop to its own user, which may not write the pid file here.
    std::ofstream(config) << (getuid() == 0 ? "user root\n" : "") << "listener " << port_ << " 127.0.0.1\nallow_anonymous true\npid_file " << pid_file_.string()
                          << "\n";
    std::string output;
    ok_ = fab::testing::RunCommand("mosquitto -d -c " + config.string() + " 2>&1", &output) == 0;
    for (int i = 0; i < 50 && ok_ && !fs::exists(pid_file_); ++i) std::this_thread::sleep_for(50ms);
  }
  ~Broker() {
    std::ifstream in(pid_file_);
    pid_t pid = 0;
    if (in >> pid && pid > 0) kill(pid, SIGTERM);
  }
  bool ok() const { return ok_; }
  uint16_t port() const { return port_; }

 private:
  uint16_t port_;
  fs::path pid_file_;
  bool ok_ = false;
};

// What each tier's clients saw.
struct TierLoad {
  std::mutex mutex;
  std::vector<std::pair<Clock::time_point, double>> tpot_s;  // (end, mean gap) per stream
  std::vector<Clock::time_point> completions;
  int started = 0;
  int failed = 0;
  std::string last_error;
};

// One streamed chat completion with `key`; records its mean inter-token gap.
void StreamOnce(uint16_t port, const std::string& key, int max_tokens, TierLoad& load) {
  {
    std::lock_guard<std::mutex> lock(load.mutex);
    ++load.started;
  }
  const std::string body = json::serialize(json::object{
      {"messages", json::array{json::object{{"role", "user"}, {"content", "Tell me a long story about the sea."}}}},
      {"max_completion_tokens", max_tokens}, {"stream", true}, {"ignore_eos", true}});
  std::optional<RawConnection> connection = RawConnection::Connect(port);
  bool ok = connection.has_value() &&
            connection->Send(BuildRequest("POST", "/v1/chat/completions",
                                          {{"Content-Type", "application/json"}, {"Authorization", "Bearer " + key}}, body));
  std::vector<Clock::time_point> arrivals;
  std::string error;
  if (ok) {
    const RawResponse head = connection->ReadHead(60s);
    ok = head.status == 200;
    if (!ok) error = "status " + std::to_string(head.status);
    std::string buffer;
    while (ok) {
      std::optional<std::string> piece = connection->ReadBodyPiece(120s, &error);
      if (!piece) break;
      const auto now = Clock::now();
      buffer += *piece;
      for (size_t at = buffer.find("\"content\":\""); at != std::string::npos; at = buffer.find("\"content\":\"", at + 1)) {
        if (buffer.compare(at + 11, 1, "\"") != 0) arrivals.push_back(now);
      }
      buffer = buffer.substr(buffer.size() > 16 ? buffer.size() - 16 : 0);
    }
    ok = ok && error.empty() && arrivals.size() >= 2;
  }
  std::lock_guard<std::mutex> lock(load.mutex);
  if (!ok) {
    ++load.failed;
    load.last_error = error;
    return;
  }
  const double mean = std::chrono::duration<double>(arrivals.back() - arrivals.front()).count() /
                      static_cast<double>(arrivals.size() - 1);
  load.tpot_s.emplace_back(Clock::now(), mean);
  load.completions.push_back(Clock::now());
}

double P99(std::vector<double> values) {
  if (values.empty()) return 0.0;
  std::sort(values.begin(), values.end());
  return values[std::min(values.size() - 1, static_cast<size_t>(0.99 * static_cast<double>(values.size())))];
}

struct PhaseFigures {
  double watts = 0.0;
  double joules_per_token = 0.0;
  double premium_p99_tpot_s = 0.0;
  double standard_p99_tpot_s = 0.0;
  double batch_per_s = 0.0;
};

double Metric(uint16_t port, const char* name) { return ReadMetric(port, name).value_or(0.0); }

double Joules(uint16_t port) {
  return Metric(port, "tokenfab:energy_joules_total") + Metric(port, "tokenfab:idle_energy_joules_total");
}
double Tokens(uint16_t port) {
  return Metric(port, "tokenfab:generation_tokens_total") + Metric(port, "tokenfab:prompt_tokens_total");
}

std::string Target(double watts, int64_t now_ms, const std::string& correlation) {
  json::object target{{"interval", json::object{{"end_time", grid::FormatRfc3339(now_ms + 600000)}}},
                      {"feed_tags", json::array{"main-a"}}};
  target["load_constraint"] = watts > 0 ? json::value(json::object{{"value", watts}, {"unit", "watt"}}) : json::value(nullptr);
  return grid::SerializeCloudEvent(grid::MakeEvent(grid::kLoadTargetSetType, "//grid/v1/isv/test-utility", "loadtarget",
                                                   json::object{{"targets", json::array{target}}}, now_ms, correlation));
}

std::string Breach(const std::string& status, const std::string& breach_id, double target, double measured,
                   int64_t now_ms) {
  json::object breach{{"breach_id", breach_id}, {"detected_at", grid::FormatRfc3339(now_ms)}};
  if (status == "resolved") breach["resolved_at"] = grid::FormatRfc3339(now_ms);
  json::object data{{"feed_tag", "main-a"},
                    {"status", status},
                    {"severity", "critical"},
                    {"breach", breach},
                    {"target", json::object{{"correlation_id", grid::NewUuid()},
                                            {"load_constraint", json::object{{"value", target}, {"unit", "watt"}}}}},
                    {"measured_load", json::object{{"value", measured}, {"unit", "watt"}}},
                    {"infrastructure_actions", json::array{}}};
  return grid::SerializeCloudEvent(
      grid::MakeEvent(grid::kPowerBreachAlertType, "//grid/v1/dsx-flex-agent/test-agent", "powerbreach", data, now_ms));
}

TEST(GridPower, AHalvedBudgetKeepsPremiumInItsSloSlowsBatchAndLosesNothing) {
  if (!fab::testing::ProgramExists("mosquitto")) GTEST_SKIP() << "mosquitto not found (apt-get install mosquitto)";
  const fs::path dir = ScratchDirectory() / "grid-power";
  fs::create_directories(dir);
  Broker broker(dir);
  ASSERT_TRUE(broker.ok()) << "mosquitto did not start";

  // Tenants of the three tiers, each with a key.
  const std::string books = "--db sqlite://" + (dir / "books.db").string() + " --secret-file " + (dir / "secret").string();
  std::map<std::string, std::string> keys;
  for (const char* tier : {"premium", "standard", "batch"}) {
    ASSERT_EQ(cli_test::RunTokenfabCommand(std::string("tenants create t-") + tier + " --tier " + tier + " " + books).exit_code, 0);
    const cli_test::CommandResult key =
        cli_test::RunTokenfabCommand(std::string("keys create --tenant t-") + tier + " " + books, false);
    ASSERT_EQ(key.exit_code, 0);
    keys[tier] = key.output.substr(0, key.output.find('\n'));
  }
  std::ofstream(dir / "cost.toml") << "[energy]\nsource = \"model\"\nidle_watts = 5\nbusy_watts_per_core = 20\n";

  // The test's own view of the bus: everything under grid/v1/.
  std::mutex seen_mutex;
  std::vector<std::string> seen;
  const std::string bus = "mqtt://127.0.0.1:" + std::to_string(broker.port()) + "/";
  auto listener = power::GridLink::Open(*power::ParseGridUrl(bus + "grid/v1/#"), "test-listener", [&](std::string_view m) {
    std::lock_guard<std::mutex> lock(seen_mutex);
    seen.emplace_back(m);
  });
  ASSERT_TRUE(listener.ok()) << listener.status().ToString();
  const auto count_seen = [&](const std::string& needle) {
    std::lock_guard<std::mutex> lock(seen_mutex);
    return std::count_if(seen.begin(), seen.end(), [&](const std::string& m) { return m.find(needle) != std::string::npos; });
  };

  ServeOptions options;
  options.extra_args = {"--auth", "--db", "sqlite://" + (dir / "books.db").string(), "--secret-file",
                        (dir / "secret").string(), "--cost-config", (dir / "cost.toml").string(),
                        "--grid", bus + "grid/v1/isv/test-utility/loadtarget/set",
                        "--grid", bus + "grid/v1/dsx-flex-agent/test-agent/powerbreach",
                        "--grid-feed", "main-a", "--grid-identifier", "node-1", "--public-route", "/metrics",
                        "--public-route", "/health", "--public-route", "/ready"};
  std::string error;
  auto server = ServeProcess::Start(options, &error);
  ASSERT_NE(server, nullptr) << error;
  const uint16_t port = server->port();
  ASSERT_TRUE(WaitUntil(10s, [&] { return (*listener)->connected(); }));

  // Mixed load: 2 premium and 2 standard streams, 4 batch, each looping.
  std::map<std::string, TierLoad> loads;
  std::atomic<bool> stop{false};
  std::vector<std::thread> clients;
  struct Joiner {  // stops the clients however the test ends
    std::atomic<bool>& stop;
    std::vector<std::thread>& threads;
    ~Joiner() {
      stop.store(true);
      for (std::thread& thread : threads) {
        if (thread.joinable()) thread.join();
      }
    }
  } joiner{stop, clients};
  const std::vector<std::pair<std::string, int>> plan = {{"premium", 2}, {"standard", 2}, {"batch", 4}};
  for (const auto& [tier, n] : plan) {
    for (int i = 0; i < n; ++i) {
      clients.emplace_back([&, tier = tier] {
        while (!stop.load()) StreamOnce(port, keys[tier], tier == "batch" ? 48 : 24, loads[tier]);
      });
    }
  }
  const auto measure = [&](std::chrono::seconds length) {
    PhaseFigures figures;
    const auto begin = Clock::now();
    const double joules = Joules(port), tokens = Tokens(port);
    double watts_sum = 0.0;
    int n_watts = 0;
    while (Clock::now() - begin < length) {
      std::this_thread::sleep_for(250ms);
      watts_sum += Metric(port, "tokenfab:power_watts");
      ++n_watts;
    }
    const auto end = Clock::now();
    figures.watts = watts_sum / n_watts;
    figures.joules_per_token = (Joules(port) - joules) / std::max(1.0, Tokens(port) - tokens);
    for (const char* tier : {"premium", "standard", "batch"}) {
      std::lock_guard<std::mutex> lock(loads[tier].mutex);
      std::vector<double> tpots;
      for (const auto& [at, tpot] : loads[tier].tpot_s) {
        if (at >= begin && at < end) tpots.push_back(tpot);
      }
      if (std::string(tier) == "premium") figures.premium_p99_tpot_s = P99(tpots);
      if (std::string(tier) == "standard") figures.standard_p99_tpot_s = P99(tpots);
      if (std::string(tier) == "batch") {
        const auto n = std::count_if(loads[tier].completions.begin(), loads[tier].completions.end(),
                                     [&](Clock::time_point at) { return at >= begin && at < end; });
        figures.batch_per_s = static_cast<double>(n) / std::chrono::duration<double>(end - begin).count();
      }
    }
    return figures;
  };
  std::this_thread::sleep_for(2s);  // warm up
  const PhaseFigures before = measure(6s);
  ASSERT_GT(before.watts, 6.0) << "the engine is busy; failures: premium " << loads["premium"].failed << " ("
                                << loads["premium"].last_error << "), batch " << loads["batch"].failed << " ("
                                << loads["batch"].last_error << ")\n" << server->OutputTail();

  const double budget = before.watts / 2;
  const std::string correlation = grid::NewUuid();
  ASSERT_TRUE((*listener)->Publish("grid/v1/isv/test-utility/loadtarget/set", Target(budget, UnixMillis(), correlation)).ok());
  // +Inf (no budget) until the event is applied.
  EXPECT_TRUE(WaitUntil(5s, [&] { return std::abs(Metric(port, "tokenfab:power_budget_watts") - budget) < 0.01; }))
      << "the gauge shows " << Metric(port, "tokenfab:power_budget_watts") << ", not the target's " << budget << " W";
  std::this_thread::sleep_for(4s);  // settle
  const PhaseFigures after = measure(6s);

  // A breach: shed at once, report it, revert on resolve.
  ASSERT_TRUE((*listener)->Publish("grid/v1/isv/test-utility/loadtarget/set", Target(-1, UnixMillis(), grid::NewUuid())).ok());
  std::this_thread::sleep_for(2s);
  const std::string breach_id = grid::NewUuid();
  ASSERT_TRUE((*listener)
                  ->Publish("grid/v1/dsx-flex-agent/test-agent/powerbreach",
                            Breach("active", breach_id, before.watts * 0.6, before.watts, UnixMillis()))
                  .ok());
  EXPECT_TRUE(WaitUntil(15s, [&] { return count_seen("\"action\":\"applied\"") > 0; })) << "no enforcement applied";
  const PhaseFigures breached = measure(4s);
  ASSERT_TRUE((*listener)
                  ->Publish("grid/v1/dsx-flex-agent/test-agent/powerbreach",
                            Breach("resolved", breach_id, before.watts * 0.6, before.watts * 0.5, UnixMillis()))
                  .ok());
  EXPECT_TRUE(WaitUntil(10s, [&] { return count_seen("\"action\":\"reverted\"") > 0; })) << "no enforcement reverted";
  stop.store(true);
  for (std::thread& client : clients) client.join();

  std::printf("phase            watts   J/token   premium p99 TPOT   standard p99 TPOT   batch/s\n");
  for (const auto& [name, f] : std::vector<std::pair<std::string, PhaseFigures>>{
           {"no budget", before}, {"target " + std::to_string(static_cast<int>(budget)) + " W", after}, {"breach", breached}}) {
    std::printf("%-14s %7.1f  %8.5f  %14.2f ms  %15.2f ms  %8.2f\n", name.c_str(), f.watts, f.joules_per_token,
                1e3 * f.premium_p99_tpot_s, 1e3 * f.standard_p99_tpot_s, f.batch_per_s);
  }
  EXPECT_LE(after.watts, budget * 1.1) << "the draw keeps under the budget once settled";
  EXPECT_LT(after.premium_p99_tpot_s, 0.100) << "premium stays within its SLO";
  EXPECT_LT(after.standard_p99_tpot_s, 0.250) << "standard stays within its SLO";
  EXPECT_LT(after.batch_per_s, before.batch_per_s) << "batch slows or defers";
  EXPECT_LT(breached.watts, before.watts * 0.9);
  for (auto& [tier, load] : loads) {
    EXPECT_EQ(load.failed, 0) << tier << ": " << load.last_error << "\n" << server->OutputTail();
    EXPECT_EQ(static_cast<size_t>(load.started), load.completions.size()) << tier << ": every request completed";
  }

  // Everything published validates against the DSX Flex schema.
  EXPECT_GE(count_seen("\"type\":\"grid.powerstate.status.v1\""), 3);
  EXPECT_GE(count_seen(correlation), 2) << "the status answering the target echoes its correlationid";
  std::string output;
  if (fab::testing::ProgramExists("node") && fab::testing::RunCommand("python3 -c 'import yaml' 2>&1", &output) == 0) {
    const fs::path schema = dir / "dsx-flex.json", cases_path = dir / "cases.json";
    ASSERT_EQ(fab::testing::RunCommand("python3 -c 'import json, sys, yaml; json.dump(yaml.safe_load(open(sys.argv[1])), "
                                       "open(sys.argv[2], \"w\"), default=str)' " +
                                           (fs::path(FAB_SOURCE_DIR) / "tests/data/dsx-flex/dsx-flex.yaml").string() + " " +
                                           schema.string() + " 2>&1",
                                       &output),
              0);
    json::array cases;
    std::lock_guard<std::mutex> lock(seen_mutex);
    for (size_t i = 0; i < seen.size(); ++i) {
      const json::value event = json::parse(seen[i]);
      const std::string type(event.at("type").as_string());
      const char* schema_name = type == grid::kPowerStateStatusType          ? "PowerStateStatusEvent"
                                : type == grid::kPowerBreachEnforcementType ? "PowerBreachEnforcementEvent"
                                : type == grid::kLoadTargetSetType         ? "LoadTargetSetEvent"
                                                                            : "PowerBreachAlertEvent";
      cases.push_back(json::object{{"name", type + " #" + std::to_string(i)}, {"schema", schema_name}, {"event", event},
                                   {"valid", true}});
    }
    std::ofstream(cases_path) << json::serialize(cases);
    const int code = fab::testing::RunCommand("node " + (fs::path(FAB_SOURCE_DIR) / "tests/grid/dsx_schema_check.mjs").string() +
                                                  " " + schema.string() + " " + cases_path.string() + " 2>&1",
                                              &output);
    EXPECT_EQ(code, 0) << output;
    EXPECT_NE(output.find("\"failed\":[]"), std::string::npos) << output;
  }
}

}  // namespace
}  // namespace fab::http_test
