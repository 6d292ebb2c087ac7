// `tokenfab serve --auth` against every route and every way of getting a key
// wrong: no key, an empty or malformed one, an unknown, revoked or expired
// key, a key in the query string, a tenant that may not use the model, a
// non-admin key on the admin prefix, and path tricks. Nothing outside the
// public allow-list answers 2xx without a valid key, a key revoked from the
// CLI while the server runs stops working within a second, and no key
// appears in the database file, the server's log or /metrics.
#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <sstream>
#include <thread>

#include "cli/tokenfab_runner.h"
#include "http/raw_http.h"
#include "http/serve_fixture.h"

namespace fab::http_test {
namespace {

using cli_test::CommandResult;
using cli_test::RunTokenfabCommand;

std::string ReadAll(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

class AuthMatrix : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = ScratchDirectory() / ("auth-" + std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()));
    std::filesystem::create_directories(dir_);
    books_ = "--db sqlite://" + (dir_ / "books.db").string() + " --secret-file " + (dir_ / "secret").string();
    ASSERT_EQ(Admin("tenants create acme").exit_code, 0);
    ASSERT_EQ(Admin("tenants create other --models some-other-model").exit_code, 0);
    acme_key_ = NewKey("--tenant acme");
    other_key_ = NewKey("--tenant other");
    admin_key_ = NewKey("--admin");
    revoked_key_ = NewKey("--tenant acme");
    expired_key_ = NewKey("--tenant acme --expires-in 1s");
    const CommandResult listed = Admin("keys list --json --tenant acme");
    ASSERT_EQ(listed.exit_code, 0) << listed.output;
  }

  CommandResult Admin(const std::string& args) { return RunTokenfabCommand(args + " " + books_); }

  // The key `keys create` printed alone on stdout's first line.
  std::string NewKey(const std::string& args) {
    const CommandResult created = RunTokenfabCommand("keys create " + args + " " + books_, /*merge_stderr=*/false);
    EXPECT_EQ(created.exit_code, 0);
    std::string key = created.output.substr(0, created.output.find('\n'));
    EXPECT_EQ(key.size(), 46u) << created.output;
    keys_.push_back(key);
    return key;
  }

  // The id (key_…) of the newest key of `tenant` in `keys list --json`.
  std::string KeyIdOf(const std::string& key) {
    const CommandResult listed = Admin("keys list --json");
    const std::string hint = key.substr(key.size() - 4);
    const size_t at = listed.output.find("…" + hint);
    if (at == std::string::npos) return "";
    const size_t id = listed.output.rfind("\"id\":\"key_", at);
    return listed.output.substr(id + 6, 20);
  }

  std::unique_ptr<ServeProcess> Serve(std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {"--auth", "--db", "sqlite://" + (dir_ / "books.db").string(), "--secret-file",
                                     (dir_ / "secret").string(), "--log-file", (dir_ / "requests.log").string()};
    args.insert(args.end(), extra.begin(), extra.end());
    std::string error;
    std::unique_ptr<ServeProcess> server = ServeProcess::Start({args}, &error);
    EXPECT_NE(server, nullptr) << error;
    return server;
  }

  static RawResponse Send(uint16_t port, const std::string& method, const std::string& target,
                          const std::string& authorization, const std::string& body = "") {
    std::vector<std::pair<std::string, std::string>> headers;
    if (!authorization.empty()) headers.emplace_back("Authorization", authorization);
    if (method == "POST") headers.emplace_back("Content-Type", "application/json");
    return Exchange(port, BuildRequest(method, target, headers, body));
  }

  std::filesystem::path dir_;
  std::string books_;
  std::string acme_key_, other_key_, admin_key_, revoked_key_, expired_key_;
  std::vector<std::string> keys_;
};

struct Route {
  const char* method;
  const char* target;
  const char* body;
};

const Route kRoutes[] = {
    {"POST", "/v1/completions", R"({"prompt":"hi","max_tokens":2})"},
    {"POST", "/v1/chat/completions", R"({"messages":[{"role":"user","content":"hi"}],"max_tokens":2})"},
    {"GET", "/v1/models", ""},
    {"POST", "/tokenize", R"({"prompt":"hi"})"},
    {"POST", "/detokenize", R"({"tokens":[1]})"},
    {"GET", "/metrics", ""},
    {"GET", "/admin/v1/tenants", ""},
};

