// The routes of the OpenAI-compatible server and the checks that happen
// before a body is parsed: which handler a (method, target) pair reaches —
// 404 for an unknown path, 405 for a known path with the wrong method — and
// whether a POST says it carries JSON (415 otherwise). Pure, thread-safe.
#pragma once

#include <optional>
#include <string_view>

#include "server/api_result.h"

namespace fab::server {

enum class ApiRoute {
  kCompletions,      // POST /v1/completions
  kChatCompletions,  // POST /v1/chat/completions
  kModels,           // GET  /v1/models
  kTokenize,         // POST /tokenize
  kDetokenize,       // POST /detokenize
  kHealth,           // GET  /health
  kReady,            // GET  /ready
  kMetrics,          // GET  /metrics
  kPrefixBlocks,     // GET  /v1/prefix_blocks
};

// The one method a route takes ("GET" or "POST"), for the Allow header.
std::string_view RouteMethod(ApiRoute route);

// `target` is the request target; a query string is ignored. HEAD is
// answered like GET on GET routes.
ApiResult<ApiRoute> MatchRoute(std::string_view method, std::string_view target);

// For POST routes: nullopt when `content_type` is application/json (any
// case, optional parameters, charset utf-8 if given); 415 otherwise,
// including when it is absent (empty).
std::optional<ApiError> CheckJsonContentType(std::string_view content_type);

}  // namespace fab::server
