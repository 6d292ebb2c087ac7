#include "server/sse_event_reader.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace fab::server {
namespace {

struct Collected {
  std::vector<std::string> events;
  SseEventReader reader{[this](std::string_view data) { events.emplace_back(data); }};
};

TEST(SseEventReader, DispatchesEachEventAtItsBlankLine) {
  Collected c;
  ASSERT_TRUE(c.reader.Feed("data: {\"a\":1}\n\ndata: [DONE]\n").ok());
  EXPECT_EQ(c.events, std::vector<std::string>({"{\"a\":1}"}));
  ASSERT_TRUE(c.reader.Feed("\n").ok());
  EXPECT_EQ(c.events, std::vector<std::string>({"{\"a\":1}", "[DONE]"}));
}

TEST(SseEventReader, GivesTheSameEventsWhateverTheSplit) {
  const std::string stream = "data: one\r\n\r\n: comment\nevent: x\ndata:two\n\ndata: three\rdata: 3\r\r";
  for (size_t split = 0; split <= stream.size(); ++split) {
    Collected c;
    ASSERT_TRUE(c.reader.Feed(std::string_view(stream).substr(0, split)).ok());
    ASSERT_TRUE(c.reader.Feed(std::string_view(stream).substr(split)).ok());
    EXPECT_EQ(c.events, std::vector<std::string>({"one", "two", "three\n3"})) << "split at " << split;
  }
}

TEST(SseEventReader, DropsAnEventLeftIncompleteAndEventsWithoutData) {
  Collected c;
  ASSERT_TRUE(c.reader.Feed("event: ping\n\ndata: partial").ok());
  EXPECT_TRUE(c.events.empty());
}

TEST(SseEventReader, FailsOnAnEventOverItsCapAndStaysFailed) {
  std::vector<std::string> events;
  SseEventReader reader([&](std::string_view data) { events.emplace_back(data); }, 16);
  EXPECT_FALSE(reader.Feed("data: " + std::string(64, 'x')).ok());
  EXPECT_FALSE(reader.Feed("\n\n").ok());
  EXPECT_TRUE(events.empty());
}

TEST(SseEventReader, CapsEventsSpreadOverManyDataLines) {
  std::vector<std::string> events;
  SseEventReader reader([&](std::string_view data) { events.emplace_back(data); }, 32);
  std::string many;
  for (int i = 0; i < 20; ++i) many += "data: abc\n";
  EXPECT_FALSE(reader.Feed(many).ok());
}

}  // namespace
}  // namespace fab::server
