#include "grid/jws.h"

#include <gtest/gtest.h>

#include "grid/grid_test_events.h"

namespace fab::grid {
namespace {

TEST(Base64Url, RoundTripsEveryLengthWithoutPadding) {
  std::string bytes;
  for (int n = 0; n < 40; ++n) {
    const std::string encoded = Base64UrlEncode(bytes);
    EXPECT_EQ(encoded.find('='), std::string::npos);
    StatusOr<std::string> decoded = Base64UrlDecode(encoded);
    ASSERT_TRUE(decoded.ok());
    EXPECT_EQ(*decoded, bytes);
    bytes += static_cast<char>(n * 37 + 200);
  }
  EXPECT_EQ(Base64UrlEncode("\xfb\xff"), "-_8");
  EXPECT_FALSE(Base64UrlDecode("ab+c").ok());
  EXPECT_FALSE(Base64UrlDecode("abcde").ok());
}

class Jws : public ::testing::TestWithParam<bool> {  // true: ES256, false: RS256
 protected:
  grid_test::KeyPair Keys() const { return GetParam() ? grid_test::NewEcKeyPair() : grid_test::NewRsaKeyPair(); }
};

TEST_P(Jws, VerifiesWhatItsKeySignedAndReturnsThePayload) {
  const grid_test::KeyPair keys = Keys();
  StatusOr<JwsSigner> signer = JwsSigner::FromPem(keys.private_pem);
  ASSERT_TRUE(signer.ok()) << signer.status().ToString();
  StatusOr<JwsVerifier> verifier = JwsVerifier::FromPem(keys.public_pem);
  ASSERT_TRUE(verifier.ok()) << verifier.status().ToString();
  EXPECT_STREQ(verifier->algorithm(), GetParam() ? "ES256" : "RS256");
  const std::string payload = R"({"targets":[{"interval":{},"load_constraint":null}]})";
  StatusOr<std::string> token = signer->Sign(payload, "key-1");
  ASSERT_TRUE(token.ok());
  StatusOr<std::string> verified = verifier->Verify(*token);
  ASSERT_TRUE(verified.ok()) << verified.status().ToString();
  EXPECT_EQ(*verified, payload);
}

TEST_P(Jws, RefusesATamperedPayloadAnotherKeysSignatureAndMalformedTokens) {
  const grid_test::KeyPair keys = Keys(), other = Keys();
  const JwsSigner signer = *JwsSigner::FromPem(keys.private_pem);
  const JwsVerifier verifier = *JwsVerifier::FromPem(keys.public_pem);
  const std::string token = *signer.Sign(R"({"a":1})", "k");
  const size_t first = token.find('.'), second = token.rfind('.');
  const std::string tampered = token.substr(0, first + 1) + Base64UrlEncode(R"({"a":2})") + token.substr(second);
  EXPECT_FALSE(verifier.Verify(tampered).ok());
  EXPECT_FALSE(verifier.Verify(*JwsSigner::FromPem(other.private_pem)->Sign(R"({"a":1})", "k")).ok());
  for (const std::string& bad : {std::string(""), std::string("a.b"), std::string("a.b.c.d"), token + "x",
                                 token.substr(0, second + 1), std::string("!!!.e30.AAAA")}) {
    EXPECT_FALSE(verifier.Verify(bad).ok()) << bad;
  }
}

TEST_P(Jws, RefusesAnAlgorithmTheKeyDoesNotUseIncludingNone) {
  const JwsVerifier verifier = *JwsVerifier::FromPem(Keys().public_pem);
  const std::string payload = Base64UrlEncode(R"({"a":1})");
  for (const char* alg : {"none", "HS256", "ES384", "PS256", GetParam() ? "RS256" : "ES256"}) {
    const std::string header = Base64UrlEncode(std::string(R"({"alg":")") + alg + R"("})");
    StatusOr<std::string> verified = verifier.Verify(header + "." + payload + "." + Base64UrlEncode("sig"));
    ASSERT_FALSE(verified.ok()) << alg;
    EXPECT_NE(verified.status().message().find("accepts only"), std::string::npos) << verified.status().ToString();
  }
}

INSTANTIATE_TEST_SUITE_P(Algorithms, Jws, ::testing::Values(true, false),
                         [](const ::testing::TestParamInfo<bool>& info) { return info.param ? "ES256" : "RS256"; });

TEST(JwsKeys, RefuseWhatIsNotAPublicKeyOfAnAcceptedKind) {
  EXPECT_FALSE(JwsVerifier::FromPem("not pem").ok());
  EXPECT_FALSE(JwsVerifier::FromPem(grid_test::NewEcKeyPair().private_pem).ok()) << "a private key is not a public key";
  EXPECT_FALSE(JwsVerifier::FromPemFile("/nonexistent/key.pem").ok());
  EXPECT_FALSE(JwsSigner::FromPem("").ok());
}

}  // namespace
}  // namespace fab::grid
