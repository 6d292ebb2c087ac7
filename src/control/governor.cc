#include "control/governor.h"

namespace fab::control {

StatusOr<std::unique_ptr<Governor>> Governor::Open(Books& books, CostModel cost, std::string node) {
  FAB_ASSIGN_OR_RETURN(std::unique_ptr<Database> ledger_database, books.OpenDatabase());
  auto ledger = std::make_unique<Ledger>(std::move(ledger_database));
  std::unique_ptr<Governor> governor(new Governor(books, std::move(cost), std::move(node), std::move(ledger)));
  FAB_RETURN_IF_ERROR(governor->quota_.ReleaseNodeReservations());
  return governor;
}

MeteredRates Governor::rates() const {
  std::lock_guard<std::mutex> lock(mutex_);
  if (n_tokens_ < kMinObservedTokens) {
    return {kPriorJoulesPerToken, cost_.Cost(kPriorJoulesPerToken, 0.0)};
  }
  const double n = static_cast<double>(n_tokens_);
  return {joules_ / n, money_ / n};
}

void Governor::Observe(int64_t n_tokens, double joules, double money) {
  if (n_tokens <= 0) return;
  std::lock_guard<std::mutex> lock(mutex_);
  n_tokens_ += n_tokens;
  joules_ += joules;
  money_ += money;
}

}  // namespace fab::control
