#include "server/openai_handler.h"

#include <chrono>
#include <utility>

#include "server/chat_endpoint.h"
#include "server/completion_endpoint.h"
#include "server/handler_context.h"
#include "server/routes.h"
#include "server/utility_endpoints.h"

namespace fab::server {

OpenAiHandler::OpenAiHandler(ServedModel model, engine::Engine& engine, ServerMetrics& metrics)
    : context_(std::make_unique<HandlerContext>(std::move(model), engine, metrics)) {}

OpenAiHandler::~OpenAiHandler() = default;

void OpenAiHandler::SetDraining() { draining_.store(true, std::memory_order_release); }

HandlerResult OpenAiHandler::Handle(const HttpRequest& request) {
  const auto received = std::chrono::steady_clock::now();
  ApiResult<ApiRoute> route = MatchRoute(request.method, request.target);
  if (!route.ok()) return ErrorResponse(route.error());
  if (RouteMethod(route.value()) == "POST") {
    if (auto error = CheckJsonContentType(request.content_type)) return ErrorResponse(*error);
  }
  const HandlerContext& context = *context_;
  const bool generating = route.value() == ApiRoute::kCompletions || route.value() == ApiRoute::kChatCompletions;
  if (generating && (draining() || context.engine.shutting_down())) {
    return ErrorResponse(ErrorFromStatus(UnavailableError("the server is shutting down and takes no new requests")));
  }
  switch (route.value()) {
    case ApiRoute::kCompletions:
      return HandleCompletions(context, request, received);
    case ApiRoute::kChatCompletions:
      return HandleChatCompletions(context, request, received);
    case ApiRoute::kModels:
      return HandleModels(context);
    case ApiRoute::kTokenize:
      return HandleTokenize(context, request);
    case ApiRoute::kDetokenize:
      return HandleDetokenize(context, request);
    case ApiRoute::kHealth:
      return HandleHealth();
    case ApiRoute::kReady:
      return HandleReady(context, draining());
    case ApiRoute::kMetrics:
      return HandleMetrics(context);
  }
  return ErrorResponse(UnknownPathError(request.method, request.target));
}

}  // namespace fab::server
