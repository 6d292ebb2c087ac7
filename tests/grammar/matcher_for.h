// A matcher for a GBNF text that the test expects to compile.
#pragma once

#include <gtest/gtest.h>

#include <string_view>

#include "grammar/gbnf.h"
#include "grammar/matcher.h"

namespace fab::grammar {

inline GrammarMatcher MatcherFor(std::string_view gbnf) {
  auto grammar = ParseGbnf(gbnf);
  EXPECT_TRUE(grammar.ok()) << grammar.status().ToString();
  auto compiled = CompiledGrammar::Compile(std::move(grammar).value());
  EXPECT_TRUE(compiled.ok()) << compiled.status().ToString();
  return GrammarMatcher(std::move(compiled).value());
}

}  // namespace fab::grammar
