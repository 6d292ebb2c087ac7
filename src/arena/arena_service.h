// ArenaService: the arena's JSON API over the served models, and the live
// leaderboard of its votes. A visitor's battle pairs two anonymous models
// (battle_book.h); each side's answer is a real chat completion through the
// OpenAI handler, charged in the books to the arena's caller under the real
// model's name, and streamed to the page without it (answer_stream.h); the
// vote goes into the books (control/arena_votes.h) and reveals the names.
//   POST /api/arena/battles                 {"prompt"} → {"battle_id", "max_tokens", "prompt_kept"}
//   POST /api/arena/battles/ID/answers/a|b  → the anonymous event stream
//   POST /api/arena/battles/ID/vote         {"winner": "model_a" | "model_b" | "tie" | "tie (bothbad)"}
//                                           → {"battle_id", "winner", "model_a", "model_b"}
//   GET  /api/leaderboard                   → leaderboard_report.h's JSON
// Visitors are told apart by a keyed hash of their address (never stored
// raw); each may start `battles_per_hour` battles and cast `votes_per_hour`
// votes in any hour (429 past either). Thread-safe; nothing here blocks on
// generation.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include <boost/json.hpp>

#include "arena/battle_book.h"
#include "control/books.h"
#include "server/access_control.h"
#include "server/http_exchange.h"
#include "server/openai_handler.h"

namespace fab::arena {

struct ArenaOptions {
  bool keep_prompts = false;      // store the prompt's text with its vote (the operator's opt-in)
  int64_t battles_per_hour = 60;  // per visitor
  int64_t votes_per_hour = 30;    // per visitor, counted in the books
  int64_t max_tokens = 256;       // per answer
  int64_t bootstrap = 1000;       // resamples behind the leaderboard's intervals
  uint64_t seed = 0;              // of the bootstrap and of the pairings
  // The arena's caller: its requests carry this Authorization header
  // ("Bearer tf-…", the key of the tenant its answers are charged to), or
  // none when authentication is off.
  std::string authorization;
  boost::json::object eval_scores;  // arena/leaderboard_report.h ReadEvalScores
};

inline constexpr size_t kMaxArenaPromptBytes = 8192;

class ArenaService {
 public:
  // `generator` (two or more models) and `books` must outlive the service;
  // `access` is the server's, through which the arena's caller is admitted.
  ArenaService(server::OpenAiHandler& generator, server::AccessControl access, control::Books& books,
               ArenaOptions options);

  server::HttpResponse StartBattle(const server::HttpRequest& request);
  server::HandlerResult Answer(const server::HttpRequest& request, const std::string& battle_id, Side side);
  server::HttpResponse Vote(const server::HttpRequest& request, const std::string& battle_id);
  server::HttpResponse Leaderboard();

 private:
  // The keyed hash of the request's peer address (its port dropped).
  std::string VisitorOf(const server::HttpRequest& request) const;

  server::OpenAiHandler& generator_;
  const server::AccessControl access_;
  control::Books& books_;
  const ArenaOptions options_;
  BattleBook battles_;

  // The last leaderboard served: refitted after a vote here, else at most
  // once a second (the costs move with every request; another process
  // sharing the books may add votes).
  std::atomic<int64_t> votes_here_{0};
  std::mutex board_mutex_;
  std::optional<int64_t> board_votes_here_;           // guarded by board_mutex_: votes_here_ when fitted
  std::string board_body_;                            // guarded by board_mutex_
  std::chrono::steady_clock::time_point board_time_;  // guarded by board_mutex_
};

}  // namespace fab::arena
