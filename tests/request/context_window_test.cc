#include "request/context_window.h"

#include <gtest/gtest.h>

namespace fab {
namespace {

TEST(ContextWindow, ARequestFitsWhenPromptPlusEveryNewTokenFits) {
  EXPECT_TRUE(FitsContext(/*n_prompt=*/100, /*max_new_tokens=*/28, /*n_ctx=*/128));
  EXPECT_FALSE(FitsContext(100, 29, 128));
  EXPECT_FALSE(FitsContext(128, 1, 128));
}

TEST(ContextWindow, TheRoomLeftIsNeverNegative) {
  EXPECT_EQ(RoomForNewTokens(100, 128), 28);
  EXPECT_EQ(RoomForNewTokens(128, 128), 0);
  EXPECT_EQ(RoomForNewTokens(500, 128), 0);
}

}  // namespace
}  // namespace fab
