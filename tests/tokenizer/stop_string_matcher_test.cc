#include "tokenizer/stop_string_matcher.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace fab {
namespace {

// Feeds `deltas` and returns everything emitted (plus the flush when no stop
// matched) and whether a stop string ended it.
std::pair<std::string, bool> Stream(const std::vector<std::string>& stops,
                                    const std::vector<std::string>& deltas) {
  StopStringMatcher matcher(stops);
  std::string out;
  for (const std::string& delta : deltas) {
    const StopStringMatcher::Step step = matcher.Push(delta);
    out += step.emit;
    if (step.stopped) return {out, true};
  }
  return {out + matcher.Flush(), false};
}

TEST(StopStringMatcher, PassesTextThroughWhenThereAreNoStops) {
  StopStringMatcher matcher({});
  EXPECT_EQ(matcher.Push("hello").emit, "hello");
  EXPECT_EQ(matcher.Push(" world").emit, " world");
  EXPECT_EQ(matcher.Flush(), "");
}

TEST(StopStringMatcher, HoldsBackAPossibleStopPrefixUntilItIsDecided) {
  StopStringMatcher matcher({"###"});
  EXPECT_EQ(matcher.Push("answer #").emit, "answer ");
  EXPECT_EQ(matcher.Push("#").emit, "");
  const StopStringMatcher::Step step = matcher.Push("x");
  EXPECT_EQ(step.emit, "##x");
  EXPECT_FALSE(step.stopped);
}

TEST(StopStringMatcher, StopsOnAStopStringSplitAcrossDeltasWithoutLeakingIt) {
  EXPECT_EQ(Stream({"</s>"}, {"done<", "/", "s>", "after"}), std::make_pair(std::string("done"), true));
}

TEST(StopStringMatcher, DropsTheStopStringAndEverythingAfterItInOneDelta) {
  EXPECT_EQ(Stream({"\n\n"}, {"line one\n\nline two"}), std::make_pair(std::string("line one"), true));
}

TEST(StopStringMatcher, EndsAtTheEarliestOfSeveralStops) {
  EXPECT_EQ(Stream({"END", "b"}, {"aEbND"}), std::make_pair(std::string("aE"), true));
}

TEST(StopStringMatcher, FindsAMatchThatOverlapsAFalseStart) {
  EXPECT_EQ(Stream({"aab"}, {"a", "a", "a", "b"}), std::make_pair(std::string("a"), true));
}

TEST(StopStringMatcher, FlushesTheHeldTailWhenGenerationEndsOtherwise) {
  EXPECT_EQ(Stream({"STOP"}, {"almost ST"}), std::make_pair(std::string("almost ST"), false));
}

TEST(StopStringMatcher, EmitsNothingMoreAfterAStop) {
  StopStringMatcher matcher({"x"});
  EXPECT_TRUE(matcher.Push("axb").stopped);
  const StopStringMatcher::Step later = matcher.Push("more");
  EXPECT_TRUE(later.stopped);
  EXPECT_EQ(later.emit, "");
  EXPECT_EQ(matcher.Flush(), "");
}

TEST(StopStringMatcher, NeverSplitsAMultiByteCharacterWhenDeltasAreWholeCharacters) {
  // "é" is C3 A9; the stop "éa" shares its first character with the text.
  StopStringMatcher matcher({"\xC3\xA9" "a"});
  EXPECT_EQ(matcher.Push("x\xC3\xA9").emit, "x");
  EXPECT_EQ(matcher.Push("\xC3\xA9").emit, "\xC3\xA9");
  EXPECT_TRUE(matcher.Push("a").stopped);
}

TEST(StopStringMatcher, EmitsEveryByteOnceWhateverTheDeltaSplit) {
  const std::string text = "the cat sat on the mat; the end";
  for (size_t split = 1; split <= text.size(); ++split) {
    std::vector<std::string> deltas;
    for (size_t at = 0; at < text.size(); at += split) deltas.push_back(text.substr(at, split));
    EXPECT_EQ(Stream({"the e", "mat?"}, deltas), std::make_pair(std::string("the cat sat on the mat; "), true))
        << "split " << split;
    EXPECT_EQ(Stream({"dog"}, deltas), std::make_pair(text, false)) << "split " << split;
  }
}

}  // namespace
}  // namespace fab
