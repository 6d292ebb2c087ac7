#include "control/test_databases.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>

#include "control/sql_connection.h"

namespace fab::control::testing {
namespace {

std::string RandomSuffix() {
  std::random_device device;
  std::mt19937_64 generator(device());
  char buffer[17];
  std::snprintf(buffer, sizeof buffer, "%016llx", static_cast<unsigned long long>(generator()));
  return buffer;
}

std::string MakeTemporaryDirectory() {
  std::string pattern = (std::filesystem::temp_directory_path() / "tokenfab-control-XXXXXX").string();
  FAB_CHECK(mkdtemp(pattern.data()) != nullptr) << "mkdtemp failed";
  return pattern;
}

std::optional<std::string> PostgresAdminUrl(std::string* why_not) {
  const char* state = std::getenv("FAB_TEST_POSTGRES_STATE");
  if (state == nullptr) {
    *why_not = "no PostgreSQL test server: run through ctest, which starts tests/control/postgres_fixture.sh";
    return std::nullopt;
  }
  std::ifstream in(state);
  std::string url;
  if (!std::getline(in, url) || url.empty()) {
    *why_not = std::string("the PostgreSQL test server's state file ") + state + " is missing";
    return std::nullopt;
  }
  return url;
}

}  // namespace

std::string BackendName(Backend backend) { return backend == Backend::kSqlite ? "Sqlite" : "Postgres"; }

std::unique_ptr<TestDatabase> TestDatabase::Create(Backend backend, std::string* why_not) {
  std::unique_ptr<TestDatabase> owned(new TestDatabase());
  TestDatabase& db = *owned;
  db.backend_ = backend;
  if (backend == Backend::kPostgres) {
    const std::optional<std::string> admin = PostgresAdminUrl(why_not);
    if (!admin) return nullptr;
    db.admin_url_ = *admin;
    db.database_name_ = "t_" + RandomSuffix();
    StatusOr<std::unique_ptr<SqlConnection>> connection = OpenSqlConnection(db.admin_url_);
    if (!connection.ok()) {
      *why_not = connection.status().ToString();
      return nullptr;
    }
    const Status created = (*connection)->Execute("CREATE DATABASE " + db.database_name_);
    if (!created.ok()) {
      *why_not = created.ToString();
      return nullptr;
    }
    db.url_ = db.admin_url_.substr(0, db.admin_url_.rfind('/') + 1) + db.database_name_;
  }
  db.directory_ = MakeTemporaryDirectory();
  if (backend == Backend::kSqlite) db.url_ = "sqlite://" + db.directory_ + "/books.db";
  db.secret_path_ = db.directory_ + "/secret";
  return owned;
}

TestDatabase::~TestDatabase() {
  if (backend_ == Backend::kPostgres) {
    StatusOr<std::unique_ptr<SqlConnection>> connection = OpenSqlConnection(admin_url_);
    if (connection.ok()) (void)(*connection)->Execute("DROP DATABASE IF EXISTS " + database_name_ + " WITH (FORCE)");
  }
  std::error_code ignored;
  std::filesystem::remove_all(directory_, ignored);
}

std::unique_ptr<Books> TestDatabase::OpenBooks() const {
  StatusOr<std::unique_ptr<Books>> books = Books::Open(url_, secret_path_);
  EXPECT_TRUE(books.ok()) << books.status().ToString();
  return books.ok() ? std::move(books).value() : nullptr;
}

}  // namespace fab::control::testing
