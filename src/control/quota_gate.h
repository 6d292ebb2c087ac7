// QuotaGate: admission against a caller's limits, atomically across every
// server that shares the database. Each limit is counted at the level that
// sets it: a tenant's policy over all its keys' requests, a key's own
// policy over that key's alone. Admit checks, in one exclusive transaction,
//   - requests and tokens per sliding 60 s window (rate_events),
//   - requests in flight (unexpired reservations),
//   - the period's budgets in tokens, kWh and money: committed usage
//     (quota_usage) + what in-flight requests may still cost + this one,
// and on success reserves the request's worst case (prompt + max_tokens,
// and the energy and money that many tokens cost at the measured rate) and
// records its admission. The ledger (control/ledger.h) releases the
// reservation in the transaction that commits the actual usage. A
// reservation left by a crash lapses after its lease, or at once when its
// node restarts (ReleaseNodeReservations). Thread-safe (Database locks).
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "control/authenticator.h"
#include "control/database.h"

namespace fab::control {

// The window of requests_per_minute and tokens_per_minute.
inline constexpr int64_t kRateWindowMs = 60'000;

// What one request may cost at most.
struct QuotaRequest {
  std::string request_id;
  int64_t n_tokens = 0;  // prompt tokens + max new tokens, over every choice
  double joules = 0;     // n_tokens at the measured joules per token
  double money = 0;      // n_tokens at the measured cost per token
};

// OpenAI's x-ratelimit-* values, of the tightest scope that has limits.
struct RateLimitState {
  std::optional<int64_t> limit_requests;
  std::optional<int64_t> remaining_requests;
  double reset_requests_s = 0;  // until the window has room for one more request
  std::optional<int64_t> limit_tokens;
  std::optional<int64_t> remaining_tokens;
  double reset_tokens_s = 0;
};

enum class Refusal { kNone, kRateLimited, kQuotaExhausted };

struct AdmissionDecision {
  Refusal refusal = Refusal::kNone;
  std::string message;    // why, naming the limit and its scope
  int retry_after_s = 0;  // kRateLimited: when to try again
  RateLimitState limits;

  bool admitted() const { return refusal == Refusal::kNone; }
};

std::string TenantScope(const std::string& tenant_id);  // "tenant:ten_…"
std::string KeyScope(const std::string& key_id);        // "key:key_…"

class QuotaGate {
 public:
  static constexpr std::chrono::minutes kDefaultLease{30};

  // `node` names this server among those sharing the database (its
  // reservations); `database` must outlive the gate.
  QuotaGate(Database& database, std::string node, std::chrono::milliseconds lease = kDefaultLease)
      : database_(database), node_(std::move(node)), lease_(lease) {}

  // Drops the reservations an earlier run of this node left.
  Status ReleaseNodeReservations();

  // Admits (and reserves) or refuses; `now_ms` is Unix milliseconds.
  // Errors only when the database fails (the server answers 503).
  StatusOr<AdmissionDecision> Admit(const Principal& principal, const QuotaRequest& request, int64_t now_ms);

  // Undoes the admission of a request that never ran (the engine refused
  // it): its reservation and its rate-window entry.
  Status Release(const std::string& request_id);

 private:
  Database& database_;
  const std::string node_;
  const std::chrono::milliseconds lease_;
  std::atomic<int64_t> last_prune_ms_{0};
};

}  // namespace fab::control
