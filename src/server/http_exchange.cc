#include "server/http_exchange.h"

#include <string>

namespace fab::server {

HttpResponse ErrorResponse(const ApiError& error) {
  HttpResponse response;
  response.status = error.http_status;
  response.content_type = "application/json";
  response.body = ErrorBody(error);
  if (error.retry_after_s) response.headers.emplace_back("Retry-After", std::to_string(*error.retry_after_s));
  if (error.allow) response.headers.emplace_back("Allow", *error.allow);
  for (const auto& header : error.headers) response.headers.push_back(header);
  return response;
}

}  // namespace fab::server
