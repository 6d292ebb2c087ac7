// OpenAiHandler: answers the OpenAI-compatible routes for one served model
// over one engine — /v1/completions, /v1/chat/completions (whole or SSE),
// /v1/models, /tokenize, /detokenize, /health, /ready, /metrics. It sits
// between a parsed HttpRequest (server/http_exchange.h) and the engine: it
// routes, parses, tokenizes, renders the chat template, submits every
// sequence of a request at once (prompts × n, all or none) and turns the
// engine's per-token callbacks into a ResponseStream. Thread-safe: Handle
// runs on any number of transport threads and never blocks on generation.
// Every failure is an HttpResponse with an OpenAI error body (errors.h).
#pragma once

#include <atomic>
#include <chrono>
#include <memory>

#include "engine/engine.h"
#include "server/access_control.h"
#include "server/job_metering.h"
#include "server/http_exchange.h"
#include "server/served_model.h"
#include "server/server_metrics.h"

namespace fab::server {

struct HandlerContext;  // what the endpoints share (server/handler_context.h)

class OpenAiHandler final : public RequestHandler {
 public:
  // `model.tokenizer`, `engine` and `metrics` must outlive the handler, and
  // so must the authenticator that `access` names, if any.
  OpenAiHandler(ServedModel model, engine::Engine& engine, ServerMetrics& metrics, AccessControl access = {},
                Metering metering = {});
  ~OpenAiHandler() override;
  OpenAiHandler(const OpenAiHandler&) = delete;
  OpenAiHandler& operator=(const OpenAiHandler&) = delete;

  HandlerResult Handle(const HttpRequest& request) override;

  // From now on /ready answers 503 and new generation requests get 503
  // (requests already accepted run on). Any thread; idempotent.
  void SetDraining();
  bool draining() const { return draining_.load(std::memory_order_acquire); }

 private:
  // Handle without the log line.
  HandlerResult Dispatch(const HttpRequest& request, std::chrono::steady_clock::time_point received);

  std::unique_ptr<HandlerContext> context_;
  const AccessControl access_;
  std::atomic<bool> draining_{false};
};

}  // namespace fab::server
