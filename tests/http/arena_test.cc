// The arena and the leaderboard of `tokenfab serve --arena` over two models,
// through their HTTP API: a battle's answers stream without the models'
// names, its vote reveals them and lands in the books with the prompt's
// SHA-256 and no text (unless --arena-keep-prompts), the ledger rows carry
// the real models, /api/leaderboard counts the vote; every malformed request
// gets its status and an OpenAI error body; per-visitor limits answer 429;
// under --auth the arena is open to visitors while its answers are charged
// to the tenant of --arena-key-file. The pages themselves are tested in a
// browser (arena_browser_test.cc).
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <fstream>
#include <memory>
#include <string>

#include "cli/tokenfab_runner.h"
#include "control/arena_votes.h"
#include "control/books.h"
#include "control/crypto.h"
#include "control/usage_report.h"
#include "http/raw_http.h"
#include "http/serve_fixture.h"
#include "tokenizer/oracle_support.h"

namespace fab::http_test {
namespace {

namespace json = boost::json;
namespace fs = std::filesystem;
using cli_test::CommandResult;
using cli_test::RunTokenfabCommand;

// A demo-tiny model with weights from `seed`, named <name>.gguf.
std::string Model(const std::string& name, int seed) {
  const std::string path = (ScratchDirectory() / (name + ".gguf")).string();
  if (fs::exists(path)) return path;
  const CommandResult made = RunTokenfabCommand("model synth --shape demo-tiny --quant q8_0 -t 2 --seed " +
                                                std::to_string(seed) + " -o " + path);
  EXPECT_EQ(made.exit_code, 0) << made.output;
  return path;
}

class Arena : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = ScratchDirectory() / ("arena-" + std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()));
    fs::create_directories(dir_);
    db_ = "sqlite://" + (dir_ / "books.db").string();
  }

  std::unique_ptr<ServeProcess> Serve(std::vector<std::string> extra = {}) {
    ServeOptions options;
    options.model_path = Model("alpha", 21);
    options.extra_args = {"-m", Model("beta", 22), "--arena", "--db", db_, "--secret-file", (dir_ / "secret").string(),
                          "--arena-max-tokens", "24"};
    options.extra_args.insert(options.extra_args.end(), extra.begin(), extra.end());
    std::string error;
    auto server = ServeProcess::Start(options, &error);
    EXPECT_NE(server, nullptr) << error;
    return server;
  }

  std::unique_ptr<control::Books> OpenBooks() {
    StatusOr<std::unique_ptr<control::Books>> books = control::Books::Open(db_, (dir_ / "secret").string());
    EXPECT_TRUE(books.ok()) << books.status().ToString();
    return books.ok() ? std::move(books).value() : nullptr;
  }

  fs::path dir_;
  std::string db_;
};

std::string StartBattle(uint16_t port, const std::string& prompt = "Tell me about the sea.") {
  const RawResponse r = PostJson(port, "/api/arena/battles", json::serialize(json::object{{"prompt", prompt}}));
  EXPECT_EQ(r.status, 200) << r.body;
  if (r.status != 200) return "";
  return std::string(json::parse(r.body).at("battle_id").as_string());
}

RawResponse Answer(uint16_t port, const std::string& battle, const std::string& side) {
  return PostJson(port, "/api/arena/battles/" + battle + "/answers/" + side, "");
}

RawResponse Vote(uint16_t port, const std::string& battle, const std::string& winner) {
  return PostJson(port, "/api/arena/battles/" + battle + "/vote", json::serialize(json::object{{"winner", winner}}));
}

// A battle with both answers streamed to their end.
std::string AnsweredBattle(uint16_t port, const std::string& prompt = "Tell me about the sea.") {
  const std::string battle = StartBattle(port, prompt);
  for (const char* side : {"a", "b"}) {
    const RawResponse r = Answer(port, battle, side);
    EXPECT_EQ(r.status, 200) << r.body;
    EXPECT_NE(r.body.find("\"finish_reason\""), std::string::npos) << r.body;
  }
  return battle;
}

// The status and the OpenAI error code (or "" when none).
void ExpectError(const RawResponse& r, int status, const std::string& code = "") {
  EXPECT_EQ(r.status, status) << r.body;
  boost::system::error_code error;
  const json::value body = json::parse(r.body, error);
  ASSERT_FALSE(error) << r.body;
  ASSERT_TRUE(body.as_object().contains("error")) << r.body;
  EXPECT_FALSE(body.at("error").at("message").as_string().empty());
  if (!code.empty()) {
    EXPECT_EQ(body.at("error").at("code"), json::value(code)) << r.body;
  }
}

