#include "server/sse_framing.h"

#include <gtest/gtest.h>

namespace fab::server {
namespace {

TEST(SseEvent, WrapsOneJsonLineAsADataEventEndedByABlankLine) {
  EXPECT_EQ(SseEvent(R"({"a":1})"), "data: {\"a\":1}\n\n");
}

TEST(SseEvent, EndsTheStreamWithTheDoneSentinel) {
  EXPECT_EQ(kSseDone, "data: [DONE]\n\n");
}

}  // namespace
}  // namespace fab::server
