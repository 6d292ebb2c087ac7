#include "arena/arena_service.h"

#include <map>
#include <random>
#include <utility>
#include <vector>

#include "arena/answer_stream.h"
#include "arena/leaderboard_report.h"
#include "base/clock.h"
#include "board/leaderboard.h"
#include "control/arena_votes.h"
#include "control/crypto.h"
#include "control/usage_report.h"
#include "server/errors.h"
#include "tokenizer/utf8.h"

namespace fab::arena {
namespace {

namespace json = boost::json;

using server::ApiError;
using server::ErrorResponse;
using server::HttpResponse;

constexpr int64_t kHourMs = 3600 * 1000;

HttpResponse JsonResponse(const json::object& body) {
  HttpResponse response;
  response.body = json::serialize(body);
  response.headers.emplace_back("Cache-Control", "no-store");
  return response;
}

// The body's JSON object, or the 400 to answer with.
std::variant<json::object, ApiError> ParseObject(const server::HttpRequest& request) {
  boost::system::error_code error;
  json::value body = json::parse(request.body, error);
  if (error) return server::InvalidJsonError(error.message());
  if (!body.is_object()) return server::InvalidJsonError("the body must be a JSON object");
  return std::move(body.as_object());
}

// The string field `name` of `body`, or the 400 naming it.
std::variant<std::string, ApiError> StringField(const json::object& body, const char* name) {
  const json::value* value = body.if_contains(name);
  if (value == nullptr || !value->is_string()) {
    return server::InvalidFieldError(name, std::string("'") + name + "' must be a string");
  }
  return std::string(value->as_string());
}

}  // namespace

ArenaService::ArenaService(server::OpenAiHandler& generator, server::AccessControl access, control::Books& books,
                           ArenaOptions options)
    : generator_(generator),
      access_(std::move(access)),
      books_(books),
      options_(std::move(options)),
      battles_(generator.ModelNames(), options_.battles_per_hour, std::random_device{}()) {}

std::string ArenaService::VisitorOf(const server::HttpRequest& request) const {
  std::string address = request.remote;  // "127.0.0.1:5000" or "[::1]:5000"
  if (!address.empty() && address.front() == '[') {
    address = address.substr(1, address.find(']') - 1);
  } else if (const size_t colon = address.rfind(':'); colon != std::string::npos) {
    address.resize(colon);
  }
  return control::HexEncode(control::HmacSha256(books_.secret().key, "arena-visitor\n" + address)).substr(0, 32);
}

HttpResponse ArenaService::StartBattle(const server::HttpRequest& request) {
  auto body = ParseObject(request);
  if (auto* error = std::get_if<ApiError>(&body)) return ErrorResponse(*error);
  auto prompt = StringField(std::get<json::object>(body), "prompt");
  if (auto* error = std::get_if<ApiError>(&prompt)) return ErrorResponse(*error);
  const std::string& text = std::get<std::string>(prompt);
  if (text.find_first_not_of(" \t\r\n") == std::string::npos) {
    return ErrorResponse(server::InvalidFieldError("prompt", "the prompt is empty"));
  }
  if (text.size() > kMaxArenaPromptBytes) {
    return ErrorResponse(server::InvalidFieldError(
        "prompt", "the prompt is " + std::to_string(text.size()) + " bytes; the arena takes at most " +
                      std::to_string(kMaxArenaPromptBytes)));
  }
  if (!IsValidUtf8(text)) return ErrorResponse(server::InvalidFieldError("prompt", "the prompt is not valid UTF-8"));
  StatusOr<Battle> battle = battles_.Start(text, VisitorOf(request), BattleBook::Clock::now());
  if (!battle.ok()) {
    if (battle.status().code() == StatusCode::kResourceExhausted) {
      return ErrorResponse(server::RateLimitedError(battle.status().message(), 60));
    }
    return ErrorResponse(server::ErrorFromStatus(battle.status()));
  }
  return JsonResponse(
      {{"battle_id", battle->id}, {"max_tokens", options_.max_tokens}, {"prompt_kept", options_.keep_prompts}});
}

server::HandlerResult ArenaService::Answer(const server::HttpRequest& request, const std::string& battle_id, Side side) {
  std::string model;
  StatusOr<Battle> battle = battles_.BeginAnswer(battle_id, side, &model);
  if (!battle.ok()) {
    if (battle.status().code() == StatusCode::kFailedPrecondition) {
      return ErrorResponse(server::ConflictError(battle.status().message()));
    }
    return ErrorResponse(server::ErrorFromStatus(battle.status()));
  }
  const auto fail = [&](const char* why) { battles_.EndAnswer(battle_id, side, false); return why; };
  // The arena's own caller, admitted as any client with its key would be.
  server::HttpRequest chat;
  chat.method = "POST";
  chat.target = "/v1/chat/completions";
  chat.content_type = "application/json";
  chat.authorization = options_.authorization;
  chat.remote = request.remote;
  server::ApiResult<server::Caller> caller = access_.Admit(chat);
  if (!caller.ok()) {
    fail("the arena's key was refused");
    return ErrorResponse(caller.error());
  }
  json::object body{{"model", model},
                    {"messages", json::array{json::object{{"role", "user"}, {"content", battle->prompt}}}},
                    {"max_completion_tokens", options_.max_tokens},
                    {"stream", true},
                    {"user", "arena"}};
  chat.body = json::serialize(body);
  server::HandlerResult result = generator_.Generate(caller.value(), chat);
  if (auto* response = std::get_if<HttpResponse>(&result)) {
    fail("the model refused the answer");
    return std::move(*response);  // its error names no model: it is about the prompt, the quota or the load
  }
  std::shared_ptr<server::ResponseStream> stream = std::get<std::shared_ptr<server::ResponseStream>>(result);
  return AnonymousAnswer(std::move(stream), [this, battle_id, side](bool ok) { battles_.EndAnswer(battle_id, side, ok); });
}

HttpResponse ArenaService::Vote(const server::HttpRequest& request, const std::string& battle_id) {
  auto body = ParseObject(request);
  if (auto* error = std::get_if<ApiError>(&body)) return ErrorResponse(*error);
  auto winner = StringField(std::get<json::object>(body), "winner");
  if (auto* error = std::get_if<ApiError>(&winner)) return ErrorResponse(*error);
  const std::string& choice = std::get<std::string>(winner);
  if (choice != "model_a" && choice != "model_b" && choice != "tie" && choice != "tie (bothbad)") {
    return ErrorResponse(server::InvalidFieldError("winner", "'winner' must be model_a, model_b, tie or tie (bothbad)"));
  }
  const std::string visitor = VisitorOf(request);
  const int64_t now_ms = UnixMillis();
  StatusOr<int64_t> cast = control::CountArenaVotes(books_.database(), visitor, now_ms - kHourMs);
  if (!cast.ok()) return ErrorResponse(server::ErrorFromStatus(UnavailableError("the books cannot be read: " + cast.status().message())));
  if (*cast >= options_.votes_per_hour) {
    return ErrorResponse(server::RateLimitedError("this visitor cast " + std::to_string(*cast) +
                                                      " votes in the last hour, the arena's limit",
                                                  60));
  }
  StatusOr<Battle> battle = battles_.TakeForVote(battle_id);
  if (!battle.ok()) {
    if (battle.status().code() == StatusCode::kFailedPrecondition) {
      return ErrorResponse(server::ConflictError(battle.status().message()));
    }
    return ErrorResponse(server::ErrorFromStatus(battle.status()));
  }
  control::ArenaVote vote;
  vote.battle_id = battle->id;
  vote.model_a = battle->model_a;
  vote.model_b = battle->model_b;
  vote.winner = choice;
  vote.prompt_sha256 = control::HexEncode(control::Sha256(battle->prompt));
  if (options_.keep_prompts) vote.prompt = battle->prompt;
  vote.visitor = visitor;
  vote.at_ms = now_ms;
  if (Status recorded = control::RecordArenaVote(books_.database(), vote); !recorded.ok()) {
    if (recorded.code() == StatusCode::kFailedPrecondition) return ErrorResponse(server::ConflictError(recorded.message()));
    return ErrorResponse(server::ErrorFromStatus(UnavailableError("the vote could not be written: " + recorded.message())));
  }
  votes_here_.fetch_add(1, std::memory_order_acq_rel);
  return JsonResponse({{"battle_id", vote.battle_id}, {"winner", vote.winner}, {"model_a", vote.model_a},
                       {"model_b", vote.model_b}});
}

HttpResponse ArenaService::Leaderboard() {
  std::lock_guard<std::mutex> lock(board_mutex_);
  const auto now = std::chrono::steady_clock::now();
  const int64_t votes_here = votes_here_.load(std::memory_order_acquire);
  if (board_votes_here_ == votes_here && now - board_time_ < std::chrono::seconds(1)) {
    HttpResponse cached;
    cached.body = board_body_;
    cached.headers.emplace_back("Cache-Control", "no-store");
    return cached;
  }
  StatusOr<std::vector<control::ArenaVote>> votes = control::ListArenaVotes(books_.database(), 0);
  if (!votes.ok()) return ErrorResponse(server::ErrorFromStatus(UnavailableError("the books cannot be read: " + votes.status().message())));
  std::vector<board::NamedVote> named;
  named.reserve(votes->size());
  for (const control::ArenaVote& vote : *votes) {
    const double score = vote.winner == "model_a" ? 1.0 : vote.winner == "model_b" ? 0.0 : 0.5;
    named.push_back(board::NamedVote{vote.model_a, vote.model_b, score});
  }
  StatusOr<std::vector<control::ModelUsage>> rows = control::QueryModelUsage(books_.database(), 0, INT64_MAX);
  if (!rows.ok()) return ErrorResponse(server::ErrorFromStatus(UnavailableError("the books cannot be read: " + rows.status().message())));
  std::map<std::string, control::ModelUsage> usage;
  for (control::ModelUsage& row : *rows) usage[row.model] = std::move(row);
  const board::Leaderboard fitted = board::ComputeLeaderboard(named, options_.bootstrap, options_.seed);
  const json::object out = LeaderboardJson(fitted, usage, options_.eval_scores, options_.seed, generator_.ModelNames());
  board_body_ = json::serialize(out);
  board_votes_here_ = votes_here;
  board_time_ = now;
  return JsonResponse(out);
}

}  // namespace fab::arena