TEST_F(Arena, AnswersStreamAnonymouslyAndTheVoteRevealsTheModelsAndLandsInTheBooks) {
  auto server = Serve();
  ASSERT_NE(server, nullptr);
  const uint16_t port = server->port();
  const std::string prompt = "Write one line about rivers.";
  const std::string battle = StartBattle(port, prompt);
  ASSERT_FALSE(battle.empty());
  for (const char* side : {"a", "b"}) {
    const RawResponse r = Answer(port, battle, side);
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.Header("content-type"), "text/event-stream");
    EXPECT_TRUE(r.chunked);
    EXPECT_NE(r.body.find("data: {\"text\":"), std::string::npos) << r.body;
    EXPECT_NE(r.body.find("data: {\"finish_reason\":\"length\"}"), std::string::npos) << r.body;
    EXPECT_EQ(r.body.find("\"alpha\""), std::string::npos) << "the stream names no model";
    EXPECT_EQ(r.body.find("\"beta\""), std::string::npos) << "the stream names no model";
    EXPECT_EQ(r.body.find("\"model\""), std::string::npos);
    EXPECT_EQ(r.body.find("chatcmpl"), std::string::npos);
    EXPECT_EQ(r.body.substr(r.body.size() - 14), "data: [DONE]\n\n");
  }
  const RawResponse voted = Vote(port, battle, "model_b");
  ASSERT_EQ(voted.status, 200) << voted.body;
  const json::value revealed = json::parse(voted.body);
  const std::string a(revealed.at("model_a").as_string()), b(revealed.at("model_b").as_string());
  EXPECT_TRUE((a == "alpha" && b == "beta") || (a == "beta" && b == "alpha")) << voted.body;
  ExpectError(Vote(port, battle, "model_a"), 404);  // one vote per battle

  const RawResponse board = Get(port, "/api/leaderboard");
  ASSERT_EQ(board.status, 200) << board.body;
  const json::value standings = json::parse(board.body);
  EXPECT_EQ(standings.at("votes"), 1);
  ASSERT_EQ(standings.at("models").as_array().size(), 2u) << board.body;
  const json::object& top = standings.at("models").at(0).as_object();
  EXPECT_EQ(top.at("model"), json::value(b)) << "the winner is rated first";
  EXPECT_EQ(top.at("battles"), 1);
  EXPECT_EQ(top.at("wins"), 1);
  EXPECT_GT(top.at("cost_per_mtok").as_double(), 0.0) << "its cost comes from the ledger";
  EXPECT_GT(top.at("joules_per_token").as_double(), 0.0);
  EXPECT_TRUE(top.at("median_tpot_s").is_double());

  server.reset();  // the books are flushed at exit
  auto books = OpenBooks();
  ASSERT_NE(books, nullptr);
  StatusOr<std::vector<control::ArenaVote>> votes = control::ListArenaVotes(books->database(), 0);
  ASSERT_TRUE(votes.ok());
  ASSERT_EQ(votes->size(), 1u);
  const control::ArenaVote& vote = votes->front();
  EXPECT_EQ(vote.battle_id, battle);
  EXPECT_EQ(vote.model_a, a);
  EXPECT_EQ(vote.model_b, b);
  EXPECT_EQ(vote.winner, "model_b");
  EXPECT_EQ(vote.prompt_sha256, control::HexEncode(control::Sha256(prompt)));
  EXPECT_FALSE(vote.prompt.has_value()) << "the prompt's text is kept only when the operator opts in";
  EXPECT_EQ(vote.visitor.size(), 32u);
  EXPECT_EQ(vote.visitor.find("127.0.0.1"), std::string::npos);
  StatusOr<std::vector<control::ModelUsage>> usage = control::QueryModelUsage(books->database(), 0, INT64_MAX);
  ASSERT_TRUE(usage.ok());
  ASSERT_EQ(usage->size(), 2u) << "the ledger keeps the real model of each answer";
  for (const control::ModelUsage& model : *usage) EXPECT_EQ(model.requests, 1) << model.model;
  const CommandResult exported = RunTokenfabCommand("arena export --db " + db_ + " --secret-file " + (dir_ / "secret").string(), false);
  EXPECT_EQ(exported.exit_code, 0);
  EXPECT_NE(exported.output.find("\"battle_id\":\"" + battle + "\""), std::string::npos) << exported.output;
}

