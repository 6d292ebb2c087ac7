// Governor: what `tokenfab serve --db` needs from the books while it
// serves — the quota gate, the ledger (on its own connection), the cost
// model, and the measured rates at which admission reserves energy and
// money for a request's worst case (joules and money per token, averaged
// over the requests settled so far; a conservative prior before the first
// kMinObservedTokens). Thread-safe.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>

#include "control/books.h"
#include "control/cost_model.h"
#include "control/ledger.h"
#include "control/quota_gate.h"

namespace fab::control {

struct MeteredRates {
  double joules_per_token = 0.0;
  double money_per_token = 0.0;
};

class Governor {
 public:
  // The prior: generous for a CPU (a few J/token is typical of small models).
  static constexpr double kPriorJoulesPerToken = 10.0;
  static constexpr int64_t kMinObservedTokens = 1000;

  // Opens the ledger's connection and drops the reservations that an
  // earlier run of `node` left. `books` must outlive the governor.
  static StatusOr<std::unique_ptr<Governor>> Open(Books& books, CostModel cost, std::string node);

  QuotaGate& quota() { return quota_; }
  Ledger& ledger() { return *ledger_; }
  const CostModel& cost() const { return cost_; }

  MeteredRates rates() const;
  // A settled request's actuals, for rates().
  void Observe(int64_t n_tokens, double joules, double money);

 private:
  Governor(Books& books, CostModel cost, std::string node, std::unique_ptr<Ledger> ledger)
      : cost_(std::move(cost)), quota_(books.database(), std::move(node)), ledger_(std::move(ledger)) {}

  const CostModel cost_;
  QuotaGate quota_;
  std::unique_ptr<Ledger> ledger_;
  mutable std::mutex mutex_;
  int64_t n_tokens_ = 0;  // guarded by mutex_
  double joules_ = 0.0;   // guarded by mutex_
  double money_ = 0.0;    // guarded by mutex_
};

}  // namespace fab::control
