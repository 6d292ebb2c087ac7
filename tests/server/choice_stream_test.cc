// ChoiceStream over the tiny model's generated vocabulary: text deltas,
// stop strings, and which logprob entries ride with which delta.
#include "server/choice_stream.h"

#include <gtest/gtest.h>

#include "server/openai_handler_test_util.h"

namespace fab::server {
namespace {

std::vector<TokenId> Ids(const std::string& text) {
  StatusOr<std::vector<TokenId>> ids = GetTinyModel().tokenizer->Encode(text, EncodeOptions{});
  FAB_CHECK(ids.ok()) << ids.status().ToString();
  return std::move(ids).value();
}

// Pushes every id of `text`, one at a time; returns the concatenated deltas.
std::string PushAll(ChoiceStream& stream, const std::vector<TokenId>& ids, bool* stopped,
                    std::vector<LogprobEntry>* logprobs = nullptr) {
  std::string out;
  for (const TokenId id : ids) {
    ChoiceStream::Delta delta = stream.Push(id, -1.0f, {});
    out += delta.text;
    if (logprobs) logprobs->insert(logprobs->end(), delta.logprobs.begin(), delta.logprobs.end());
    if (delta.stopped) {
      *stopped = true;
      return out;
    }
  }
  ChoiceStream::Delta tail = stream.Flush();
  out += tail.text;
  if (logprobs) logprobs->insert(logprobs->end(), tail.logprobs.begin(), tail.logprobs.end());
  *stopped = tail.stopped;
  return out;
}

TEST(ChoiceStream, PassesTextThroughWithoutStops) {
  ChoiceStream stream(*GetTinyModel().tokenizer, {}, false);
  bool stopped = false;
  EXPECT_EQ(PushAll(stream, Ids("a quick fox"), &stopped), " a quick fox");
  EXPECT_FALSE(stopped);
}

TEST(ChoiceStream, CutsAtTheFirstStopStringEvenAcrossTokens) {
  const std::vector<TokenId> ids = Ids("a quick fox jumps");
  ASSERT_GT(ids.size(), 3u);
  ChoiceStream stream(*GetTinyModel().tokenizer, {"k f", "jumps"}, false);
  bool stopped = false;
  EXPECT_EQ(PushAll(stream, ids, &stopped), " a quic");
  EXPECT_TRUE(stopped);
  EXPECT_TRUE(stream.Push(ids[0], 0.0f, {}).stopped);  // later tokens add nothing
}

TEST(ChoiceStream, KeepsLogprobsOnlyForTokensBeforeTheStop) {
  const std::vector<TokenId> ids = Ids("ab cd ef");
  ChoiceStream stream(*GetTinyModel().tokenizer, {"cd"}, true);
  bool stopped = false;
  std::vector<LogprobEntry> logprobs;
  const std::string text = PushAll(stream, ids, &stopped, &logprobs);
  EXPECT_EQ(text, " ab ");
  ASSERT_TRUE(stopped);
  std::string pieces;
  for (const LogprobEntry& entry : logprobs) pieces += entry.piece;
  EXPECT_TRUE(pieces.starts_with(" ab")) << pieces;
  EXPECT_LT(logprobs.size(), ids.size()) << pieces;  // nothing after the stop string
}

TEST(ChoiceStream, ReleasesEveryLogprobOnFlush) {
  const std::vector<TokenId> ids = Ids("ab cd");
  ChoiceStream stream(*GetTinyModel().tokenizer, {"zzz"}, true);
  bool stopped = false;
  std::vector<LogprobEntry> logprobs;
  EXPECT_EQ(PushAll(stream, ids, &stopped, &logprobs), " ab cd");
  EXPECT_EQ(logprobs.size(), ids.size());
}

}  // namespace
}  // namespace fab::server