TEST_F(Arena, KeepsThePromptsTextOnlyWhenTheOperatorOptsIn) {
  auto server = Serve({"--arena-keep-prompts"});
  ASSERT_NE(server, nullptr);
  const RawResponse started = PostJson(server->port(), "/api/arena/battles", R"({"prompt":"안녕하세요, 바다"})");
  ASSERT_EQ(started.status, 200) << started.body;
  EXPECT_EQ(json::parse(started.body).at("prompt_kept"), true);
  const std::string battle(json::parse(started.body).at("battle_id").as_string());
  ASSERT_EQ(Answer(server->port(), battle, "a").status, 200);
  ASSERT_EQ(Answer(server->port(), battle, "b").status, 200);
  ASSERT_EQ(Vote(server->port(), battle, "tie (bothbad)").status, 200);
  server.reset();
  auto books = OpenBooks();
  ASSERT_NE(books, nullptr);
  StatusOr<std::vector<control::ArenaVote>> votes = control::ListArenaVotes(books->database(), 0);
  ASSERT_TRUE(votes.ok());
  ASSERT_EQ(votes->size(), 1u);
  ASSERT_TRUE(votes->front().prompt.has_value());
  EXPECT_EQ(*votes->front().prompt, "안녕하세요, 바다");
}

TEST_F(Arena, MalformedRequestsGetTheirStatusAndAnOpenAiErrorBody) {
  auto server = Serve();
  ASSERT_NE(server, nullptr);
  const uint16_t port = server->port();
  ExpectError(PostJson(port, "/api/arena/battles", "{not json"), 400);
  ExpectError(PostJson(port, "/api/arena/battles", "[1,2]"), 400);
  ExpectError(PostJson(port, "/api/arena/battles", R"({"prompt":7})"), 400);
  ExpectError(PostJson(port, "/api/arena/battles", R"({"prompt":"  \n "})"), 400);
  ExpectError(PostJson(port, "/api/arena/battles", json::serialize(json::object{{"prompt", std::string(9000, 'x')}})), 400);
  ExpectError(PostJson(port, "/api/arena/battles", "{\"prompt\":\"\xff\xfe\"}"), 400);
  {
    auto connection = RawConnection::Connect(port);
    ASSERT_TRUE(connection.has_value());
    connection->Send(BuildRequest("POST", "/api/arena/battles", {{"Content-Type", "text/plain"}}, R"({"prompt":"x"})"));
    ExpectError(connection->ReadResponse(), 415);
  }
  ExpectError(Get(port, "/api/arena/battles"), 405);
  ExpectError(Get(port, "/api/arena/nothing"), 404);
  ExpectError(Answer(port, "battle-unknown", "a"), 404);
  const std::string battle = StartBattle(port);
  ExpectError(Answer(port, battle, "c"), 404);
  ExpectError(Vote(port, battle, "model_a"), 409, "conflict");  // no answer yet
  ASSERT_EQ(Answer(port, battle, "a").status, 200);
  ExpectError(Answer(port, battle, "a"), 409, "conflict");      // each answer streams once
  ASSERT_EQ(Answer(port, battle, "b").status, 200);
  ExpectError(Vote(port, battle, "model_c"), 400);
  ExpectError(PostJson(port, "/api/arena/battles/" + battle + "/vote", R"({"winner":null})"), 400);
  EXPECT_EQ(Vote(port, battle, "tie").status, 200) << "the battle is still open after refused votes";
  EXPECT_EQ(Get(port, "/api/leaderboard").status, 200);
  ExpectError(PostJson(port, "/api/leaderboard", "{}"), 405);
  // The pages and their files.
  const RawResponse root = Get(port, "/");
  EXPECT_EQ(root.status, 303);
  EXPECT_EQ(root.Header("location"), "/arena");
  for (const char* page : {"/arena", "/leaderboard"}) {
    const RawResponse r = Get(port, page);
    EXPECT_EQ(r.status, 200) << page;
    EXPECT_EQ(r.Header("content-type"), "text/html; charset=utf-8");
    EXPECT_NE(r.Header("content-security-policy").find("default-src 'self'"), std::string::npos);
  }
  EXPECT_EQ(Get(port, "/web/arena.js").Header("content-type"), "text/javascript; charset=utf-8");
  EXPECT_EQ(Get(port, "/web/style.css").status, 200);
  ExpectError(Get(port, "/web/../secret"), 404);
  ExpectError(Get(port, "/web/missing.js"), 404);
  // The OpenAI routes are still there behind the pages.
  EXPECT_EQ(Get(port, "/v1/models").status, 200);
}

