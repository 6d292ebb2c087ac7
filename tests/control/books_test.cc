#include "control/books.h"

#include <gtest/gtest.h>

#include "control/api_key.h"
#include "control/audit_log.h"
#include "control/schema.h"
#include "control/test_databases.h"

namespace fab::control {
namespace {

using testing::Backend;

class BooksTest : public testing::BooksTestBase {
 protected:
  // Every cell of every table, as text: what a leaked secret would show in.
  std::string DumpAllTables() {
    std::string dump;
    for (const char* table : {"tenants", "api_keys", "audit_log", "books_meta"}) {
      StatusOr<std::vector<SqlRow>> rows = books_->database().Query(std::string("SELECT * FROM ") + table);
      EXPECT_TRUE(rows.ok()) << rows.status().ToString();
      if (!rows.ok()) continue;
      for (const SqlRow& row : *rows) {
        for (const SqlValue& cell : row) dump += SqlText(cell, std::to_string(SqlInt(cell))) + "\n";
      }
    }
    return dump;
  }
};

TEST_P(BooksTest, OpeningMigratesToTheCurrentSchemaAndReopeningKeepsIt) {
  EXPECT_EQ(*SchemaVersion(books_->database()), kSchemaVersion);
  ASSERT_TRUE(books_->tenants().CreateTenant("acme", "test").ok());
  books_.reset();
  books_ = db_->OpenBooks();
  ASSERT_NE(books_, nullptr);
  EXPECT_EQ(books_->tenants().ListTenants()->size(), 1u);
}

TEST_P(BooksTest, ANewerSchemaIsRefusedByThisBinary) {
  ASSERT_TRUE(books_->database()
                  .Query("UPDATE books_meta SET value = $1 WHERE name = 'schema_version'",
                         {std::to_string(kSchemaVersion + 1)})
                  .ok());
  StatusOr<std::unique_ptr<Books>> reopened = Books::Open(db_->url(), db_->secret_path());
  EXPECT_EQ(reopened.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(reopened.status().message().find("newer"), std::string::npos) << reopened.status().message();
}

TEST_P(BooksTest, AnotherSecretFileIsRefused) {
  StatusOr<std::unique_ptr<Books>> other = Books::Open(db_->url(), db_->directory() + "/other-secret");
  EXPECT_EQ(other.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(other.status().message().find("--secret-file"), std::string::npos) << other.status().message();
}

TEST_P(BooksTest, TenantsAreCreatedOnceListedAndChanged) {
  TenantStore& tenants = books_->tenants();
  ASSERT_TRUE(tenants.CreateTenant("beta", "cli:test").ok());
  ASSERT_TRUE(tenants.CreateTenant("acme", "cli:test").ok());
  EXPECT_EQ(tenants.CreateTenant("acme", "cli:test").status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(tenants.CreateTenant("bad name", "cli:test").status().code(), StatusCode::kInvalidArgument);
  const std::vector<Tenant> listed = *tenants.ListTenants();
  ASSERT_EQ(listed.size(), 2u);
  EXPECT_EQ(listed[0].name, "acme");
  StatusOr<Tenant> changed = tenants.ChangeTenantPolicy("acme", R"({"requests_per_minute":60})", "cli:test");
  ASSERT_TRUE(changed.ok()) << changed.status().ToString();
  EXPECT_EQ(tenants.FindTenant("acme")->policy.requests_per_minute, 60);
  EXPECT_EQ(tenants.ChangeTenantPolicy("acme", R"({"rpm":1})", "cli:test").status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(tenants.FindTenant("nobody").status().code(), StatusCode::kNotFound);
}

TEST_P(BooksTest, KeysAreStoredOnlyAsDigestsAndFoundByThem) {
  TenantStore& tenants = books_->tenants();
  ASSERT_TRUE(tenants.CreateTenant("acme", "cli:test").ok());
  StatusOr<NewKey> created = tenants.CreateKey("acme", std::nullopt, /*admin=*/false, "cli:test");
  ASSERT_TRUE(created.ok()) << created.status().ToString();
  EXPECT_TRUE(LooksLikeApiKey(created->key));
  EXPECT_EQ(created->record.tenant_name, "acme");
  EXPECT_EQ(created->record.hint, ApiKeyHint(created->key));

  StatusOr<std::optional<ApiKeyRecord>> found =
      tenants.FindKeyByDigest(ApiKeyDigest(books_->secret(), created->key));
  ASSERT_TRUE(found.ok() && found->has_value());
  EXPECT_EQ((*found)->id, created->record.id);
  EXPECT_FALSE(tenants.FindKeyByDigest(ApiKeyDigest(books_->secret(), *NewApiKey()))->has_value());
  EXPECT_EQ(tenants.CreateKey("nobody", std::nullopt, false, "cli:test").status().code(), StatusCode::kNotFound);

  const std::string dump = DumpAllTables();
  EXPECT_EQ(dump.find(created->key), std::string::npos);
  EXPECT_EQ(dump.find(created->key.substr(3, 20)), std::string::npos);
  EXPECT_EQ(dump.find(books_->secret().key), std::string::npos);
}

TEST_P(BooksTest, KeysAreListedRevokedOnceAndGivenPolicies) {
  TenantStore& tenants = books_->tenants();
  ASSERT_TRUE(tenants.CreateTenant("acme", "cli:test").ok());
  ASSERT_TRUE(tenants.CreateTenant("beta", "cli:test").ok());
  const NewKey a = *tenants.CreateKey("acme", int64_t{4102444800000}, false, "cli:test");
  const NewKey b = *tenants.CreateKey("beta", std::nullopt, true, "cli:test");
  EXPECT_EQ(tenants.ListKeys(std::nullopt)->size(), 2u);
  ASSERT_EQ(tenants.ListKeys(std::string("beta"))->size(), 1u);
  EXPECT_TRUE(tenants.ListKeys(std::string("beta"))->front().admin);
  EXPECT_EQ(tenants.FindKey(a.record.id)->expires_at_ms, 4102444800000);

  StatusOr<ApiKeyRecord> revoked = tenants.RevokeKey(a.record.id, "cli:test");
  ASSERT_TRUE(revoked.ok());
  ASSERT_TRUE(revoked->revoked_at_ms.has_value());
  EXPECT_EQ(tenants.RevokeKey(a.record.id, "cli:test")->revoked_at_ms, revoked->revoked_at_ms);
  EXPECT_EQ(tenants.RevokeKey("key_0000", "cli:test").status().code(), StatusCode::kNotFound);

  ASSERT_TRUE(tenants.ChangeTenantPolicy("beta", R"({"requests_per_minute":60,"tier":"premium"})", "t").ok());
  StatusOr<ApiKeyRecord> changed = tenants.ChangeKeyPolicy(b.record.id, R"({"tier":"batch"})", "cli:test");
  ASSERT_TRUE(changed.ok());
  const Policy effective = tenants.FindKey(b.record.id)->EffectivePolicy();
  EXPECT_EQ(effective.requests_per_minute, 60);
  EXPECT_EQ(effective.tier, Tier::kBatch);
}

TEST_P(BooksTest, EveryAdminActionIsAuditedInAnIntactChain) {
  TenantStore& tenants = books_->tenants();
  ASSERT_TRUE(tenants.CreateTenant("acme", "cli:alice").ok());
  const NewKey key = *tenants.CreateKey("acme", std::nullopt, false, "cli:alice");
  ASSERT_TRUE(tenants.ChangeTenantPolicy("acme", R"({"max_concurrent":2})", "cli:alice").ok());
  ASSERT_TRUE(tenants.ChangeKeyPolicy(key.record.id, R"({"tier":"batch"})", "key:key_x").ok());
  ASSERT_TRUE(tenants.RevokeKey(key.record.id, "cli:bob").ok());

  const std::vector<AuditEntry> entries = *ListAudit(books_->database(), 100);
  ASSERT_EQ(entries.size(), 5u);
  const char* actions[] = {"tenant.create", "key.create", "tenant.policy", "key.policy", "key.revoke"};
  for (size_t i = 0; i < entries.size(); ++i) {
    EXPECT_EQ(entries[i].seq, static_cast<int64_t>(i + 1));
    EXPECT_EQ(entries[i].action, actions[i]);
    EXPECT_EQ(entries[i].details.find(key.key), std::string::npos);
  }
  EXPECT_EQ(entries[4].actor, "cli:bob");
  StatusOr<AuditVerdict> verdict = VerifyAudit(books_->database(), books_->secret());
  ASSERT_TRUE(verdict.ok());
  EXPECT_TRUE(verdict->intact) << verdict->problem;
  EXPECT_EQ(verdict->n_entries, 5);
}

TEST_P(BooksTest, AuditVerifyFindsAnEditedADeletedAndAResealedEntry) {
  TenantStore& tenants = books_->tenants();
  for (const char* name : {"a", "b", "c", "d"}) ASSERT_TRUE(tenants.CreateTenant(name, "cli:alice").ok());
  Database& database = books_->database();

  ASSERT_TRUE(database.Query("UPDATE audit_log SET actor = 'cli:mallory' WHERE seq = 2").ok());
  AuditVerdict edited = *VerifyAudit(database, books_->secret());
  EXPECT_FALSE(edited.intact);
  EXPECT_EQ(edited.first_bad_seq, 2);
  ASSERT_TRUE(database.Query("UPDATE audit_log SET actor = 'cli:alice' WHERE seq = 2").ok());
  EXPECT_TRUE(VerifyAudit(database, books_->secret())->intact);

  // Re-sealing a row with a plain SHA-256 (no secret) still shows.
  ASSERT_TRUE(database.Query("UPDATE audit_log SET hash = $1 WHERE seq = 4", {std::string(64, 'a')}).ok());
  EXPECT_EQ(VerifyAudit(database, books_->secret())->first_bad_seq, 4);

  ASSERT_TRUE(database.Query("DELETE FROM audit_log WHERE seq = 3").ok());
  AuditVerdict deleted = *VerifyAudit(database, books_->secret());
  EXPECT_FALSE(deleted.intact);
  EXPECT_EQ(deleted.first_bad_seq, 4);
}

INSTANTIATE_TEST_SUITE_P(Backends, BooksTest, ::testing::Values(Backend::kSqlite, Backend::kPostgres),
                         testing::BackendTestName);

}  // namespace
}  // namespace fab::control
