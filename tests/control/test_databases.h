// Fresh databases for the control tests, SQLite or PostgreSQL, so that one
// test body runs against both: a SQLite file in a new temporary directory,
// or a new database on the PostgreSQL 15 test server that CTest starts
// (postgres_fixture.sh; its URI comes through FAB_TEST_POSTGRES_STATE).
// Each TestDatabase removes what it made when destroyed.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <string>

#include "control/books.h"

namespace fab::control::testing {

enum class Backend { kSqlite, kPostgres };

std::string BackendName(Backend backend);

class TestDatabase {
 public:
  // nullopt, with `why_not` set, when the backend is not available here
  // (no PostgreSQL test server): the caller skips, saying why.
  static std::unique_ptr<TestDatabase> Create(Backend backend, std::string* why_not);
  TestDatabase(const TestDatabase&) = delete;
  TestDatabase& operator=(const TestDatabase&) = delete;
  ~TestDatabase();

  const std::string& url() const { return url_; }
  // A secret file in the test's temporary directory, shared by every
  // Books the test opens.
  const std::string& secret_path() const { return secret_path_; }
  const std::string& directory() const { return directory_; }

  // Books over this database (fails the test on error).
  std::unique_ptr<Books> OpenBooks() const;

 private:
  TestDatabase() = default;

  Backend backend_ = Backend::kSqlite;
  std::string url_;
  std::string admin_url_;      // postgres: the server's maintenance database
  std::string database_name_;  // postgres
  std::string directory_;
  std::string secret_path_;
};

// A test over fresh books on each backend (TEST_P, instantiated with both
// Backends); skips, saying why, where the backend is missing.
class BooksTestBase : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    std::string why_not;
    db_ = TestDatabase::Create(GetParam(), &why_not);
    if (!db_) GTEST_SKIP() << why_not;
    books_ = db_->OpenBooks();
    ASSERT_NE(books_, nullptr);
  }

  std::unique_ptr<TestDatabase> db_;
  std::unique_ptr<Books> books_;
};

// The instantiation's test-name suffix: "Sqlite" or "Postgres".
inline std::string BackendTestName(const ::testing::TestParamInfo<Backend>& info) { return BackendName(info.param); }

}  // namespace fab::control::testing
