// The matcher over bytes: completion and continuation, the bytes that may
// come next, a refused byte or string leaves the state as it was, ambiguity
// and long inputs keep the stack graph small, and Utf8Sequences covers
// exactly the characters of its range.
#include "grammar/matcher.h"
#include "grammar/matcher_for.h"

#include <gtest/gtest.h>

#include <string>

#include "grammar/gbnf.h"
#include "tokenizer/utf8.h"

namespace fab::grammar {
namespace {

TEST(GrammarMatcher, KnowsWhenItIsCompleteAndWhatMayFollow) {
  GrammarMatcher m = MatcherFor("root ::= \"a\" (\"b\" | \"c\") \"d\"?");
  EXPECT_FALSE(m.IsComplete());
  ASSERT_TRUE(m.AcceptByte('a'));
  ByteSet next = m.NextBytes();
  EXPECT_EQ(next.count(), 2u);
  EXPECT_TRUE(next.test('b') && next.test('c'));
  ASSERT_TRUE(m.AcceptByte('c'));
  EXPECT_TRUE(m.IsComplete());
  EXPECT_TRUE(m.CanContinue());
  ASSERT_TRUE(m.AcceptByte('d'));
  EXPECT_TRUE(m.IsComplete());
  EXPECT_FALSE(m.CanContinue());
  EXPECT_FALSE(m.AcceptByte('d'));
}

TEST(GrammarMatcher, ARefusedByteOrStringLeavesTheStateAsItWas) {
  GrammarMatcher m = MatcherFor("root ::= \"abc\" | \"abd\"");
  ASSERT_TRUE(m.AcceptBytes("ab"));
  EXPECT_FALSE(m.AcceptByte('x'));
  EXPECT_FALSE(m.AcceptBytes("cx"));
  EXPECT_TRUE(m.AcceptByte('d'));
  EXPECT_TRUE(m.IsComplete());
  m.Reset();
  EXPECT_TRUE(m.AcceptBytes("abc"));
}

TEST(GrammarMatcher, AmbiguityKeepsFewStacks) {
  // Every prefix of a's parses many ways; the stack graph shares them.
  GrammarMatcher m = MatcherFor("root ::= (\"a\" | \"a\" \"a\" | \"a\" \"a\" \"a\")*");
  for (int i = 0; i < 1000; ++i) ASSERT_TRUE(m.AcceptByte('a')) << i;
  EXPECT_TRUE(m.IsComplete());
  EXPECT_LE(m.n_stacks(), 8u);
}

TEST(GrammarMatcher, AGrammarWhoseStacksDoubleEveryByteOverflowsInsteadOfHanging) {
  // Each "(" may open the first or the second `root` of an item: 2^n stacks.
  GrammarMatcher m = MatcherFor("root ::= item*\nitem ::= \"(\" root root \")\" | [a-c]");
  int n_open = 0;
  while (!m.overflowed() && n_open < 64) {
    ASSERT_TRUE(m.NextBytes().test('('));
    ASSERT_TRUE(m.AcceptByte('(')) << "a byte NextBytes lists is consumed, even the one that overflows";
    ++n_open;
  }
  ASSERT_TRUE(m.overflowed()) << "the stacks never passed kMaxStacks";
  EXPECT_LE(n_open, 20);
  EXPECT_FALSE(m.CanContinue());
  EXPECT_FALSE(m.IsComplete());
  EXPECT_TRUE(m.NextBytes().none());
  EXPECT_FALSE(m.AcceptByte('a'));
  m.Reset();
  EXPECT_FALSE(m.overflowed());
  EXPECT_TRUE(m.AcceptBytes("(a)b"));
  EXPECT_TRUE(m.IsComplete());
}

TEST(GrammarMatcher, LongInputsKeepTheArenaBounded) {
  GrammarMatcher m = MatcherFor("root ::= \"[\" ([a-z] | \"(\" [a-z]* \")\")* \"]\"");
  ASSERT_TRUE(m.AcceptByte('['));
  for (int i = 0; i <= 200000; ++i) ASSERT_TRUE(m.AcceptByte(i % 7 == 0 ? '(' : i % 7 == 3 ? ')' : 'q')) << i;
  EXPECT_TRUE(m.AcceptByte(']'));
  EXPECT_TRUE(m.IsComplete());
  EXPECT_LT(m.n_nodes(), 70000u);
}

TEST(GrammarMatcher, DeepNestingIsFollowedAndItsStacksFreedOnceClosed) {
  GrammarMatcher m = MatcherFor("root ::= item*\nitem ::= \"(\" root \")\"");
  for (int round = 0; round < 3; ++round) {
    for (int i = 0; i < 30000; ++i) ASSERT_TRUE(m.AcceptByte('(')) << i;
    EXPECT_FALSE(m.IsComplete());
    EXPECT_FALSE(m.AcceptByte(']'));
    for (int i = 0; i < 30000; ++i) ASSERT_TRUE(m.AcceptByte(')')) << i;
    EXPECT_TRUE(m.IsComplete());
    EXPECT_FALSE(m.AcceptByte(')'));
  }
  // Compaction dropped the closed levels' nodes (tens of thousands per round).
  EXPECT_LT(m.n_nodes(), 70000u);
}

std::string EncodeUtf8(uint32_t cp) {
  std::string out;
  AppendUtf8(cp, &out);
  return out;
}

bool Covered(const std::vector<std::vector<ByteSet>>& sequences, const std::string& bytes) {
  for (const std::vector<ByteSet>& sequence : sequences) {
    if (sequence.size() != bytes.size()) continue;
    bool all = true;
    for (size_t i = 0; i < bytes.size() && all; ++i) all = sequence[i].test(static_cast<uint8_t>(bytes[i]));
    if (all) return true;
  }
  return false;
}

TEST(Utf8Sequences, CoverExactlyTheCharactersOfTheRange) {
  const std::pair<uint32_t, uint32_t> ranges[] = {
      {0x80, 0x10FFFF}, {0x3B1, 0x3C9}, {0xD000, 0xE100}, {0x7F0, 0x801}, {0xAC00, 0xD7A3}, {0x10000, 0x1F64F}};
  for (auto [lo, hi] : ranges) {
    const auto sequences = Utf8Sequences(lo, hi);
    for (uint32_t cp = 0; cp <= 0x10FFFF; cp += (cp < 0x20000 ? 1 : 97)) {
      if (cp >= 0xD800 && cp <= 0xDFFF) continue;
      ASSERT_EQ(Covered(sequences, EncodeUtf8(cp)), cp >= lo && cp <= hi) << std::hex << lo << ".." << hi << " " << cp;
    }
    // Surrogates are never covered.
    EXPECT_FALSE(Covered(sequences, "\xED\xA0\x80"));
  }
}

}  // namespace
}  // namespace fab::grammar
