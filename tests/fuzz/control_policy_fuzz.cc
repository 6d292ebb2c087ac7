// libFuzzer target for what operators and admin clients hand the control
// plane: any bytes as an admin API body (tenant, key, policy patch) or a
// policy change (the stored policies too) must be applied or refused with InvalidArgument, and an
// applied policy must survive PolicyToJson → PolicyFromJson unchanged; any
// bytes as command-line policy flags, a duration, a tenant name, a URL's
// query (credentials in it) or a --public-route must be accepted or refused,
// never crash; nor may any bytes as an exporter's Prometheus metrics page.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "control/api_key.h"
#include "control/policy.h"
#include "control/tenant_store.h"
#include "fuzz_support.h"
#include "server/access_control.h"
#include "server/admin_requests.h"
#include "server/prometheus_text.h"

namespace {

using fab::fuzz::Require;
namespace control = fab::control;

const char* const kFields[] = {"requests_per_minute", "tokens_per_minute", "max_concurrent",
                               "budget_tokens",       "budget_kwh",        "budget_money",
                               "budget_period",       "models",            "tier"};

void CheckChange(std::string_view text) {
  const control::Policy base = *control::PolicyFromJson(R"({"requests_per_minute":5,"models":["m"]})");
  fab::StatusOr<control::Policy> changed = control::ApplyPolicyChange(base, text);
  if (!changed.ok()) {
    Require(changed.status().code() == fab::StatusCode::kInvalidArgument, "a bad change is InvalidArgument");
    return;
  }
  fab::StatusOr<control::Policy> again = control::PolicyFromJson(control::PolicyToJson(*changed));
  Require(again.ok() && *again == *changed, "a policy round-trips through its JSON");
}

// The input as flag pairs: each line "N:text" names field N % 9.
void CheckFlags(std::string_view text) {
  std::vector<std::pair<std::string, std::string>> flags;
  while (!text.empty() && flags.size() < 16) {
    const size_t newline = text.find('\n');
    const std::string_view line = text.substr(0, newline);
    text = newline == std::string_view::npos ? std::string_view() : text.substr(newline + 1);
    if (line.empty()) continue;
    flags.emplace_back(kFields[static_cast<uint8_t>(line[0]) % 9], std::string(line.substr(1)));
  }
  fab::StatusOr<std::string> change = control::PolicyChangeFromFlags(flags);
  if (change.ok()) CheckChange(*change);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  CheckChange(text);
  CheckFlags(text);
  fab::StatusOr<int64_t> seconds = control::ParseDurationSeconds(text);
  Require(!seconds.ok() || *seconds > 0, "a duration is positive");
  (void)control::CheckTenantName(text);
  (void)control::LooksLikeApiKey(text);
  (void)fab::server::CheckNoCredentialsInQuery(text);
  (void)fab::server::CheckPublicRoute(std::string(text));
  // The admin API's bodies: parsed or refused; a parsed policy is a change
  // that applies or is refused like any other.
  fab::server::ApiResult<fab::server::TenantCreateBody> tenant = fab::server::ParseTenantCreateBody(text);
  if (tenant.ok() && tenant->policy_change) CheckChange(*tenant->policy_change);
  fab::server::ApiResult<std::string> patch = fab::server::ParsePolicyPatchBody(text);
  if (patch.ok()) CheckChange(patch.value());
  (void)fab::server::ParseKeyCreateBody(text);
  // An exporter's metrics page (the energy meter's Prometheus source).
  (void)fab::server::SumPrometheusSamples(text, "kepler_node_package_joules_total", "");
  (void)fab::server::SumPrometheusSamples(text, "x", R"(mode="dynamic")");
  return 0;
}