TEST_F(AuthMatrix, NoRouteOutsideThePublicListAnswers2xxWithoutAValidKey) {
  ASSERT_EQ(Admin("keys revoke " + KeyIdOf(revoked_key_)).exit_code, 0);
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));  // the expired key's second passes
  std::unique_ptr<ServeProcess> server = Serve();
  ASSERT_NE(server, nullptr);
  const uint16_t port = server->port();

  const std::string bad_headers[] = {"",
                                     "Bearer",
                                     "Bearer ",
                                     "Bearer tf-short",
                                     "Basic " + acme_key_,
                                     acme_key_,
                                     "Bearer " + acme_key_.substr(0, 45) + "X",
                                     "Bearer " + revoked_key_,
                                     "Bearer " + expired_key_};
  for (const Route& route : kRoutes) {
    for (const std::string& header : bad_headers) {
      SCOPED_TRACE(std::string(route.method) + " " + route.target + " with '" + header + "'");
      const RawResponse response = Send(port, route.method, route.target, header, route.body);
      EXPECT_EQ(response.status, 401) << response.body;
      EXPECT_NE(response.body.find("invalid_api_key"), std::string::npos) << response.body;
      EXPECT_EQ(response.body.find("tf-"), std::string::npos) << "an error echoed a key: " << response.body;
    }
  }
  for (const char* open : {"/health", "/ready"}) {
    EXPECT_EQ(Send(port, "GET", open, "").status, 200) << open;
  }
}

TEST_F(AuthMatrix, AValidKeyReachesItsRoutesButNotTheAdminPrefixOrAForbiddenModel) {
  std::unique_ptr<ServeProcess> server = Serve();
  ASSERT_NE(server, nullptr);
  const uint16_t port = server->port();
  for (const Route& route : kRoutes) {
    SCOPED_TRACE(std::string(route.method) + " " + route.target);
    const RawResponse response = Send(port, route.method, route.target, "Bearer " + acme_key_, route.body);
    if (std::string_view(route.target).rfind("/admin/", 0) == 0) {
      EXPECT_EQ(response.status, 403) << response.body;
    } else {
      EXPECT_EQ(response.status, 200) << response.body;
    }
  }
  // The tenant `other` may use only some-other-model.
  for (const Route& route : kRoutes) {
    if (std::string_view(route.method) != "POST") continue;
    SCOPED_TRACE(route.target);
    const RawResponse response = Send(port, "POST", route.target, "Bearer " + other_key_, route.body);
    EXPECT_EQ(response.status, 403) << response.body;
    EXPECT_NE(response.body.find("model_not_allowed"), std::string::npos) << response.body;
  }
  const RawResponse models = Send(port, "GET", "/v1/models", "Bearer " + other_key_);
  ASSERT_EQ(models.status, 200);
  EXPECT_NE(models.body.find("\"data\":[]"), std::string::npos) << models.body;
  // An admin key passes the admin prefix (no admin routes exist yet: 404).
  EXPECT_EQ(Send(port, "GET", "/admin/v1/nothing-here", "Bearer " + admin_key_).status, 404);
}

TEST_F(AuthMatrix, KeysInTheUrlAndPathTricksNeverOpenARoute) {
  std::unique_ptr<ServeProcess> server = Serve({"--public-route", "/metrics"});
  ASSERT_NE(server, nullptr);
  const uint16_t port = server->port();
  for (const std::string target :
       {"/v1/models?api_key=" + acme_key_, "/v1/models?key=" + acme_key_, "/health?x=" + acme_key_,
        std::string("/v1/models?access_token=abc"), std::string("/metrics?API_KEY=%74f-abc")}) {
    SCOPED_TRACE(target);
    const RawResponse response = Send(port, "GET", target, "Bearer " + acme_key_);
    EXPECT_EQ(response.status, 400) << response.body;
    EXPECT_NE(response.body.find("api_key_in_url"), std::string::npos) << response.body;
  }
  for (const char* target : {"/v1//models", "/v1/./models", "/v1/../v1/models", "/%2e%2e/v1/models",
                             "/health/../v1/models", "/health/", "/HEALTH", "//health", "/v1/models%00",
                             "/metrics/../v1/models", "/admin/v1/../../v1/models"}) {
    SCOPED_TRACE(target);
    const RawResponse response = Send(port, "GET", target, "");
    EXPECT_TRUE(response.status == 401 || response.status == 400 || response.status == 404) << response.status;
  }
  EXPECT_EQ(Send(port, "GET", "/metrics", "").status, 200);
}

