// libFuzzer target for the OpenAI request parsers (src/server): any bytes as
// a completions, chat, tokenize or detokenize body must give a request that
// keeps the documented limits, or a 400 invalid_request_error whose body is
// valid JSON and UTF-8, never a crash, leak or UB. The same bytes as a path
// and as a content type must be matched or refused cleanly. Then the stop
// matcher: text pushed in pieces of any size must come out exactly as the
// text up to its first stop string.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <boost/json.hpp>

#include "fuzz_support.h"
#include "server/chat_request.h"
#include "server/completion_request.h"
#include "server/request_limits.h"
#include "server/routes.h"
#include "server/tokenize_request.h"
#include "tokenizer/stop_string_matcher.h"
#include "tokenizer/utf8.h"

namespace {

using fab::fuzz::Require;
namespace server = fab::server;

void RequireCleanError(const server::ApiError& error, int status) {
  Require(error.http_status == status, "error status");
  const std::string body = server::ErrorBody(error);
  Require(fab::IsValidUtf8(body), "error body is UTF-8");
  boost::json::error_code ec;
  (void)boost::json::parse(body, ec);
  Require(!ec, "error body is JSON");
}

void RequireSamplingWithinLimits(const server::SamplingFields& sampling) {
  Require(sampling.n >= 1 && sampling.n <= server::kMaxChoices, "n within limits");
  Require(sampling.stop.size() <= fab::kMaxStopStrings, "stop count within limits");
  for (const std::string& stop : sampling.stop) Require(!stop.empty(), "stop strings non-empty");
  if (sampling.temperature) {
    Require(*sampling.temperature >= 0 && *sampling.temperature <= server::kMaxTemperature, "temperature");
  }
  if (sampling.top_p) Require(*sampling.top_p > 0 && *sampling.top_p <= 1, "top_p");
  for (const auto& [id, bias] : sampling.logit_bias) Require(id >= 0 && bias >= -100 && bias <= 100, "logit_bias");
}

void CheckBodyParsers(std::string_view body) {
  const auto completion = server::ParseCompletionRequest(body);
  if (completion.ok()) {
    Require(!completion->prompts.empty() && completion->prompts.size() <= server::kMaxPrompts, "prompt count");
    for (const auto& prompt : completion->prompts) {
      if (const auto* text = std::get_if<std::string>(&prompt)) {
        Require(!text->empty() && fab::IsValidUtf8(*text), "text prompt");
      } else {
        Require(!std::get<std::vector<fab::TokenId>>(prompt).empty(), "token prompt non-empty");
      }
    }
    RequireSamplingWithinLimits(completion->sampling);
  } else {
    RequireCleanError(completion.error(), 400);
  }
  const auto chat = server::ParseChatRequest(body);
  if (chat.ok()) {
    Require(!chat->messages.empty(), "messages non-empty");
    RequireSamplingWithinLimits(chat->sampling);
  } else {
    RequireCleanError(chat.error(), 400);
  }
  const auto tokenize = server::ParseTokenizeRequest(body);
  if (!tokenize.ok()) RequireCleanError(tokenize.error(), 400);
  const auto detokenize = server::ParseDetokenizeRequest(body);
  if (!detokenize.ok()) RequireCleanError(detokenize.error(), 400);
}

void CheckRouting(std::string_view bytes) {
  const auto route = server::MatchRoute("GET", bytes);
  if (!route.ok()) Require(fab::IsValidUtf8(server::ErrorBody(route.error())), "route error is UTF-8");
  if (const auto error = server::CheckJsonContentType(bytes)) {
    Require(fab::IsValidUtf8(server::ErrorBody(*error)), "content-type error is UTF-8");
  }
}

// The first 1-4 bytes are the stop string, the rest the text, pushed in
// pieces of 1-7 bytes (chosen by the first and last byte).
void CheckStopMatcher(const uint8_t* data, size_t size) {
  if (size < 2) return;
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  const std::string stop(bytes.substr(0, std::min<size_t>(1 + data[0] % 4, size - 1)));
  const std::string_view text = bytes.substr(stop.size());
  const size_t first = text.find(stop);
  const std::string expected(first == std::string_view::npos ? text : text.substr(0, first));
  fab::StopStringMatcher matcher({stop});
  std::string emitted;
  bool stopped = false;
  const size_t piece = 1 + data[size - 1] % 7;
  for (size_t at = 0; at < text.size() && !stopped; at += piece) {
    const fab::StopStringMatcher::Step step = matcher.Push(text.substr(at, piece));
    emitted += step.emit;
    stopped = step.stopped;
  }
  if (!stopped) emitted += matcher.Flush();
  Require(emitted == expected, "stop matcher emits the text up to the stop");
  Require(stopped == (first != std::string_view::npos), "stop matcher stops exactly when the stop occurs");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  CheckBodyParsers(bytes);
  CheckRouting(bytes);
  CheckStopMatcher(data, size);
  return 0;
}
