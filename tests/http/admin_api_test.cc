// The admin API of `tokenfab serve --auth --db` does what the CLI does, for
// admin keys only: tenants created and given policies, keys created (the
// secret shown once), used, revoked (401 at once), usage and the audit log
// read back, every change audited under the admin key's id; bad bodies get
// a 400 naming the field.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "cli/tokenfab_runner.h"
#include "http/raw_http.h"
#include "http/serve_fixture.h"

namespace fab::http_test {
namespace {

using cli_test::RunTokenfabCommand;

RawResponse Call(uint16_t port, const std::string& method, const std::string& target, const std::string& key,
                 const std::string& body = "") {
  std::vector<std::pair<std::string, std::string>> headers = {{"Authorization", "Bearer " + key}};
  if (!body.empty()) headers.emplace_back("Content-Type", "application/json");
  return Exchange(port, BuildRequest(method, target, headers, body));
}

TEST(AdminApi, ManagesTenantsKeysUsageAndAuditLikeTheCli) {
  const std::filesystem::path dir = ScratchDirectory() / "admin-api";
  std::filesystem::create_directories(dir);
  const std::string db = "sqlite://" + (dir / "books.db").string(), secret = (dir / "secret").string();
  const cli_test::CommandResult created =
      RunTokenfabCommand("keys create --admin --db " + db + " --secret-file " + secret, false);
  ASSERT_EQ(created.exit_code, 0) << created.output;
  const std::string admin = created.output.substr(0, created.output.find('\n'));
  std::string error;
  std::unique_ptr<ServeProcess> server =
      ServeProcess::Start({{"--auth", "--db", db, "--secret-file", secret}}, &error);
  ASSERT_NE(server, nullptr) << error;
  const uint16_t port = server->port();

  RawResponse r = Call(port, "POST", "/admin/v1/tenants", admin, R"({"name":"acme","policy":{"tier":"batch"}})");
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_NE(r.body.find(R"("tier":"batch")"), std::string::npos) << r.body;
  EXPECT_EQ(Call(port, "POST", "/admin/v1/tenants", admin, R"({"name":"acme"})").status, 400);
  r = Call(port, "PATCH", "/admin/v1/tenants/acme", admin, R"({"policy":{"requests_per_minute":100,"tier":null}})");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_NE(r.body.find(R"("policy":{"requests_per_minute":100})"), std::string::npos) << r.body;

  r = Call(port, "POST", "/admin/v1/keys", admin, R"({"tenant":"acme","expires_in":"1d"})");
  ASSERT_EQ(r.status, 201) << r.body;
  const boost::json::value key = boost::json::parse(r.body);
  const std::string secret_key(key.at("key").as_string()), key_id(key.at("id").as_string());
  EXPECT_EQ(Call(port, "GET", "/v1/models", secret_key).status, 200);
  EXPECT_EQ(Call(port, "POST", "/v1/completions", secret_key, R"({"prompt":"hi","max_tokens":3})").status, 200);
  EXPECT_EQ(Call(port, "GET", "/admin/v1/tenants", secret_key).status, 403);  // not an admin key
  r = Call(port, "GET", "/admin/v1/keys?tenant=acme", admin);
  ASSERT_EQ(r.status, 200);
  EXPECT_NE(r.body.find(key_id), std::string::npos);
  EXPECT_EQ(r.body.find(secret_key), std::string::npos) << "a listing showed a secret";
  EXPECT_EQ(Call(port, "DELETE", "/admin/v1/keys/" + key_id, admin).status, 200);
  EXPECT_EQ(Call(port, "GET", "/v1/models", secret_key).status, 401);

  r = Call(port, "GET", "/admin/v1/usage?tenant=acme&since=1h", admin);
  ASSERT_EQ(r.status, 200) << r.body;
  const boost::json::value usage = boost::json::parse(r.body);
  ASSERT_EQ(usage.at("data").as_array().size(), 1u) << r.body;
  const boost::json::value& row = usage.at("data").at(0);
  EXPECT_EQ(row.at("requests").to_number<int64_t>(), 1);
  EXPECT_EQ(row.at("completion_tokens").to_number<int64_t>(), 3);
  for (const char* field : {"prompt_tokens", "cached_tokens", "joules", "kwh", "joules_per_token", "cost", "cost_per_mtok"}) {
    EXPECT_TRUE(row.as_object().contains(field)) << field;
  }
  r = Call(port, "GET", "/admin/v1/audit/verify", admin);
  EXPECT_NE(r.body.find(R"("intact":true)"), std::string::npos) << r.body;
  r = Call(port, "GET", "/admin/v1/audit?limit=10", admin);
  ASSERT_EQ(r.status, 200);
  EXPECT_NE(r.body.find("\"actor\":\"key:"), std::string::npos) << r.body;
  EXPECT_NE(r.body.find("key.revoke"), std::string::npos) << r.body;

  for (const auto& [target, body] : std::vector<std::pair<std::string, std::string>>{
           {"/admin/v1/tenants", "{"},
           {"/admin/v1/tenants", R"({"name":"x","color":"red"})"},
           {"/admin/v1/tenants", R"({"name":"x","policy":{"rpm":1}})"},
           {"/admin/v1/keys", R"({"tenant":"acme","expires_in":"soon"})"},
           {"/admin/v1/keys", R"({"tenant":"acme","admin":"yes"})"}}) {
    SCOPED_TRACE(body);
    EXPECT_EQ(Call(port, "POST", target, admin, body).status, 400);
  }
  EXPECT_EQ(Call(port, "GET", "/admin/v1/nothing", admin).status, 404);
  EXPECT_EQ(Call(port, "GET", "/admin/v1/tenants/nobody", admin).status, 404);
}

}  // namespace
}  // namespace fab::http_test
