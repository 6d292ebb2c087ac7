#include "arena/answer_stream.h"

#include <gtest/gtest.h>

#include "server/sse_event_reader.h"

#include <optional>
#include <string>

namespace fab::arena {
namespace {

using server::ResponseStream;

std::shared_ptr<ResponseStream> ChatStream() { return std::make_shared<ResponseStream>(ResponseStream::Kind::kStreamed); }

const char* kFirst =
    R"(data: {"id":"chatcmpl-1","object":"chat.completion.chunk","model":"secret-model","choices":[{"index":0,"delta":{"role":"assistant","content":""},"finish_reason":null}]})"
    "\n\n";
const char* kHello =
    R"(data: {"id":"chatcmpl-1","object":"chat.completion.chunk","model":"secret-model","choices":[{"index":0,"delta":{"content":"Hel"},"finish_reason":null}]})"
    "\n\n";
const char* kLo =
    R"(data: {"id":"chatcmpl-1","object":"chat.completion.chunk","model":"secret-model","choices":[{"index":0,"delta":{"content":"lo"},"finish_reason":"stop"}]})"
    "\n\n";
const char* kUsage =
    R"(data: {"id":"chatcmpl-1","object":"chat.completion.chunk","model":"secret-model","choices":[],"usage":{"prompt_tokens":3}})"
    "\n\n";

TEST(AnonymousAnswer, RelaysTheTextAndTheFinishWithoutTheModelsName) {
  auto chat = ChatStream();
  std::optional<bool> ended;
  auto answer = AnonymousAnswer(chat, [&](bool ok) { ended = ok; });
  std::string seen;
  answer->SetWaker([&] { seen += answer->Take().bytes; });
  chat->Append(kFirst);
  // An event split across two appends is relayed once it is whole.
  const std::string hello = kHello;
  chat->Append(hello.substr(0, 40));
  EXPECT_EQ(seen.find("Hel"), std::string::npos);
  chat->Append(hello.substr(40));
  EXPECT_NE(seen.find(R"(data: {"text":"Hel"})"), std::string::npos) << seen;
  chat->Append(std::string(kLo) + kUsage + "data: [DONE]\n\n");
  chat->Finish();
  EXPECT_EQ(seen, "data: {\"text\":\"Hel\"}\n\ndata: {\"text\":\"lo\"}\n\ndata: {\"finish_reason\":\"stop\"}\n\ndata: [DONE]\n\n");
  EXPECT_EQ(seen.find("secret-model"), std::string::npos);
  EXPECT_EQ(seen.find("chatcmpl"), std::string::npos);
  ASSERT_TRUE(ended.has_value());
  EXPECT_TRUE(*ended);
}

TEST(AnonymousAnswer, AStreamThatEndsWithoutAFinishReasonIsAnError) {
  auto chat = ChatStream();
  std::optional<bool> ended;
  auto answer = AnonymousAnswer(chat, [&](bool ok) { ended = ok; });
  chat->Append(std::string(kHello) + "data: [DONE]\n\n");
  chat->Finish();
  const ResponseStream::Taken taken = answer->Take();
  EXPECT_TRUE(taken.finished);
  EXPECT_NE(taken.bytes.find(R"({"error":)"), std::string::npos) << taken.bytes;
  ASSERT_TRUE(ended.has_value());
  EXPECT_FALSE(*ended);
}

TEST(AnonymousAnswer, AbandoningTheAnswerAbandonsTheChatAndCountsAsFailed) {
  auto chat = ChatStream();
  bool chat_abandoned = false;
  chat->SetOnAbandon([&] { chat_abandoned = true; });
  int ends = 0;
  std::optional<bool> ended;
  auto answer = AnonymousAnswer(chat, [&](bool ok) { ended = ok; ++ends; });
  chat->Append(kHello);
  answer->Abandon();
  EXPECT_TRUE(chat_abandoned);
  ASSERT_TRUE(ended.has_value());
  EXPECT_FALSE(*ended);
  chat->Append(std::string(kLo) + "data: [DONE]\n\n");
  chat->Finish();
  EXPECT_EQ(ends, 1) << "the end is reported once";
}

TEST(AnonymousAnswer, AnOversizedEventFailsTheAnswer) {
  auto chat = ChatStream();
  std::optional<bool> ended;
  auto answer = AnonymousAnswer(chat, [&](bool ok) { ended = ok; });
  chat->Append("data: " + std::string(server::kDefaultMaxSseEventBytes + 10, 'x'));
  ASSERT_TRUE(ended.has_value());
  EXPECT_FALSE(*ended);
  EXPECT_TRUE(answer->Take().finished);
}

}  // namespace
}  // namespace fab::arena
