// POST /v1/completions end to end through OpenAiHandler::Handle against a
// real engine on the tiny synthesized model. Greedy or seeded throughout.
#include "server/completion_endpoint.h"

#include <set>
#include <sstream>
#include <string>

#include <gtest/gtest.h>

#include "server/openai_handler_test_util.h"

namespace fab::server {
namespace {

namespace json = boost::json;

std::string TextOf(const Received& received, size_t choice = 0) {
  return received.json.at("choices").at(choice).at("text").as_string().c_str();
}

// A greedy completion of `prompt` (token ids), whole.
Received Greedy(TestServer& server, const std::string& prompt, int max_tokens, const std::string& extra = "") {
  return Send(server, PostJson("/v1/completions", R"({"prompt":)" + prompt + R"(,"max_tokens":)" +
                                                       std::to_string(max_tokens) + R"(,"temperature":0)" + extra + "}"));
}

TEST(CompletionEndpoint, StreamsTheSameGreedyTextItAnswersWhole) {
  TestServer server;
  Received whole = Greedy(server, R"("the cat sat")", 12);
  ASSERT_EQ(whole.response.status, 200) << whole.response.body;
  EXPECT_EQ(whole.json.at("object"), "text_completion");
  EXPECT_EQ(whole.json.at("model"), "tiny");
  EXPECT_TRUE(whole.json.at("id").as_string().starts_with("cmpl-"));
  Received streamed = Greedy(server, R"("the cat sat")", 12, R"(,"stream":true)");
  ASSERT_TRUE(streamed.streamed);
  ASSERT_TRUE(streamed.completed);
  ASSERT_FALSE(streamed.events.empty());
  EXPECT_EQ(streamed.events.back(), "[DONE]");
  EXPECT_EQ(StreamedText(streamed, 0), TextOf(whole));
  const std::vector<json::object> chunks = Chunks(streamed);
  EXPECT_EQ(chunks.back().at("choices").at(0).at("finish_reason"),
            whole.json.at("choices").at(0).at("finish_reason"));
}

TEST(CompletionEndpoint, TokenIdPromptsGiveTheSameTextAsTheirString) {
  TestServer server;
  Received tokenized = Send(server, PostJson("/tokenize", R"({"prompt":"the cat sat"})"));
  ASSERT_EQ(tokenized.response.status, 200);
  const std::string ids = json::serialize(tokenized.json.at("tokens"));
  EXPECT_EQ(TextOf(Greedy(server, ids, 8)), TextOf(Greedy(server, R"("the cat sat")", 8)));
}

TEST(CompletionEndpoint, EchoWithZeroMaxTokensScoresThePrompt) {
  TestServer server;
  Received received = Greedy(server, "[1,300,301,302,303]", 0, R"(,"echo":true,"logprobs":2)");
  ASSERT_EQ(received.response.status, 200) << received.response.body;
  const json::value& choice = received.json.at("choices").at(0);
  EXPECT_EQ(choice.at("finish_reason"), "length");
  const json::value& logprobs = choice.at("logprobs");
  ASSERT_EQ(logprobs.at("tokens").as_array().size(), 5u);
  const json::array& token_logprobs = logprobs.at("token_logprobs").as_array();
  EXPECT_TRUE(token_logprobs[0].is_null());
  EXPECT_TRUE(logprobs.at("top_logprobs").at(0).is_null());
  for (size_t position = 1; position < 5; ++position) {
    ASSERT_TRUE(token_logprobs[position].is_double()) << "position " << position << ": prompt logprobs missing";
    EXPECT_LE(token_logprobs[position].as_double(), 0.0);
    EXPECT_EQ(logprobs.at("top_logprobs").at(position).as_object().size(), 2u) << position;
  }
  EXPECT_EQ(received.json.at("usage").at("prompt_tokens"), 5);
  EXPECT_EQ(received.json.at("usage").at("completion_tokens"), 0);
}

// lm-eval-harness cuts loglikelihood prompts to exactly the context length.
TEST(CompletionEndpoint, ScoresAPromptThatFillsTheWholeContext) {
  TestServer server;
  std::string ids = "[1";
  for (int64_t i = 1; i < kTinyContext; ++i) ids += "," + std::to_string(300 + i % 200);
  ids += "]";
  Received full = Greedy(server, ids, 0, R"(,"echo":true,"logprobs":1)");
  ASSERT_EQ(full.response.status, 200) << full.response.body;
  EXPECT_EQ(full.json.at("usage").at("prompt_tokens"), kTinyContext);
  Received over = Greedy(server, ids.substr(0, ids.size() - 1) + ",7]", 0, R"(,"echo":true,"logprobs":1)");
  EXPECT_EQ(over.response.status, 400) << over.response.body;
}

TEST(CompletionEndpoint, StreamsTheEchoedPromptScoresFirst) {
  TestServer server;
  const std::string body = R"({"prompt":"the cat","max_tokens":0,"echo":true,"logprobs":1)";
  Received whole = Send(server, PostJson("/v1/completions", body + "}"));
  Received streamed = Send(server, PostJson("/v1/completions", body + R"(,"stream":true})"));
  ASSERT_EQ(whole.response.status, 200) << whole.response.body;
  EXPECT_EQ(TextOf(whole), "the cat");
  EXPECT_EQ(StreamedText(streamed, 0), "the cat");
  const std::vector<json::object> chunks = Chunks(streamed);
  ASSERT_FALSE(chunks.empty());
  EXPECT_EQ(chunks.front().at("choices").at(0).at("logprobs"), whole.json.at("choices").at(0).at("logprobs"));
  EXPECT_EQ(chunks.back().at("choices").at(0).at("finish_reason"), "length");
}

TEST(CompletionEndpoint, EchoPrependsThePromptText) {
  TestServer server;
  Received plain = Greedy(server, R"("the cat")", 4);
  Received echoed = Greedy(server, R"("the cat")", 4, R"(,"echo":true)");
  EXPECT_EQ(TextOf(echoed), "the cat" + TextOf(plain));
}

TEST(CompletionEndpoint, LogprobsListEveryGeneratedToken) {
  TestServer server;
  Received received = Greedy(server, "[1,300,301]", 6, R"(,"logprobs":3)");
  ASSERT_EQ(received.response.status, 200) << received.response.body;
  const json::value& logprobs = received.json.at("choices").at(0).at("logprobs");
  const json::array& tokens = logprobs.at("tokens").as_array();
  ASSERT_FALSE(tokens.empty());
  std::string joined;
  for (const auto& token : tokens) joined += token.as_string().c_str();
  EXPECT_EQ(joined, TextOf(received));
  for (size_t i = 0; i < tokens.size(); ++i) {
    EXPECT_EQ(logprobs.at("top_logprobs").at(i).as_object().size(), 3u) << "top alternatives missing at " << i;
  }
}

TEST(CompletionEndpoint, SeededChoicesDifferAndRepeat) {
  TestServer server;
  const std::string body = R"({"prompt":"the cat","max_tokens":8,"n":3,"seed":42,"temperature":1.0})";
  Received first = Send(server, PostJson("/v1/completions", body));
  Received second = Send(server, PostJson("/v1/completions", body));
  ASSERT_EQ(first.response.status, 200) << first.response.body;
  ASSERT_EQ(first.json.at("choices").as_array().size(), 3u);
  std::set<std::string> texts;
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(first.json.at("choices").at(i).at("index"), static_cast<int64_t>(i));
    EXPECT_EQ(TextOf(first, i), TextOf(second, i));
    texts.insert(TextOf(first, i));
  }
  EXPECT_GT(texts.size(), 1u);
}

TEST(CompletionEndpoint, IndexesChoicesByPromptThenSample) {
  TestServer server;
  Received received = Send(server, PostJson("/v1/completions",
                                            R"({"prompt":[[1,300],[1,400]],"max_tokens":3,"n":2,"temperature":0})"));
  ASSERT_EQ(received.response.status, 200) << received.response.body;
  ASSERT_EQ(received.json.at("choices").as_array().size(), 4u);
  EXPECT_EQ(TextOf(received, 0), TextOf(received, 1));  // greedy: the two samples of one prompt agree
  EXPECT_EQ(TextOf(received, 0), TextOf(Greedy(server, "[1,300]", 3)));
  EXPECT_EQ(TextOf(received, 2), TextOf(Greedy(server, "[1,400]", 3)));
}

// The first position in the greedy text where a two-byte ASCII stop string
// can be cut out with something before it.
std::string PickStop(const std::string& text) {
  for (size_t at = 2; at + 2 <= text.size(); ++at) {
    const std::string stop = text.substr(at, 2);
    if (static_cast<unsigned char>(stop[0]) < 0x80 && static_cast<unsigned char>(stop[1]) < 0x80 &&
        text.find(stop) > 0) {
      return stop;
    }
  }
  return "";
}

// The value of tokenfab:request_success_total{finished_reason=`reason`} in a
// Prometheus exposition, 0 when absent.
int RequestsFinishedWith(const std::string& exposition, const std::string& reason) {
  std::istringstream lines(exposition);
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind("tokenfab:request_success_total{", 0) != 0) continue;
    if (line.find("finished_reason=\"" + reason + "\"") == std::string::npos) continue;
    return std::stoi(line.substr(line.rfind(' ') + 1));
  }
  return 0;
}

