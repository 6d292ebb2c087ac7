#include "server/power_endpoint.h"

#include <cmath>
#include <string>

#include "control/audit_log.h"
#include "server/errors.h"
#include "server/routes.h"

namespace fab::server {
namespace {

namespace json = boost::json;

constexpr double kMaxBudgetWatts = 1e12;

HttpResponse Json(const json::object& body) {
  HttpResponse response;
  response.body = json::serialize(body);
  return response;
}

}  // namespace

HttpResponse HandlePowerAdmin(PowerControl* power, control::Books* books, const Caller& caller,
                              const HttpRequest& request) {
  const std::string path = request.target.substr(0, request.target.find('?'));
  if (path != "/admin/v1/power" || power == nullptr) return ErrorResponse(UnknownPathError(request.method, path));
  if (request.method == "GET" || request.method == "HEAD") return Json(power->Status());
  if (request.method != "PUT") return ErrorResponse(MethodNotAllowedError(request.method, path, "GET, HEAD, PUT"));
  if (auto error = CheckJsonContentType(request.content_type)) return ErrorResponse(*error);
  boost::system::error_code parse_error;
  const json::value body = json::parse(request.body, parse_error);
  if (parse_error) return ErrorResponse(InvalidJsonError(parse_error.message()));
  const json::value* budget = body.is_object() ? body.as_object().if_contains("budget_watts") : nullptr;
  if (budget == nullptr) {
    return ErrorResponse(InvalidFieldError("budget_watts", "give 'budget_watts': a number of watts, or null for none"));
  }
  std::optional<double> watts;
  if (!budget->is_null()) {
    if (!budget->is_number()) return ErrorResponse(InvalidFieldError("budget_watts", "'budget_watts' must be a number or null"));
    const double value = budget->to_number<double>();
    if (!std::isfinite(value) || value <= 0 || value > kMaxBudgetWatts) {
      return ErrorResponse(InvalidFieldError("budget_watts", "'budget_watts' must be above 0 and at most 1e12"));
    }
    watts = value;
  }
  if (books != nullptr) {
    const std::string actor = caller.principal ? "key:" + caller.principal->key_id : "anonymous";
    const std::string details = watts ? "{\"budget_watts\":" + json::serialize(json::value(*watts)) + "}" : "{\"budget_watts\":null}";
    Status audited = books->database().Transaction([&](control::SqlConnection& connection) {
      return control::AppendAudit(connection, books->secret(), {0, 0, actor, "power.budget", "server", details});
    });
    if (!audited.ok()) return ErrorResponse(ErrorFromStatus(UnavailableError("the audit log cannot be written: " + audited.message())));
  }
  power->SetConfiguredWatts(watts);
  return Json(power->Status());
}

}  // namespace fab::server
