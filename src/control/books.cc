#include "control/books.h"

#include <cstdlib>

#include "control/schema.h"

namespace fab::control {

std::string DefaultDataDirectory() {
  if (const char* xdg = std::getenv("XDG_DATA_HOME"); xdg != nullptr && xdg[0] == '/') {
    return std::string(xdg) + "/tokenfab";
  }
  const char* home = std::getenv("HOME");
  return std::string(home != nullptr && home[0] != '\0' ? home : ".") + "/.local/share/tokenfab";
}

std::string DefaultDatabaseUrl() { return "sqlite://" + DefaultDataDirectory() + "/tokenfab.db"; }

std::string DefaultSecretPath() { return DefaultDataDirectory() + "/secret"; }

StatusOr<std::unique_ptr<Books>> Books::Open(const std::string& database_url, const std::string& secret_path) {
  const std::string redacted = RedactedDatabaseUrl(database_url);
  FAB_ASSIGN_OR_RETURN(ServerSecret secret, LoadOrCreateServerSecret(secret_path));
  StatusOr<std::unique_ptr<SqlConnection>> connection = OpenSqlConnection(database_url);
  if (!connection.ok()) return connection.status();
  auto database = std::make_unique<Database>(std::move(connection).value());
  FAB_RETURN_IF_ERROR(MigrateSchema(*database).WithContext("--db " + redacted));
  FAB_RETURN_IF_ERROR(BindServerSecret(*database, secret).WithContext("--db " + redacted));
  return std::unique_ptr<Books>(new Books(database_url, redacted, std::move(secret), std::move(database)));
}

StatusOr<std::unique_ptr<Database>> Books::OpenDatabase() const {
  StatusOr<std::unique_ptr<SqlConnection>> connection = OpenSqlConnection(raw_url_);
  if (!connection.ok()) return connection.status();
  return std::make_unique<Database>(std::move(connection).value());
}

}  // namespace fab::control
