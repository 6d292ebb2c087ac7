// Books: the control plane's database opened for use — the server secret
// read (or created), the connection opened, the schema migrated and bound
// to the secret — plus the stores over it. `tokenfab serve --db` and every
// admin command open one with the same URL and secret file. Thread-safe.
#pragma once

#include <memory>
#include <string>

#include "control/database.h"
#include "control/server_secret.h"
#include "control/tenant_store.h"

namespace fab::control {

// Where the books live unless --db / --secret-file say otherwise:
// $XDG_DATA_HOME/tokenfab (default ~/.local/share/tokenfab) holds
// tokenfab.db and secret.
std::string DefaultDataDirectory();
std::string DefaultDatabaseUrl();
std::string DefaultSecretPath();

class Books {
 public:
  // Errors name the URL (password redacted) or the secret file.
  static StatusOr<std::unique_ptr<Books>> Open(const std::string& database_url, const std::string& secret_path);

  const std::string& url() const { return url_; }  // redacted
  // A second connection to the same database (the ledger writer's own).
  StatusOr<std::unique_ptr<Database>> OpenDatabase() const;
  const ServerSecret& secret() const { return secret_; }
  Database& database() { return *database_; }
  TenantStore& tenants() { return tenants_; }

 private:
  Books(std::string raw_url, std::string url, ServerSecret secret, std::unique_ptr<Database> database)
      : raw_url_(std::move(raw_url)), url_(std::move(url)), secret_(std::move(secret)),
        database_(std::move(database)), tenants_(*database_, secret_) {}

  const std::string raw_url_;
  const std::string url_;
  const ServerSecret secret_;
  std::unique_ptr<Database> database_;
  TenantStore tenants_;
};

}  // namespace fab::control
