#include "control/authenticator.h"

#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "control/api_key.h"
#include "control/test_databases.h"

namespace fab::control {
namespace {

using testing::Backend;

class AuthenticatorTest : public testing::BooksTestBase {
 protected:
  void SetUp() override {
    BooksTestBase::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    ASSERT_TRUE(books_->tenants().CreateTenant("acme", "test").ok());
    ASSERT_TRUE(books_->tenants().ChangeTenantPolicy("acme", R"({"models":["m"],"tier":"premium"})", "test").ok());
    key_ = *books_->tenants().CreateKey("acme", std::nullopt, false, "test");
    authenticator_ = std::make_unique<Authenticator>(books_->tenants(), books_->secret());
  }

  Status Check(const std::string& header) { return authenticator_->Authenticate(header).status(); }

  NewKey key_;
  std::unique_ptr<Authenticator> authenticator_;
};

TEST_P(AuthenticatorTest, ABearerKeyNamesItsTenantAndEffectivePolicy) {
  ASSERT_TRUE(books_->tenants().ChangeKeyPolicy(key_.record.id, R"({"tier":"batch"})", "test").ok());
  StatusOr<Principal> principal = authenticator_->Authenticate("Bearer " + key_.key);
  ASSERT_TRUE(principal.ok()) << principal.status().ToString();
  EXPECT_EQ(principal->key_id, key_.record.id);
  EXPECT_EQ(principal->tenant_name, "acme");
  EXPECT_FALSE(principal->admin);
  EXPECT_EQ(principal->policy.tier, Tier::kBatch);
  EXPECT_EQ(principal->policy.models, std::vector<std::string>{"m"});
  EXPECT_TRUE(authenticator_->Authenticate("bearer  " + key_.key + " ").ok());
}

TEST_P(AuthenticatorTest, RefusesMissingMalformedAndUnknownKeysWithoutEchoingThem) {
  const std::string unknown = *NewApiKey();
  for (const std::string& header :
       {std::string(), std::string("Bearer"), std::string("Bearer "), "Basic " + key_.key, key_.key,
        "Bearer " + key_.key.substr(0, 45), "Bearer " + key_.key + "x", "Bearer " + unknown,
        std::string("Bearer tf-\xff\xfe")}) {
    SCOPED_TRACE(header);
    const Status status = Check(header);
    EXPECT_EQ(status.code(), StatusCode::kUnauthenticated);
    EXPECT_EQ(status.message().find("tf-"), std::string::npos) << status.message();
  }
}

TEST_P(AuthenticatorTest, ARevokedKeyIsRefusedWithinOneSecondEvenWhenRevokedByAnotherProcess) {
  ASSERT_TRUE(authenticator_->Authenticate("Bearer " + key_.key).ok());
  // Another Books over the same database stands for the CLI in another process.
  std::unique_ptr<Books> other = db_->OpenBooks();
  ASSERT_TRUE(other->tenants().RevokeKey(key_.record.id, "cli:test").ok());
  const auto revoked_at = std::chrono::steady_clock::now();
  Status status;
  while (std::chrono::steady_clock::now() - revoked_at < std::chrono::seconds(2)) {
    status = Check("Bearer " + key_.key);
    if (!status.ok()) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_LT(std::chrono::steady_clock::now() - revoked_at, std::chrono::seconds(1));
  EXPECT_EQ(status.code(), StatusCode::kUnauthenticated);
  EXPECT_NE(status.message().find("revoked"), std::string::npos) << status.message();
}

TEST_P(AuthenticatorTest, AnExpiredKeyIsRefused) {
  const int64_t soon = std::chrono::duration_cast<std::chrono::milliseconds>(
                           std::chrono::system_clock::now().time_since_epoch()).count() + 300;
  const NewKey expiring = *books_->tenants().CreateKey("acme", soon, false, "test");
  EXPECT_TRUE(authenticator_->Authenticate("Bearer " + expiring.key).ok());
  std::this_thread::sleep_for(std::chrono::milliseconds(400));
  const Status status = Check("Bearer " + expiring.key);
  EXPECT_EQ(status.code(), StatusCode::kUnauthenticated);
  EXPECT_NE(status.message().find("expired"), std::string::npos) << status.message();
}

INSTANTIATE_TEST_SUITE_P(Backends, AuthenticatorTest, ::testing::Values(Backend::kSqlite, Backend::kPostgres),
                         testing::BackendTestName);

}  // namespace
}  // namespace fab::control
