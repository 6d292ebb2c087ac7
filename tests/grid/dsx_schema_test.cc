// The grid events tokenfab publishes (grid.powerstate.status.v1,
// grid.powerbreach.enforcement.v1) and those its tests send
// (grid.loadtarget.set.v1, grid.powerbreach.alert.v1) validate against
// NVIDIA's DSX Flex AsyncAPI schemas (tests/data/dsx-flex/dsx-flex.yaml),
// checked by ajv (tests/grid/dsx_schema_check.mjs); events the schema
// refuses are refused by ajv too, so the check can fail. Skips without
// node, ajv or python3's yaml module (`make deps`).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include <boost/json.hpp>

#include "grid/grid_budget.h"
#include "grid/grid_events.h"
#include "grid/grid_test_events.h"
#include "tokenizer/oracle_support.h"

namespace fab::grid {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;

const fs::path kSource = FAB_SOURCE_DIR;
const int64_t kNow = 1796700000000;

json::object Case(const std::string& name, const std::string& schema, const std::string& event, bool valid) {
  return json::object{{"name", name}, {"schema", schema}, {"event", json::parse(event)}, {"valid", valid}};
}

TEST(DsxSchema, PublishedAndTestEventsValidateAndBrokenOnesDoNot) {
  if (!fab::testing::ProgramExists("node")) GTEST_SKIP() << "node not found on PATH";
  if (!fs::exists(kSource / "tests" / "tools" / "node_modules" / "ajv-formats" / "package.json")) {
    GTEST_SKIP() << "ajv / ajv-formats are not installed in tests/tools (make deps)";
  }
  std::string output;
  if (fab::testing::RunCommand("python3 -c 'import yaml' 2>&1", &output) != 0) {
    GTEST_SKIP() << "python3's yaml module is missing (apt-get install python3-yaml)";
  }
  const fs::path dir = fs::temp_directory_path() / ("tokenfab_dsx_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  const fs::path schema = dir / "dsx-flex.json", cases_path = dir / "cases.json";
  ASSERT_EQ(fab::testing::RunCommand("python3 -c 'import json, sys, yaml; json.dump(yaml.safe_load(open(sys.argv[1])), "
                                     "open(sys.argv[2], \"w\"), default=str)' " +
                                         (kSource / "tests" / "data" / "dsx-flex" / "dsx-flex.yaml").string() + " " +
                                         schema.string() + " 2>&1",
                                     &output),
            0)
      << output;

  json::array cases;
  // What the tests send.
  const std::string target = grid_test::Event(kLoadTargetSetType,
                                              grid_test::LoadTargetData(2.5, "kilowatt", "main-a", kNow, kNow + 60000), kNow,
                                              "", NewUuid());
  cases.push_back(Case("a load target", "LoadTargetSetEvent", target, true));
  cases.push_back(Case("a null constraint", "LoadTargetSetEvent",
                       grid_test::Event(kLoadTargetSetType, grid_test::LoadTargetData(-1, "watt", "", std::nullopt, std::nullopt), kNow),
                       true));
  for (const char* status : {"active", "escalated", "resolved"}) {
    cases.push_back(Case(std::string("a breach alert, ") + status, "PowerBreachAlertEvent",
                         grid_test::Event(kPowerBreachAlertType,
                                          grid_test::BreachAlertData("main-a", status, NewUuid(), 400, 500, kNow), kNow),
                         true));
  }
  const auto signer = JwsSigner::FromPem(grid_test::NewEcKeyPair().private_pem);
  ASSERT_TRUE(signer.ok());
  const std::string jws =
      *signer->Sign(json::serialize(grid_test::LoadTargetData(1, "megawatt", "main-a", std::nullopt, std::nullopt)), "k");
  cases.push_back(Case("a signed load target", "LoadTargetSetEvent", grid_test::Event(kLoadTargetSetType, json::string(jws), kNow), true));

  // What tokenfab publishes.
  GridBudgetOptions options;
  options.configured_watts = 500.0;
  options.feed_tag = "main-a";
  GridBudget budget(std::move(options));
  ASSERT_TRUE(budget.Consume(target, kNow).applied);
  const std::string source = "//grid/v1/dsx-flex-agent/tokenfab-node-1";
  for (const char* event : {"target_set", "start_ramp_down", "end_ramp_down", "periodic"}) {
    const CloudEvent status = MakeEvent(kPowerStateStatusType, source, "powerstate",
                                        PowerStateStatusData(kNow, "main-a", budget.Snapshot(kNow, 2600.0, event)), kNow,
                                        NewUuid());
    cases.push_back(Case(std::string("published status, ") + event, "PowerStateStatusEvent", SerializeCloudEvent(status), true));
  }
  Enforcement enforcement;
  enforcement.breach_id = NewUuid();
  enforcement.feed_tag = "main-a";
  enforcement.action = "applied";
  enforcement.code = "success";
  enforcement.diag_msg = "batch deferred, standard slowed";
  enforcement.node_id = "tokenfab-node-1";
  enforcement.tiers_slowed = {"standard"};
  enforcement.tiers_deferred = {"batch"};
  enforcement.requests_deferred = 7;
  enforcement.watts_before = 60;
  enforcement.watts_after = 31;
  enforcement.timestamp_ms = kNow;
  const std::string enforced = SerializeCloudEvent(MakeEvent(kPowerBreachEnforcementType, "//grid/v1/infra/tokenfab-node-1",
                                                             "powerbreach", PowerBreachEnforcementData(enforcement), kNow));
  cases.push_back(Case("published enforcement", "PowerBreachEnforcementEvent", enforced, true));

  // Broken ones the schema refuses.
  json::object no_breach = json::parse(enforced).as_object();
  no_breach["data"].as_object().erase("breach_id");
  cases.push_back(json::object{{"name", "enforcement without breach_id"}, {"schema", "PowerBreachEnforcementEvent"},
                               {"event", no_breach}, {"valid", false}});
  json::object bad_unit = json::parse(target).as_object();
  bad_unit["data"].as_object()["targets"].as_array()[0].as_object()["load_constraint"].as_object()["unit"] = "volt";
  cases.push_back(json::object{{"name", "a target in volts"}, {"schema", "LoadTargetSetEvent"}, {"event", bad_unit}, {"valid", false}});
  json::object bad_version = json::parse(target).as_object();
  bad_version["specversion"] = "1.0";
  cases.push_back(json::object{{"name", "specversion 1.0"}, {"schema", "LoadTargetSetEvent"}, {"event", bad_version}, {"valid", false}});

  std::ofstream(cases_path) << json::serialize(cases);
  const int code = fab::testing::RunCommand("node " + (kSource / "tests" / "grid" / "dsx_schema_check.mjs").string() + " " +
                                                schema.string() + " " + cases_path.string() + " 2>&1",
                                            &output);
  std::printf("%s\n", output.c_str());
  EXPECT_EQ(code, 0) << output;
  EXPECT_NE(output.find("\"failed\":[]"), std::string::npos) << output;
  fs::remove_all(dir);
}

}  // namespace
}  // namespace fab::grid