TEST_F(AuthMatrix, AKeyRevokedFromTheCliStopsWorkingWithinOneSecondAndNoKeyLeaks) {
  std::unique_ptr<ServeProcess> server = Serve({"--public-route", "/metrics"});
  ASSERT_NE(server, nullptr);
  const uint16_t port = server->port();
  ASSERT_EQ(Send(port, "GET", "/v1/models", "Bearer " + acme_key_).status, 200);
  const RawResponse completion = Send(port, "POST", "/v1/completions", "Bearer " + acme_key_, kRoutes[0].body);
  ASSERT_EQ(completion.status, 200) << completion.body;

  const CommandResult revoked = Admin("keys revoke " + KeyIdOf(acme_key_));
  ASSERT_EQ(revoked.exit_code, 0) << revoked.output;
  const auto revoked_at = std::chrono::steady_clock::now();
  int status = 200;
  while (status == 200 && std::chrono::steady_clock::now() - revoked_at < std::chrono::seconds(3)) {
    status = Send(port, "GET", "/v1/models", "Bearer " + acme_key_).status;
    if (status == 200) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_EQ(status, 401);
  EXPECT_LT(std::chrono::steady_clock::now() - revoked_at, std::chrono::seconds(1));

  const std::string metrics = Send(port, "GET", "/metrics", "").body;
  server->Stop();
  std::string dumps = metrics + server->OutputTail() + ReadAll(dir_ / "requests.log");
  for (const auto& entry : std::filesystem::directory_iterator(dir_)) {
    if (entry.path().filename().string().rfind("books.db", 0) == 0) dumps += ReadAll(entry.path());
  }
  dumps += Admin("audit list --json --limit 1000").output + Admin("keys list --json").output;
  for (const std::string& key : keys_) {
    EXPECT_EQ(dumps.find(key), std::string::npos) << "a key leaked";
    EXPECT_EQ(dumps.find(key.substr(3, 24)), std::string::npos) << "part of a key leaked";
  }
  EXPECT_EQ(dumps.find(ReadAll(dir_ / "secret").substr(0, 32)), std::string::npos) << "the server secret leaked";
  EXPECT_EQ(Admin("audit verify").exit_code, 0);
}

TEST_F(AuthMatrix, ARevokedKeysStreamInFlightFinishesAndItsNextRequestGets401) {
  std::unique_ptr<ServeProcess> server = Serve();
  ASSERT_NE(server, nullptr);
  const uint16_t port = server->port();
  std::string error;
  std::optional<RawConnection> connection = RawConnection::Connect(port, &error);
  ASSERT_TRUE(connection) << error;
  const std::string body =
      R"({"prompt":"Once upon a time","max_tokens":600,"ignore_eos":true,"stream":true,)"
      R"("stream_options":{"include_usage":true}})";
  ASSERT_TRUE(connection->Send(BuildRequest(
      "POST", "/v1/completions", {{"Authorization", "Bearer " + acme_key_}, {"Content-Type", "application/json"}},
      body)));
  ASSERT_EQ(connection->ReadHead(std::chrono::seconds(30)).status, 200);
  std::string streamed;
  std::optional<std::string> piece = connection->ReadBodyPiece(std::chrono::seconds(30), &error);
  ASSERT_TRUE(piece) << error;
  streamed += *piece;
  ASSERT_EQ(Admin("keys revoke " + KeyIdOf(acme_key_)).exit_code, 0);
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  EXPECT_EQ(Send(port, "GET", "/v1/models", "Bearer " + acme_key_).status, 401);
  while ((piece = connection->ReadBodyPiece(std::chrono::seconds(60), &error))) streamed += *piece;
  EXPECT_EQ(error, "");
  const std::vector<std::string> events = SplitSseEvents(streamed);
  ASSERT_GE(events.size(), 2u);
  EXPECT_EQ(events.back(), "[DONE]");
  EXPECT_NE(events[events.size() - 2].find(R"("completion_tokens":600)"), std::string::npos)
      << events[events.size() - 2];
}

}  // namespace
}  // namespace fab::http_test
