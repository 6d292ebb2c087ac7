// Regex to GBNF: random strings the compiled grammar generates match the
// regex under std::regex (ECMAScript), strings it refuses do not; inside a
// JSON string the characters come out as JSON writes them; what the subset
// leaves out is refused by name.
#include "grammar/regex.h"

#include <gtest/gtest.h>

#include <random>
#include <regex>
#include <string>

#include "grammar/gbnf.h"
#include "grammar/matcher.h"

namespace fab::grammar {
namespace {

std::shared_ptr<const CompiledGrammar> Compile(const std::string& pattern, RegexContext context) {
  StatusOr<RegexGbnf> regex = RegexToGbnf(pattern, context);
  EXPECT_TRUE(regex.ok()) << pattern << ": " << regex.status().ToString();
  if (!regex.ok()) return nullptr;
  StatusOr<Grammar> grammar = ParseGbnf("root ::= " + regex->expression + "\n");
  EXPECT_TRUE(grammar.ok()) << pattern << " → " << regex->expression << ": " << grammar.status().ToString();
  return CompiledGrammar::Compile(std::move(grammar).value()).value();
}

// A random sentence of the grammar: ASCII bytes where it allows them, ending
// (when it may) with probability 1/4 per step.
std::string RandomSentence(const std::shared_ptr<const CompiledGrammar>& grammar, std::mt19937& rng) {
  GrammarMatcher matcher(grammar);
  std::string out;
  for (int step = 0; step < 400; ++step) {
    if (matcher.IsComplete() && (!matcher.CanContinue() || rng() % 4 == 0)) return out;
    const ByteSet next = matcher.NextBytes();
    std::vector<int> ascii, any;
    for (int b = 0; b < 256; ++b) {
      if (!next.test(static_cast<size_t>(b))) continue;
      any.push_back(b);
      if (b >= 0x20 && b < 0x7F) ascii.push_back(b);
    }
    if (any.empty()) break;
    const std::vector<int>& pool = ascii.empty() ? any : ascii;
    const char byte = static_cast<char>(pool[rng() % pool.size()]);
    EXPECT_TRUE(matcher.AcceptByte(static_cast<uint8_t>(byte)));
    out += byte;
  }
  return matcher.IsComplete() ? out : "<unfinished>";
}

bool Accepts(const std::shared_ptr<const CompiledGrammar>& grammar, const std::string& text) {
  GrammarMatcher matcher(grammar);
  return matcher.AcceptBytes(text) && matcher.IsComplete();
}

TEST(Regex, GeneratedStringsMatchTheRegex) {
  const char* patterns[] = {
      "[A-Z][a-z]{2,5} [0-9]{3}-[0-9]{4}", "(cat|dog|bird)s?", "a+b*c?", "\\d{1,3}(\\.\\d{1,3}){3}",
      "[^aeiou ]{3,6}", "(?:ab|cd)+x", "\\w+@\\w+\\.(com|org)", "x{0,2}y{2,}z", "(a|b(c|d))*e",
      "[\\-+]?[0-9]+(\\.[0-9]+)?", "#[0-9a-fA-F]{6}", "\\(\\d{3}\\) \\d{3}\\.\\d{4}", "[.]\\.\\*",
      "(\\d{4})-(0[1-9]|1[0-2])", "a|", "(|x)y", "[\\s]x[\\S]",
  };
  std::mt19937 rng(7);
  for (const char* pattern : patterns) {
    const auto grammar = Compile(pattern, RegexContext::kText);
    ASSERT_NE(grammar, nullptr);
    const std::regex reference(pattern, std::regex::ECMAScript);
    for (int i = 0; i < 40; ++i) {
      const std::string sentence = RandomSentence(grammar, rng);
      EXPECT_TRUE(std::regex_match(sentence, reference)) << pattern << " generated '" << sentence << "'";
    }
  }
}

TEST(Regex, TextTheRegexRefusesIsRefused) {
  const auto phone = Compile("\\(\\d{3}\\) \\d{3}-\\d{4}", RegexContext::kText);
  EXPECT_TRUE(Accepts(phone, "(010) 555-1234"));
  EXPECT_FALSE(Accepts(phone, "010 555-1234"));
  EXPECT_FALSE(Accepts(phone, "(010) 555-12345"));
  const auto dot = Compile("a.c", RegexContext::kText);
  EXPECT_TRUE(Accepts(dot, "a한c"));
  EXPECT_FALSE(Accepts(dot, "a\nc")) << ". does not match a line break";
  const auto named = Compile("(?<year>\\d{4})-(?<month>0[1-9]|1[0-2])", RegexContext::kText);
  EXPECT_TRUE(Accepts(named, "2026-12"));
  EXPECT_FALSE(Accepts(named, "2026-13"));
  const auto anchored = RegexToGbnf("^ab$", RegexContext::kText);
  ASSERT_TRUE(anchored.ok());
  EXPECT_TRUE(anchored->anchored_start && anchored->anchored_end);
  EXPECT_FALSE(RegexToGbnf("ab\\$", RegexContext::kText)->anchored_end) << "an escaped $ is a literal";
}

TEST(Regex, InsideAJsonStringCharactersAreWrittenAsJsonDoes) {
  const auto quote = Compile("say \"hi\"\\\\", RegexContext::kJsonString);
  EXPECT_TRUE(Accepts(quote, "say \\\"hi\\\"\\\\"));
  EXPECT_FALSE(Accepts(quote, "say \"hi\"\\"));
  const auto any = Compile(".{3}", RegexContext::kJsonString);
  EXPECT_TRUE(Accepts(any, "abc"));
  EXPECT_FALSE(Accepts(any, "a\"c")) << "classes leave out what JSON must escape";
  EXPECT_FALSE(Accepts(any, "a\\c"));
}

TEST(Regex, WhatTheSubsetLeavesOutIsRefusedByName) {
  const std::pair<const char*, const char*> cases[] = {
      {"(a)\\1", "backreferences"},   {"(?=a)a", "lookaround"},   {"a\\bb", "word boundary"},
      {"\\p{L}+", "property"},        {"a^b", "very start"},      {"a{3,2}", "n < m"},
      {"a{20000}", "above"},          {"(ab", "unclosed group"},  {"ab)", "unmatched"},
      {"[a-", "unclosed character class"}, {"[z-a]", "out of order"}, {"*a", "nothing to repeat"},
      {"a**", "follows a quantifier"}, {"\\q", "\\q"},
  };
  for (const auto& [pattern, part] : cases) {
    StatusOr<RegexGbnf> regex = RegexToGbnf(pattern, RegexContext::kText);
    ASSERT_FALSE(regex.ok()) << pattern;
    EXPECT_NE(regex.status().message().find(part), std::string::npos) << pattern << ": " << regex.status().message();
  }
  EXPECT_FALSE(RegexToGbnf("[\"]", RegexContext::kJsonString).ok()) << "a class of only escaped characters";
}

}  // namespace
}  // namespace fab::grammar
