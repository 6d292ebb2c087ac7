#include "server/openai_handler.h"

#include <chrono>
#include <string>
#include <variant>

#include <boost/json.hpp>
#include <utility>

#include "server/admin_endpoints.h"
#include "server/chat_endpoint.h"
#include "server/completion_endpoint.h"
#include "server/handler_context.h"
#include "server/power_endpoint.h"
#include "server/request_log.h"
#include "server/routes.h"
#include "server/utility_endpoints.h"

namespace fab::server {

OpenAiHandler::OpenAiHandler(ServedModel model, engine::Engine& engine, ServerMetrics& metrics, AccessControl access,
                             Metering metering)
    : OpenAiHandler(std::vector<ServedEngine>{ServedEngine{std::move(model), &engine, &metrics}}, std::move(access),
                    std::move(metering)) {}

OpenAiHandler::OpenAiHandler(std::vector<ServedEngine> models, AccessControl access, Metering metering)
    : access_(std::move(access)) {
  FAB_CHECK(!models.empty()) << "a handler serves at least one model";
  for (ServedEngine& served : models) {
    contexts_.push_back(std::make_unique<HandlerContext>(std::move(served.model), *served.engine, *served.metrics, metering));
  }
}

void OpenAiHandler::ObserveHttpStatus(const HttpRequest& request, int status) const {
  ContextFor(request).metrics.ObserveHttpStatus(status);
}

std::vector<const HandlerContext*> OpenAiHandler::Contexts() const {
  std::vector<const HandlerContext*> out;
  for (const auto& context : contexts_) out.push_back(context.get());
  return out;
}

const HandlerContext& OpenAiHandler::ContextFor(const HttpRequest& request) const {
  if (contexts_.size() == 1 || request.body.empty()) return *contexts_.front();
  boost::system::error_code error;
  const boost::json::value body = boost::json::parse(request.body, error);
  const boost::json::value* model = !error && body.is_object() ? body.as_object().if_contains("model") : nullptr;
  if (model != nullptr && model->is_string()) {
    for (const auto& context : contexts_) {
      if (context->model.name == model->as_string()) return *context;
    }
  }
  return *contexts_.front();  // its endpoint answers an unknown name with 404
}

std::vector<std::string> OpenAiHandler::ModelNames() const {
  std::vector<std::string> names;
  for (const auto& context : contexts_) names.push_back(context->model.name);
  return names;
}

OpenAiHandler::~OpenAiHandler() = default;

void OpenAiHandler::SetDraining() { draining_.store(true, std::memory_order_release); }

namespace {

// The log line of a response answered at once (generation jobs log their own
// when they end). For an error, the message from its OpenAI body.
void LogImmediateResponse(const HttpRequest& request, const HttpResponse& response, const std::string& model,
                          std::chrono::steady_clock::time_point received) {
  RequestLogEntry entry;
  entry.method = request.method;
  entry.path = request.target.substr(0, request.target.find('?'));
  entry.status = response.status;
  entry.remote = request.remote;
  entry.model = model;
  entry.duration_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - received).count();
  if (response.status >= 400) {
    boost::system::error_code ignored;
    const boost::json::value body = boost::json::parse(response.body, ignored);
    const boost::json::object* root = body.if_object();
    const boost::json::value* error = root != nullptr ? root->if_contains("error") : nullptr;
    const boost::json::value* message =
        error != nullptr && error->is_object() ? error->as_object().if_contains("message") : nullptr;
    if (message != nullptr && message->is_string()) entry.error = std::string(message->as_string());
  }
  LogRequest(entry);
}

}  // namespace

HandlerResult OpenAiHandler::Handle(const HttpRequest& request) {
  const auto received = std::chrono::steady_clock::now();
  const HandlerContext& context = ContextFor(request);  // one look at the body's "model"
  HandlerResult result = Dispatch(context, request, received);
  if (const HttpResponse* response = std::get_if<HttpResponse>(&result)) {
    LogImmediateResponse(request, *response, context.model.name, received);
  }
  return result;
}

HandlerResult OpenAiHandler::Generate(const Caller& caller, const HttpRequest& request) {
  const auto received = std::chrono::steady_clock::now();
  const HandlerContext& context = ContextFor(request);
  ApiResult<ApiRoute> route = MatchRoute(request.method, request.target);
  HandlerResult result = !route.ok() ? ErrorResponse(route.error())
                         : route.value() != ApiRoute::kCompletions && route.value() != ApiRoute::kChatCompletions
                             ? ErrorResponse(UnknownPathError(request.method, request.target))
                             : DispatchRoute(context, caller, route.value(), request, received);
  if (const HttpResponse* response = std::get_if<HttpResponse>(&result)) {
    LogImmediateResponse(request, *response, context.model.name, received);
  }
  return result;
}

HandlerResult OpenAiHandler::Dispatch(const HandlerContext& context, const HttpRequest& request,
                                      std::chrono::steady_clock::time_point received) {
  ApiResult<Caller> admitted = access_.Admit(request);
  if (!admitted.ok()) return ErrorResponse(admitted.error());
  const Caller& caller = admitted.value();
  if (request.target.rfind("/admin/", 0) == 0) {
    if (auto error = CheckAdmin(caller)) return ErrorResponse(*error);
    if (request.target.rfind("/admin/v1/power", 0) == 0) {
      return HandlePowerAdmin(power_, contexts_.front()->metering.books, caller, request);
    }
    return HandleAdmin(contexts_.front()->metering.books, access_, caller, request);
  }
  ApiResult<ApiRoute> route = MatchRoute(request.method, request.target);
  if (!route.ok()) return ErrorResponse(route.error());
  if (RouteMethod(route.value()) == "POST") {
    if (auto error = CheckJsonContentType(request.content_type)) return ErrorResponse(*error);
  }
  return DispatchRoute(context, caller, route.value(), request, received);
}

HandlerResult OpenAiHandler::DispatchRoute(const HandlerContext& context, const Caller& caller, ApiRoute route,
                                           const HttpRequest& request, std::chrono::steady_clock::time_point received) {
  const bool generating = route == ApiRoute::kCompletions || route == ApiRoute::kChatCompletions;
  if (generating && (draining() || context.engine.shutting_down())) {
    return ErrorResponse(ErrorFromStatus(UnavailableError("the server is shutting down and takes no new requests")));
  }
  switch (route) {
    case ApiRoute::kCompletions:
      return HandleCompletions(context, caller, request, received);
    case ApiRoute::kChatCompletions:
      return HandleChatCompletions(context, caller, request, received);
    case ApiRoute::kModels:
      return HandleModels(Contexts(), caller);
    case ApiRoute::kTokenize:
      return HandleTokenize(context, caller, request);
    case ApiRoute::kDetokenize:
      return HandleDetokenize(context, caller, request);
    case ApiRoute::kHealth:
      return HandleHealth();
    case ApiRoute::kReady:
      return HandleReady(Contexts(), draining());
    case ApiRoute::kMetrics:
      return HandleMetrics(Contexts());
    case ApiRoute::kPrefixBlocks:
      return HandlePrefixBlocks(Contexts());
  }
  return ErrorResponse(UnknownPathError(request.method, request.target));
}

}  // namespace fab::server
