#include "server/tokenize_request.h"

#include <gtest/gtest.h>

namespace fab::server {
namespace {

TEST(TokenizeRequest, ParsesAPromptWithSpecialTokensByDefault) {
  const auto parsed = ParseTokenizeRequest(R"({"model":"m","prompt":"Hello world"})");
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed->prompt, "Hello world");
  EXPECT_TRUE(parsed->messages.empty());
  EXPECT_TRUE(parsed->add_special_tokens);
}

TEST(TokenizeRequest, ParsesMessagesWithoutExtraSpecialTokensByDefault) {
  const auto parsed = ParseTokenizeRequest(
      R"({"messages":[{"role":"user","content":"hi"}],"add_generation_prompt":false})");
  ASSERT_TRUE(parsed.ok());
  EXPECT_FALSE(parsed->prompt.has_value());
  ASSERT_EQ(parsed->messages.size(), 1u);
  EXPECT_FALSE(parsed->add_special_tokens);
  EXPECT_FALSE(parsed->add_generation_prompt);
}

TEST(TokenizeRequest, RefusesBothOrNeitherOfPromptAndMessages) {
  EXPECT_EQ(ParseTokenizeRequest(R"({"model":"m"})").error().param, "prompt");
  EXPECT_EQ(ParseTokenizeRequest(R"({"prompt":"a","messages":[{"role":"user","content":"b"}]})").error().param,
            "prompt");
}

TEST(TokenizeRequest, NamesTheBadField) {
  EXPECT_EQ(ParseTokenizeRequest(R"({"prompt":5})").error().param, "prompt");
  EXPECT_EQ(ParseTokenizeRequest(R"({"prompt":"a","add_special_tokens":"no"})").error().param,
            "add_special_tokens");
  EXPECT_EQ(ParseTokenizeRequest(R"({"messages":[]})").error().param, "messages");
}

TEST(DetokenizeRequest, ParsesTokenIdsAndAcceptsAnEmptyList) {
  const auto parsed = ParseDetokenizeRequest(R"({"model":"m","tokens":[1,15043,0]})");
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed->tokens, (std::vector<TokenId>{1, 15043, 0}));
  EXPECT_TRUE(ParseDetokenizeRequest(R"({"tokens":[]})")->tokens.empty());
}

TEST(DetokenizeRequest, RefusesMissingOrNonIntegerTokens) {
  EXPECT_EQ(ParseDetokenizeRequest(R"({})").error().param, "tokens");
  EXPECT_EQ(ParseDetokenizeRequest(R"({"tokens":"1 2"})").error().param, "tokens");
  EXPECT_EQ(ParseDetokenizeRequest(R"({"tokens":[1,-1]})").error().param, "tokens[1]");
  EXPECT_EQ(ParseDetokenizeRequest(R"({"tokens":[1,"2"]})").error().param, "tokens[1]");
  EXPECT_EQ(ParseDetokenizeRequest(R"({"tokens":[1,2.5]})").error().http_status, 400);
}

}  // namespace
}  // namespace fab::server
