#include "control/ledger.h"

#include "control/policy.h"
#include "control/quota_gate.h"

namespace fab::control {

Status WriteLedgerRow(SqlConnection& c, const LedgerRow& r) {
  const SqlValue ttft = r.ttft_s ? SqlValue(*r.ttft_s) : SqlValue();
  FAB_ASSIGN_OR_RETURN(
      const std::vector<SqlRow> inserted,
      c.Query("INSERT INTO ledger (request_id, tenant_id, tenant, key_id, model, tier, arrival_ms, queue_s, ttft_s, "
              "e2e_s, prompt_tokens, cached_tokens, completion_tokens, finish_reason, joules, energy_source, cost) "
              "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17) "
              "ON CONFLICT (request_id) DO NOTHING RETURNING request_id",
              {r.request_id, r.tenant_id, r.tenant, r.key_id, r.model, r.tier, r.arrival_ms, r.queue_s, ttft, r.e2e_s,
               r.prompt_tokens, r.cached_tokens, r.completion_tokens, r.finish_reason, r.joules, r.energy_source,
               r.cost}));
  // Requests without a key (serve --db without --auth) have no quotas to settle.
  if (!inserted.empty() && !r.tenant_id.empty()) {
    const int64_t tokens = r.prompt_tokens + r.completion_tokens;
    for (const std::string& scope : {TenantScope(r.tenant_id), KeyScope(r.key_id)}) {
      for (const BudgetPeriod period : {BudgetPeriod::kDay, BudgetPeriod::kMonth}) {
        FAB_RETURN_IF_ERROR(c.Execute(
            "INSERT INTO quota_usage (scope, period, tokens, joules, money) VALUES ($1, $2, $3, $4, $5) "
            "ON CONFLICT (scope, period) DO UPDATE SET tokens = quota_usage.tokens + excluded.tokens, "
            "joules = quota_usage.joules + excluded.joules, money = quota_usage.money + excluded.money",
            {scope, PeriodKey(period, r.arrival_ms), tokens, r.joules, r.cost}));
      }
    }
    FAB_RETURN_IF_ERROR(c.Execute("UPDATE rate_events SET tokens = $1 WHERE request_id = $2", {tokens, r.request_id}));
  }
  return c.Execute("DELETE FROM reservations WHERE request_id = $1", {r.request_id});
}

Ledger::Ledger(std::unique_ptr<Database> database) : database_(std::move(database)) {
  writer_ = std::thread([this] { WriterLoop(); });
}

Ledger::~Ledger() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  writer_.join();
}

void Ledger::Record(LedgerRow row, OnDurable on_durable) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    queue_.push_back({std::move(row), std::move(on_durable)});
    ++n_queued_;
  }
  wake_.notify_one();
}

void Ledger::Flush() {
  std::unique_lock<std::mutex> lock(mutex_);
  const int64_t target = n_queued_;
  written_.wait(lock, [&] { return n_done_ >= target; });
}

LedgerStats Ledger::stats() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return stats_;
}

Status Ledger::WriteBatch(const std::vector<Pending>& batch) {
  return database_->Transaction(
      [&](SqlConnection& c) -> Status {
        for (const Pending& pending : batch) FAB_RETURN_IF_ERROR(WriteLedgerRow(c, pending.row));
        return OkStatus();
      },
      /*exclusive=*/true, /*durable=*/true);
}

void Ledger::WriterLoop() {
  while (true) {
    std::vector<Pending> batch;
    {
      std::unique_lock<std::mutex> lock(mutex_);
      wake_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping, and everything is written
      while (!queue_.empty() && batch.size() < kMaxRowsPerTransaction) {
        batch.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
    }
    Status status;
    for (int attempt = 0; attempt < kWriteAttempts; ++attempt) {
      status = WriteBatch(batch);
      if (status.ok()) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(50 << attempt));
    }
    for (Pending& pending : batch) {
      if (pending.on_durable) pending.on_durable(status);
    }
    {
      std::lock_guard<std::mutex> lock(mutex_);
      n_done_ += static_cast<int64_t>(batch.size());
      ++stats_.n_transactions;
      if (status.ok()) {
        stats_.n_rows_written += static_cast<int64_t>(batch.size());
      } else {
        stats_.n_failed += static_cast<int64_t>(batch.size());
      }
    }
    written_.notify_all();
  }
}

}  // namespace fab::control
