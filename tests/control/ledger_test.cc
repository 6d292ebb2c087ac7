#include "control/ledger.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "control/test_databases.h"

namespace fab::control {
namespace {

using testing::Backend;

class LedgerTest : public testing::BooksTestBase {};

LedgerRow AnonymousRow(int i) {
  LedgerRow row;
  row.request_id = "cmpl-" + std::to_string(i);
  row.tenant = "anonymous";
  row.model = "m";
  row.tier = "standard";
  row.arrival_ms = 1'800'000'000'000 + i;
  row.ttft_s = 0.01 * i;
  row.prompt_tokens = i;
  row.completion_tokens = 2 * i;
  row.finish_reason = "length";
  row.joules = 0.5 * i;
  row.energy_source = "model";
  row.cost = 0.001 * i;
  return row;
}

TEST_P(LedgerTest, EveryRecordedRowIsDurableWhenItsCallbackRunsAndWrittenOnce) {
  StatusOr<std::unique_ptr<Database>> connection = books_->OpenDatabase();
  ASSERT_TRUE(connection.ok());
  auto ledger = std::make_unique<Ledger>(std::move(connection).value());
  constexpr int kThreads = 4, kPerThread = 50;
  std::atomic<int> n_durable{0}, n_failed{0};
  std::vector<std::thread> writers;
  for (int t = 0; t < kThreads; ++t) {
    writers.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        const int id = t * kPerThread + i + 1;
        ledger->Record(AnonymousRow(id), [&, id](const Status& status) {
          if (!status.ok()) {
            ++n_failed;
            return;
          }
          // Visible to another connection once the callback runs.
          StatusOr<std::vector<SqlRow>> row =
              books_->database().Query("SELECT completion_tokens FROM ledger WHERE request_id = $1",
                                       {"cmpl-" + std::to_string(id)});
          if (row.ok() && row->size() == 1 && SqlInt(row->front()[0]) == 2 * id) ++n_durable;
        });
      }
    });
  }
  for (std::thread& writer : writers) writer.join();
  ledger->Record(AnonymousRow(1), nullptr);  // a duplicate
  ledger->Flush();
  EXPECT_EQ(n_failed.load(), 0);
  EXPECT_EQ(n_durable.load(), kThreads * kPerThread);
  const LedgerStats stats = ledger->stats();
  EXPECT_EQ(stats.n_rows_written, kThreads * kPerThread + 1);
  EXPECT_LE(stats.n_transactions, kThreads * kPerThread + 1);
  ledger.reset();
  EXPECT_EQ(SqlInt(books_->database().Query("SELECT COUNT(*) FROM ledger")->front()[0]), kThreads * kPerThread);
  // Rows without a tenant settle no quota.
  EXPECT_EQ(SqlInt(books_->database().Query("SELECT COUNT(*) FROM quota_usage")->front()[0]), 0);
  const std::vector<SqlRow> row =
      *books_->database().Query("SELECT ttft_s, joules, energy_source FROM ledger WHERE request_id = 'cmpl-10'");
  EXPECT_DOUBLE_EQ(SqlDouble(row[0][0]), 0.1);
  EXPECT_DOUBLE_EQ(SqlDouble(row[0][1]), 5.0);
  EXPECT_EQ(SqlText(row[0][2]), "model");
}

INSTANTIATE_TEST_SUITE_P(Backends, LedgerTest, ::testing::Values(Backend::kSqlite, Backend::kPostgres),
                         testing::BackendTestName);

}  // namespace
}  // namespace fab::control