TEST_F(Arena, AVisitorPastItsHourlyLimitsGets429) {
  auto server = Serve({"--arena-votes-per-hour", "2", "--arena-battles-per-hour", "4"});
  ASSERT_NE(server, nullptr);
  const uint16_t port = server->port();
  for (int i = 0; i < 2; ++i) ASSERT_EQ(Vote(port, AnsweredBattle(port), "model_a").status, 200);
  const std::string third = AnsweredBattle(port);
  const RawResponse refused = Vote(port, third, "model_a");
  ExpectError(refused, 429);
  EXPECT_NE(refused.body.find("2 votes in the last hour"), std::string::npos) << refused.body;
  EXPECT_FALSE(refused.Header("retry-after").empty());
  StartBattle(port);  // the fourth battle this hour
  const RawResponse too_many = PostJson(port, "/api/arena/battles", R"({"prompt":"again"})");
  ExpectError(too_many, 429);
  EXPECT_NE(too_many.body.find("4 battles in the last hour"), std::string::npos) << too_many.body;
}

TEST_F(Arena, UnderAuthTheArenaIsOpenToVisitorsAndChargesItsAnswersToTheArenaTenant) {
  const std::string books = "--db " + db_ + " --secret-file " + (dir_ / "secret").string();
  ASSERT_EQ(RunTokenfabCommand("tenants create arena-visitors " + books).exit_code, 0);
  const CommandResult created = RunTokenfabCommand("keys create --tenant arena-visitors " + books, false);
  ASSERT_EQ(created.exit_code, 0);
  const std::string key_file = (dir_ / "arena.key").string();
  {
    std::ofstream out(key_file);
    out << created.output.substr(0, created.output.find('\n')) << "\n";
  }
  auto server = Serve({"--auth", "--arena-key-file", key_file});
  ASSERT_NE(server, nullptr);
  const uint16_t port = server->port();
  EXPECT_EQ(Get(port, "/v1/models").status, 401) << "the API still needs a key";
  EXPECT_EQ(Get(port, "/arena").status, 200);
  const std::string battle = AnsweredBattle(port);
  EXPECT_EQ(Vote(port, battle, "model_a").status, 200);
  server.reset();
  auto opened = OpenBooks();
  ASSERT_NE(opened, nullptr);
  StatusOr<std::vector<control::UsageTotals>> usage =
      control::QueryUsage(opened->database(), std::string("arena-visitors"), 0, INT64_MAX);
  ASSERT_TRUE(usage.ok());
  ASSERT_EQ(usage->size(), 1u);
  EXPECT_EQ(usage->front().requests, 2) << "both answers are on the arena tenant's books";
}

TEST_F(Arena, IsRefusedAtStartWithOneModelOrUnderAuthWithoutItsKey) {
  const std::string serve = std::string(FAB_BINARY_DIR) + "/bin/tokenfab serve --port 0 --db " + db_ +
                            " --secret-file " + (dir_ / "secret").string() + " -m " + Model("alpha", 21);
  std::string output;
  EXPECT_EQ(fab::testing::RunCommand(serve + " --arena 2>&1", &output), 1);
  EXPECT_NE(output.find("--arena needs two or more models"), std::string::npos) << output;
  EXPECT_EQ(fab::testing::RunCommand(serve + " -m " + Model("beta", 22) + " --arena --auth 2>&1", &output), 1);
  EXPECT_NE(output.find("--arena with --auth needs --arena-key-file"), std::string::npos) << output;
  const std::string bad_key = (dir_ / "bad.key").string();
  std::ofstream(bad_key) << "tf-not-a-real-key\n";
  EXPECT_EQ(fab::testing::RunCommand(serve + " -m " + Model("beta", 22) + " --arena --auth --arena-key-file " + bad_key +
                                         " 2>&1",
                                     &output),
            1);
  EXPECT_NE(output.find("--arena-key-file"), std::string::npos) << output;
}

}  // namespace
}  // namespace fab::http_test
