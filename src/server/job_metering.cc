#include "server/job_metering.h"

#include <chrono>
#include <cmath>

#include "base/clock.h"
#include "server/request_log.h"

namespace fab::server {
namespace {

// "1s", "6m0s", "1h2m3s" (whole seconds, rounded up).
std::string ResetText(double seconds) {
  auto total = static_cast<int64_t>(std::ceil(std::max(0.0, seconds)));
  const int64_t hours = total / 3600, minutes = total % 3600 / 60, secs = total % 60;
  std::string text;
  if (hours > 0) text += std::to_string(hours) + "h";
  if (hours > 0 || minutes > 0) text += std::to_string(minutes) + "m";
  return text + std::to_string(secs) + "s";
}

}  // namespace

control::Tier ResolveTier(const Caller& caller, const std::optional<std::string>& service_tier) {
  control::Tier tier = caller.principal ? control::EffectiveTier(caller.principal->policy) : control::Tier::kStandard;
  if (!service_tier) return tier;
  control::Tier asked = control::Tier::kStandard;
  if (*service_tier == "priority") asked = control::Tier::kPremium;
  if (*service_tier == "flex") asked = control::Tier::kBatch;
  // Tiers are ordered premium < standard < batch: the later one is lower.
  return static_cast<int>(asked) > static_cast<int>(tier) ? asked : tier;
}

Priority TierPriority(control::Tier tier, Priority asked) {
  switch (tier) {
    case control::Tier::kPremium: return Priority::kPremium;
    case control::Tier::kBatch: return Priority::kBatch;
    case control::Tier::kStandard: break;
  }
  return asked == Priority::kPremium ? Priority::kInteractive : asked;
}

HeaderList RateLimitHeaders(const control::RateLimitState& limits) {
  HeaderList headers;
  if (limits.limit_requests) {
    headers.emplace_back("x-ratelimit-limit-requests", std::to_string(*limits.limit_requests));
    headers.emplace_back("x-ratelimit-remaining-requests", std::to_string(limits.remaining_requests.value_or(0)));
    headers.emplace_back("x-ratelimit-reset-requests", ResetText(limits.reset_requests_s));
  }
  if (limits.limit_tokens) {
    headers.emplace_back("x-ratelimit-limit-tokens", std::to_string(*limits.limit_tokens));
    headers.emplace_back("x-ratelimit-remaining-tokens", std::to_string(limits.remaining_tokens.value_or(0)));
    headers.emplace_back("x-ratelimit-reset-tokens", ResetText(limits.reset_tokens_s));
  }
  return headers;
}

ApiResult<AdmittedJob> AdmitJob(const Metering& metering, const Caller& caller, const std::string& request_id,
                                int64_t n_tokens) {
  AdmittedJob admitted;
  if (metering.governor == nullptr || !caller.principal) return admitted;
  const control::MeteredRates rates = metering.governor->rates();
  const auto n = static_cast<double>(n_tokens);
  const control::QuotaRequest request{request_id, n_tokens, n * rates.joules_per_token, n * rates.money_per_token};
  StatusOr<control::AdmissionDecision> decision = metering.governor->quota().Admit(*caller.principal, request, UnixMillis());
  if (!decision.ok()) {
    return ErrorFromStatus(UnavailableError("the quota books cannot be read: " + decision.status().message()));
  }
  admitted.headers = RateLimitHeaders(decision->limits);
  if (!decision->admitted()) {
    ApiError error = decision->refusal == control::Refusal::kQuotaExhausted
                         ? QuotaExceededError(decision->message)
                         : RateLimitedError(decision->message, decision->retry_after_s);
    error.headers = admitted.headers;
    return error;
  }
  admitted.reserved = true;
  return admitted;
}

void ReleaseJob(const Metering& metering, const std::string& request_id) {
  if (metering.governor == nullptr) return;
  if (Status released = metering.governor->quota().Release(request_id); !released.ok()) {
    // The reservation lapses with its lease; nothing is lost but headroom.
    LogWarning("cannot release the reservation of " + request_id + ": " + released.message());
  }
}

}  // namespace fab::server
