// SiteHandler: what `tokenfab serve --arena` answers — the arena and
// leaderboard pages and their API (arena_service.h), open to visitors
// without a key, in front of the OpenAI-compatible routes, which keep their
// own access rules:
//   GET /                    → 303 to /arena
//   GET /arena, /leaderboard → the pages (web/arena.html, web/leaderboard.html)
//   GET /web/NAME            → a static file of web/ (built into the binary)
//   /api/arena/…, GET /api/leaderboard → ArenaService
//   anything else            → the OpenAI handler
// Thread-safe as its parts are.
#pragma once

#include "arena/arena_service.h"
#include "server/http_exchange.h"
#include "server/openai_handler.h"

namespace fab::arena {

class SiteHandler final : public server::RequestHandler {
 public:
  // Both must outlive the handler.
  SiteHandler(server::OpenAiHandler& api, ArenaService& arena) : api_(api), arena_(arena) {}

  server::HandlerResult Handle(const server::HttpRequest& request) override;

 private:
  server::OpenAiHandler& api_;
  ArenaService& arena_;
};

}  // namespace fab::arena
