// /tokenize and /detokenize through OpenAiHandler::Handle (the vLLM shapes).
#include "server/utility_endpoints.h"

#include <gtest/gtest.h>

#include "server/openai_handler_test_util.h"

namespace fab::server {
namespace {

namespace json = boost::json;

TEST(UtilityEndpoints, TokenizeCountsIdsWithBosAsTheVocabularySays) {
  TestServer server;
  Received received = Send(server, PostJson("/tokenize", R"({"prompt":"the cat sat"})"));
  ASSERT_EQ(received.response.status, 200) << received.response.body;
  const json::array& tokens = received.json.at("tokens").as_array();
  EXPECT_EQ(received.json.at("count"), static_cast<int64_t>(tokens.size()));
  EXPECT_EQ(received.json.at("max_model_len"), 512);
  ASSERT_GE(tokens.size(), 2u);
  EXPECT_EQ(tokens[0], server.tokenizer().bos_id());
  Received bare = Send(server, PostJson("/tokenize", R"({"prompt":"the cat sat","add_special_tokens":false})"));
  EXPECT_EQ(bare.json.at("count").as_int64(), static_cast<int64_t>(tokens.size()) - 1);
}

TEST(UtilityEndpoints, DetokenizeInvertsTokenize) {
  TestServer server;
  Received tokenized = Send(server, PostJson("/tokenize", R"({"prompt":"the cat sat"})"));
  Received text = Send(server, PostJson("/detokenize", R"({"tokens":)" + json::serialize(tokenized.json.at("tokens")) + "}"));
  ASSERT_EQ(text.response.status, 200) << text.response.body;
  EXPECT_EQ(text.json, json::parse(R"({"prompt":"the cat sat"})"));
}

TEST(UtilityEndpoints, DetokenizeNamesTheIdOutsideTheVocabulary) {
  TestServer server;
  Received received = Send(server, PostJson("/detokenize", R"({"tokens":[5,6,9999]})"));
  EXPECT_EQ(received.response.status, 400);
  EXPECT_EQ(received.json.at("error").at("param"), "tokens[2]");
}

}  // namespace
}  // namespace fab::server
