// The grid over NATS: `tokenfab serve --grid nats://…/SUBJECT` against a
// real nats-server on loopback takes a load target published on the
// subject as its power budget (the gauge shows it) and answers with a
// grid.powerstate.status.v1 echoing the target's correlationid on the
// status subject. Skips without nats-server.
#include <gtest/gtest.h>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/json.hpp>

#include <chrono>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "base/clock.h"
#include "grid/cloud_event.h"
#include "grid/grid_events.h"
#include "http/serve_fixture.h"
#include "power/grid_link.h"
#include "tokenizer/oracle_support.h"

namespace fab::http_test {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;


TEST(GridNats, ALoadTargetOnASubjectSetsTheBudgetAndIsAnswered) {
  if (!fab::testing::ProgramExists("nats-server")) GTEST_SKIP() << "nats-server not found (apt-get install nats-server)";
  const uint16_t nats_port = FreeLoopbackPort();
  const pid_t broker = fork();
  if (broker == 0) {
    execlp("nats-server", "nats-server", "-a", "127.0.0.1", "-p", std::to_string(nats_port).c_str(), nullptr);
    _exit(127);
  }
  struct Reaper {
    pid_t pid;
    ~Reaper() {
      kill(pid, SIGTERM);
      waitpid(pid, nullptr, 0);
    }
  } reaper{broker};

  const std::string bus = "nats://127.0.0.1:" + std::to_string(nats_port) + "/";
  std::mutex mutex;
  std::vector<std::string> statuses;
  auto listener = power::GridLink::Open(*power::ParseGridUrl(bus + "grid.v1.dsx-flex-agent.node-n.powerstate.status"),
                                        "test-listener", [&](std::string_view m) {
                                          std::lock_guard<std::mutex> lock(mutex);
                                          statuses.emplace_back(m);
                                        });
  ASSERT_TRUE(listener.ok()) << listener.status().ToString();
  ASSERT_TRUE(WaitUntil(10s, [&] { return (*listener)->connected(); })) << "nats-server did not come up";

  ServeOptions options;
  options.extra_args = {"--grid", bus + "grid/v1/isv/utility/loadtarget/set", "--grid-identifier", "node-n"};
  std::string error;
  auto server = ServeProcess::Start(options, &error);
  ASSERT_NE(server, nullptr) << error;
  std::this_thread::sleep_for(500ms);  // the server's subscription

  const std::string correlation = grid::NewUuid();
  json::object target{{"interval", json::object{}},
                      {"load_constraint", json::object{{"value", 0.125}, {"unit", "kilowatt"}}}};
  const std::string event = grid::SerializeCloudEvent(grid::MakeEvent(
      grid::kLoadTargetSetType, "//grid/v1/isv/utility", "loadtarget", json::object{{"targets", json::array{target}}},
      UnixMillis(), correlation));
  ASSERT_TRUE((*listener)->Publish("grid/v1/isv/utility/loadtarget/set", event).ok());
  EXPECT_TRUE(WaitUntil(10s, [&] {
    return ReadMetric(server->port(), "tokenfab:power_budget_watts").value_or(0) == 125.0;
  })) << server->OutputTail();
  EXPECT_TRUE(WaitUntil(10s, [&] {
    std::lock_guard<std::mutex> lock(mutex);
    for (const std::string& status : statuses) {
      if (status.find(correlation) != std::string::npos && status.find("target_set") != std::string::npos) return true;
    }
    return false;
  })) << "no status answered the target";
}

}  // namespace
}  // namespace fab::http_test
