#include "server/prompt_checks.h"

#include <gtest/gtest.h>

namespace fab::server {
namespace {

TEST(CheckTokenIdsInVocabulary, AcceptsIdsBelowTheVocabularySizeAndIgnoresTextPrompts) {
  const std::vector<Prompt> prompts = {Prompt(std::vector<TokenId>{0, 31999}), Prompt("text")};
  EXPECT_FALSE(CheckTokenIdsInVocabulary(prompts, 32000).has_value());
}

TEST(CheckTokenIdsInVocabulary, NamesThePromptAndPositionOfTheFirstIdOutside) {
  const std::vector<Prompt> prompts = {Prompt(std::vector<TokenId>{1}),
                                       Prompt(std::vector<TokenId>{5, 32000})};
  const std::optional<ApiError> error = CheckTokenIdsInVocabulary(prompts, 32000);
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ(error->http_status, 400);
  EXPECT_EQ(error->param, "prompt");
  EXPECT_NE(error->message.find("token id 32000 (prompt 1, position 1)"), std::string::npos)
      << error->message;
}

TEST(ResolveMaxTokens, KeepsARequestThatFillsTheContextExactly) {
  EXPECT_EQ(ResolveMaxTokens("prompt", 2000, 48, 2048).value(), 48);
}

TEST(ResolveMaxTokens, RefusesOneTokenPastTheContextWithTheOpenAiCode) {
  const ApiResult<int64_t> result = ResolveMaxTokens("messages", 2000, 49, 2048);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().http_status, 400);
  EXPECT_EQ(result.error().code, "context_length_exceeded");
  EXPECT_EQ(result.error().param, "messages");
}

TEST(ResolveMaxTokens, GivesTheRestOfTheWindowWhenMaxTokensIsAbsent) {
  EXPECT_EQ(ResolveMaxTokens("messages", 2000, std::nullopt, 2048).value(), 48);
}

TEST(ResolveMaxTokens, RefusesAPromptThatLeavesNoRoomWhenMaxTokensIsAbsent) {
  EXPECT_FALSE(ResolveMaxTokens("messages", 2048, std::nullopt, 2048).ok());
}

}  // namespace
}  // namespace fab::server
