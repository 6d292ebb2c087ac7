// OpenAiHandler: answers the OpenAI-compatible routes for the served models,
// each over its own engine — /v1/completions, /v1/chat/completions (whole or SSE),
// /v1/models, /tokenize, /detokenize, /health, /ready, /metrics. It sits
// between a parsed HttpRequest (server/http_exchange.h) and the engine: it
// routes, parses, tokenizes, renders the chat template, submits every
// sequence of a request at once (prompts × n, all or none) and turns the
// engine's per-token callbacks into a ResponseStream. Thread-safe: Handle
// runs on any number of transport threads and never blocks on generation.
// Every failure is an HttpResponse with an OpenAI error body (errors.h).
// With several models, a request goes to the one its "model" field names
// (the first when it names none; an unknown name is a 404), /v1/models lists
// them all, /metrics holds every model's series and /ready needs every engine.
#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "engine/engine.h"
#include "server/access_control.h"
#include "server/job_metering.h"
#include "server/power_control.h"
#include "server/routes.h"
#include "server/http_exchange.h"
#include "server/served_model.h"
#include "server/server_metrics.h"

namespace fab::server {

struct HandlerContext;  // what the endpoints share (server/handler_context.h)

// One served model: its description, engine and metrics (not owned).
struct ServedEngine {
  ServedModel model;
  engine::Engine* engine = nullptr;
  ServerMetrics* metrics = nullptr;
};

class OpenAiHandler final : public RequestHandler {
 public:
  // `models` (at least one, distinct names) and what they point to must
  // outlive the handler.
  OpenAiHandler(std::vector<ServedEngine> models, AccessControl access = {}, Metering metering = {});
  // `model.tokenizer`, `engine` and `metrics` must outlive the handler, and
  // so must the authenticator that `access` names, if any.
  OpenAiHandler(ServedModel model, engine::Engine& engine, ServerMetrics& metrics, AccessControl access = {},
                Metering metering = {});
  ~OpenAiHandler() override;
  OpenAiHandler(const OpenAiHandler&) = delete;
  OpenAiHandler& operator=(const OpenAiHandler&) = delete;

  HandlerResult Handle(const HttpRequest& request) override;

  // A POST to /v1/completions or /v1/chat/completions on behalf of `caller`,
  // admitted elsewhere (the arena's answers): Handle without access control
  // and without the content-type check. Any thread.
  HandlerResult Generate(const Caller& caller, const HttpRequest& request);

  // The served names, in the order the models were given.
  std::vector<std::string> ModelNames() const;

  // Counts a response's status under the model the request was for
  // (tokenfab:http_requests_total). Any thread.
  void ObserveHttpStatus(const HttpRequest& request, int status) const;

  // The server's power budget for GET/PUT /admin/v1/power (admin keys);
  // null (the default): those routes are 404. Set before serving; must
  // outlive the handler.
  void SetPowerControl(PowerControl* power) { power_ = power; }

  // From now on /ready answers 503 and new generation requests get 503
  // (requests already accepted run on). Any thread; idempotent.
  void SetDraining();
  bool draining() const { return draining_.load(std::memory_order_acquire); }

 private:
  // Handle without the log line; `context` is ContextFor(request).
  HandlerResult Dispatch(const HandlerContext& context, const HttpRequest& request,
                         std::chrono::steady_clock::time_point received);
  // Dispatch once the caller is known and the route is matched.
  HandlerResult DispatchRoute(const HandlerContext& context, const Caller& caller, ApiRoute route,
                              const HttpRequest& request, std::chrono::steady_clock::time_point received);

  // The context a request is for: the model its JSON body names, else the first.
  const HandlerContext& ContextFor(const HttpRequest& request) const;

  std::vector<const HandlerContext*> Contexts() const;

  std::vector<std::unique_ptr<HandlerContext>> contexts_;
  const AccessControl access_;
  std::atomic<bool> draining_{false};
  PowerControl* power_ = nullptr;
};

}  // namespace fab::server
