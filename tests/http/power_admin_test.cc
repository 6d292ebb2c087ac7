// GET/PUT /admin/v1/power: an admin key sets and removes the operator's
// budget at run time (the engines' gauge follows, the change is audited as
// power.budget); a tenant key is refused; a bad body is a 400 naming
// budget_watts; without --power-budget or --grid the route is absent (404).
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <filesystem>

#include "cli/tokenfab_runner.h"
#include "http/raw_http.h"
#include "http/serve_fixture.h"

namespace fab::http_test {
namespace {

namespace json = boost::json;
namespace fs = std::filesystem;

RawResponse Call(uint16_t port, const std::string& method, const std::string& key, const std::string& body = "") {
  auto connection = RawConnection::Connect(port);
  EXPECT_TRUE(connection.has_value());
  std::vector<std::pair<std::string, std::string>> headers = {{"Authorization", "Bearer " + key}};
  if (!body.empty()) headers.emplace_back("Content-Type", "application/json");
  connection->Send(BuildRequest(method, "/admin/v1/power", headers, body));
  return connection->ReadResponse();
}

TEST(PowerAdmin, AnAdminKeySetsAndRemovesTheBudgetAndOthersCannot) {
  const fs::path dir = ScratchDirectory() / "power-admin";
  fs::create_directories(dir);
  const std::string books = "--db sqlite://" + (dir / "books.db").string() + " --secret-file " + (dir / "secret").string();
  const auto admin = cli_test::RunTokenfabCommand("keys create --admin " + books, false);
  ASSERT_EQ(admin.exit_code, 0);
  const std::string admin_key = admin.output.substr(0, admin.output.find('\n'));
  ASSERT_EQ(cli_test::RunTokenfabCommand("tenants create acme " + books).exit_code, 0);
  const auto tenant = cli_test::RunTokenfabCommand("keys create --tenant acme " + books, false);
  const std::string tenant_key = tenant.output.substr(0, tenant.output.find('\n'));

  ServeOptions options;
  options.extra_args = {"--auth", "--db", "sqlite://" + (dir / "books.db").string(), "--secret-file",
                        (dir / "secret").string(), "--power-budget", "80", "--public-route", "/metrics"};
  std::string error;
  auto server = ServeProcess::Start(options, &error);
  ASSERT_NE(server, nullptr) << error;
  const uint16_t port = server->port();

  RawResponse got = Call(port, "GET", admin_key);
  ASSERT_EQ(got.status, 200) << got.body;
  EXPECT_EQ(json::parse(got.body).at("budget_watts"), json::value(80.0));
  EXPECT_EQ(json::parse(got.body).at("source"), "configured");
  EXPECT_TRUE(WaitUntil(std::chrono::seconds(5), [&] { return ReadMetric(port, "tokenfab:power_budget_watts") == 80.0; }));

  RawResponse set = Call(port, "PUT", admin_key, R"({"budget_watts": 55.5})");
  ASSERT_EQ(set.status, 200) << set.body;
  EXPECT_EQ(json::parse(set.body).at("budget_watts"), json::value(55.5));
  EXPECT_TRUE(WaitUntil(std::chrono::seconds(5), [&] { return ReadMetric(port, "tokenfab:power_budget_watts") == 55.5; }));

  EXPECT_EQ(Call(port, "PUT", tenant_key, R"({"budget_watts": 1})").status, 403);
  for (const char* bad : {R"({})", R"({"budget_watts": -3})", R"({"budget_watts": "80"})", R"({"budget_watts": 1e300})", "[", R"({"budget_watts": 0})"}) {
    const RawResponse refused = Call(port, "PUT", admin_key, bad);
    EXPECT_EQ(refused.status, 400) << bad << " " << refused.body;
    if (std::string(bad) != "[") {
      EXPECT_NE(refused.body.find("budget_watts"), std::string::npos) << bad << " " << refused.body;
    }
  }
  EXPECT_EQ(Call(port, "DELETE", admin_key).status, 405);

  RawResponse removed = Call(port, "PUT", admin_key, R"({"budget_watts": null})");
  ASSERT_EQ(removed.status, 200) << removed.body;
  EXPECT_TRUE(json::parse(removed.body).at("budget_watts").is_null());
  EXPECT_TRUE(WaitUntil(std::chrono::seconds(5), [&] {
    return ReadMetric(port, "tokenfab:power_budget_watts") == std::numeric_limits<double>::infinity();
  }));
  server.reset();
  const auto audit = cli_test::RunTokenfabCommand("audit list " + books);
  EXPECT_NE(audit.output.find("power.budget"), std::string::npos) << audit.output;
  EXPECT_EQ(cli_test::RunTokenfabCommand("audit verify " + books).exit_code, 0);
}

TEST(PowerAdmin, IsAbsentWithoutABudgetOrAGrid) {
  const fs::path dir = ScratchDirectory() / "power-admin-none";
  fs::create_directories(dir);
  const std::string books = "--db sqlite://" + (dir / "books.db").string() + " --secret-file " + (dir / "secret").string();
  const auto admin = cli_test::RunTokenfabCommand("keys create --admin " + books, false);
  const std::string admin_key = admin.output.substr(0, admin.output.find('\n'));
  ServeOptions options;
  options.extra_args = {"--auth", "--db", "sqlite://" + (dir / "books.db").string(), "--secret-file", (dir / "secret").string()};
  std::string error;
  auto server = ServeProcess::Start(options, &error);
  ASSERT_NE(server, nullptr) << error;
  EXPECT_EQ(Call(server->port(), "GET", admin_key).status, 404);
}

}  // namespace
}  // namespace fab::http_test
