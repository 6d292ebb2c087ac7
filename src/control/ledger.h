// Ledger: one row per request — who asked, what ran, how long it took, the
// tokens, the joules (and the label of the energy source that measured
// them) and the cost — written by one writer thread with group commit:
// the rows queued while a transaction runs go into the next one. Each
// row's transaction also settles its quota: the committed usage of its
// tenant and key (per day and per month) grows by the actuals and its
// reservation goes. Rows are idempotent on request_id (a second write of
// one changes nothing). `on_durable` runs on the writer thread once the
// row's transaction committed (or failed for good), so that the server
// sends a request's final usage only after its row is durable. Thread-safe.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "control/database.h"

namespace fab::control {

struct LedgerRow {
  std::string request_id;
  std::string tenant_id;
  std::string tenant;
  std::string key_id;
  std::string model;
  std::string tier;
  int64_t arrival_ms = 0;  // Unix milliseconds
  double queue_s = 0;
  std::optional<double> ttft_s;
  double e2e_s = 0;
  int64_t prompt_tokens = 0;
  int64_t cached_tokens = 0;
  int64_t completion_tokens = 0;
  std::string finish_reason;
  double joules = 0;
  std::string energy_source;  // "rapl", "nvml", "prometheus", "model"
  double cost = 0;
};

struct LedgerStats {
  int64_t n_rows_written = 0;
  int64_t n_transactions = 0;
  int64_t n_failed = 0;
};

class Ledger {
 public:
  using OnDurable = std::function<void(const Status&)>;
  static constexpr size_t kMaxRowsPerTransaction = 512;
  static constexpr int kWriteAttempts = 4;

  // Takes its own connection; starts the writer thread.
  explicit Ledger(std::unique_ptr<Database> database);
  // Writes what is queued, then stops.
  ~Ledger();
  Ledger(const Ledger&) = delete;
  Ledger& operator=(const Ledger&) = delete;

  // Queues `row`; `on_durable(status)` runs on the writer thread after the
  // commit (OK) or after kWriteAttempts failed attempts (the error).
  void Record(LedgerRow row, OnDurable on_durable);

  // Blocks until every row queued before the call is written.
  void Flush();

  LedgerStats stats() const;

 private:
  struct Pending {
    LedgerRow row;
    OnDurable on_durable;
  };

  void WriterLoop();
  Status WriteBatch(const std::vector<Pending>& batch);

  std::unique_ptr<Database> database_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::condition_variable written_;
  std::deque<Pending> queue_;  // guarded by mutex_
  int64_t n_queued_ = 0;       // guarded by mutex_: rows ever queued
  int64_t n_done_ = 0;         // guarded by mutex_: rows whose callback ran
  bool stopping_ = false;      // guarded by mutex_
  LedgerStats stats_;          // guarded by mutex_
  std::thread writer_;
};

// Writes `row` and settles its quota inside the caller's transaction;
// nothing when the ledger already holds its request_id. Exposed for tests.
Status WriteLedgerRow(SqlConnection& connection, const LedgerRow& row);

}  // namespace fab::control