TEST(CompletionEndpoint, StopStringCutsTheTextWholeAndStreamed) {
  TestServer server;
  const std::string text = TextOf(Greedy(server, R"("the cat sat")", 24));
  const std::string stop = PickStop(text);
  ASSERT_FALSE(stop.empty()) << "no usable stop string in '" << text << "'";
  const std::string expected = text.substr(0, text.find(stop));
  const std::string stop_field = R"(,"stop":[")" + stop + R"("])";

  Received whole = Greedy(server, R"("the cat sat")", 24, stop_field);
  EXPECT_EQ(TextOf(whole), expected) << "stop '" << stop << "' in '" << text << "'";
  EXPECT_EQ(whole.json.at("choices").at(0).at("finish_reason"), "stop");

  Received streamed = Greedy(server, R"("the cat sat")", 24, stop_field + R"(,"stream":true)");
  EXPECT_EQ(StreamedText(streamed, 0), expected);  // no delta ever carried part of the stop
  EXPECT_EQ(Chunks(streamed).back().at("choices").at(0).at("finish_reason"), "stop");
  EXPECT_EQ(streamed.events.back(), "[DONE]");

  // Both stops count as "stop" in the metrics, though the server ended them by cancelling.
  const std::string metrics = Send(server, Get("/metrics")).response.body;
  EXPECT_EQ(RequestsFinishedWith(metrics, "stop"), 2) << metrics;
  EXPECT_EQ(RequestsFinishedWith(metrics, "abort"), 0) << metrics;
}

TEST(CompletionEndpoint, LogitBiasMovesTheGreedyChoice) {
  TestServer server;
  Received plain = Greedy(server, "[1,300,301]", 1, R"(,"logprobs":0)");
  ASSERT_EQ(plain.response.status, 200) << plain.response.body;
  const json::array& tokens = plain.json.at("choices").at(0).at("logprobs").at("tokens").as_array();
  ASSERT_EQ(tokens.size(), 1u) << plain.response.body;
  const std::string piece = tokens[0].as_string().c_str();
  TokenId first = -1;
  for (TokenId id = 0; id < server.tokenizer().n_vocab(); ++id) {
    if (server.tokenizer().TokenBytes(id) == piece) first = id;
  }
  ASSERT_GE(first, 0) << "no token decodes to '" << piece << "'";
  Received biased = Greedy(server, "[1,300,301]", 1, R"(,"logprobs":0,"logit_bias":{")" + std::to_string(first) + R"(":-100})");
  ASSERT_EQ(biased.response.status, 200) << biased.response.body;
  EXPECT_NE(biased.json.at("choices").at(0).at("logprobs").at("tokens"), plain.json.at("choices").at(0).at("logprobs").at("tokens"));
}

}  // namespace
}  // namespace fab::server
