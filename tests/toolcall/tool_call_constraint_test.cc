// ToolCallConstraint: under "required" the output is a region of calls from
// the first token to a complete end; under "auto" it is free until the
// trigger and constrained after it; a think block the template opened stays
// free; control-token markers count by their text. Checked by random walks
// over a small vocabulary, parsing what was written.
#include "toolcall/tool_call_constraint.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <random>
#include <string>
#include <vector>

#include "grammar/gbnf.h"
#include "grammar/matcher.h"
#include "grammar/token_trie.h"
#include "toolcall/tool_call_grammar.h"
#include "toolcall/tool_call_parser.h"

namespace fab::toolcall {
namespace {

namespace json = boost::json;

const json::value kSchema = json::parse(R"({"type": "object", "properties": {"city": {"type": "string",
    "maxLength": 6}, "hot": {"type": "boolean"}}, "required": ["city", "hot"], "additionalProperties": false})");

const json::value kNoArguments = json::parse(R"({"type": "object", "properties": {}, "additionalProperties": false})");

// Every single byte, some longer pieces (markers among them), then the end token (no bytes).
std::vector<std::string> Vocabulary() {
  std::vector<std::string> bytes;
  for (int b = 0; b < 256; ++b) bytes.push_back(std::string(1, static_cast<char>(b)));
  for (const char* piece : {"<tool_call>", "</tool_call>", "{\"name\": \"", "\", \"arguments\": ", "city", "true",
                            "</think>", "[TOOL_CALLS]", "Seoul", "\"}", "\n", "_call>\n{\"name\": \""}) {
    bytes.push_back(piece);
  }
  bytes.push_back("");
  return bytes;
}

struct Walk {
  std::string text;
  bool ended = false;  // the end token was taken
  std::vector<bool> restricted;  // per step, before sampling
};

// Samples uniformly among allowed tokens; `forced` tokens are taken first while
// allowed (to steer the free part), then random ones.
Walk RandomWalk(ToolCallConstraint& constraint, const grammar::TokenTrie& trie, TokenId end_token,
                std::vector<TokenId> forced, uint32_t seed, int max_steps = 400) {
  Walk walk;
  std::mt19937 rng(seed);
  std::vector<uint32_t> mask((static_cast<size_t>(trie.n_vocab()) + 31) / 32);
  for (int step = 0; step < max_steps; ++step) {
    walk.restricted.push_back(constraint.Restricts());
    constraint.FillAllowed(mask);
    std::vector<TokenId> allowed;
    for (TokenId t = 0; t < trie.n_vocab(); ++t) {
      if ((mask[t / 32] >> (t % 32)) & 1u) allowed.push_back(t);
    }
    EXPECT_FALSE(allowed.empty());
    TokenId token;
    if (static_cast<size_t>(step) < forced.size()) {
      token = forced[static_cast<size_t>(step)];
      EXPECT_TRUE((mask[token / 32] >> (token % 32)) & 1u) << "forced token " << token << " at step " << step;
    } else {
      // Free steps would wander forever: end as soon as the end token is allowed.
      const bool can_end = std::find(allowed.begin(), allowed.end(), end_token) != allowed.end();
      token = can_end && constraint.constrained() ? end_token : allowed[rng() % allowed.size()];
      if (!constraint.constrained() && can_end) token = end_token;
    }
    constraint.Accept(token);
    if (token == end_token) {
      walk.ended = true;
      return walk;
    }
    walk.text += trie.bytes(token);
  }
  return walk;
}

struct Fixture {
  explicit Fixture(const ToolCallSyntax& syntax, bool from_trigger, std::vector<TokenId> shown = {})
      : bytes(Vocabulary()), end_token(static_cast<TokenId>(bytes.size() - 1)) {
    for (TokenId id : shown) bytes[static_cast<size_t>(id)] = "[TOOL_CALLS]";
    trie = std::make_shared<const grammar::TokenTrie>(bytes);
    const std::string gbnf =
        ToolCallGbnf(syntax, {{"weather", &kSchema, "tools[0]"}, {"ping", &kNoArguments, "tools[1]"}},
                     {.parallel = true, .from_trigger = from_trigger})
            .value();
    cache = std::make_shared<grammar::TokenMaskCache>(
        grammar::CompiledGrammar::Compile(grammar::ParseGbnf(gbnf).value()).value(), trie);
  }
  TokenId Id(const std::string& piece) const {
    for (size_t i = 256; i < bytes.size(); ++i) {
      if (bytes[i] == piece) return static_cast<TokenId>(i);
    }
    return static_cast<TokenId>(static_cast<unsigned char>(piece[0]));
  }
  std::vector<std::string> bytes;
  TokenId end_token;
  std::shared_ptr<const grammar::TokenTrie> trie;
  std::shared_ptr<grammar::TokenMaskCache> cache;
};

// The calls `text` holds, as parsed, each checked to be a whole valid call.
void ExpectValidCalls(const ToolCallSyntax& syntax, const std::string& text, size_t* n_calls,
                      std::string* content = nullptr) {
  ToolCallParser parser(syntax, false);
  std::vector<ToolCallEvent> events;
  parser.Push(text, &events);
  parser.Finish(&events);
  std::vector<std::string> names, arguments;
  std::string shown;
  for (const ToolCallEvent& event : events) {
    if (event.kind == ToolCallEvent::Kind::kContent) shown += event.text;
    if (event.kind == ToolCallEvent::Kind::kCallBegin) names.push_back(event.text), arguments.emplace_back();
    if (event.kind == ToolCallEvent::Kind::kArguments) arguments.back() += event.text;
  }
  for (size_t i = 0; i < names.size(); ++i) {
    EXPECT_TRUE(names[i] == "weather" || names[i] == "ping") << names[i];
    const json::value parsed = json::parse(arguments[i]);
    ASSERT_TRUE(parsed.is_object()) << arguments[i];
    if (names[i] == "weather") {
      EXPECT_TRUE(parsed.as_object().at("city").is_string()) << arguments[i];
      EXPECT_TRUE(parsed.as_object().at("hot").is_bool()) << arguments[i];
    }
  }
  *n_calls = names.size();
  if (content != nullptr) *content = shown;
}

TEST(ToolCallConstraintTest, RequiredOutputIsCallsFromTheFirstTokenToACompleteEnd) {
  const ToolCallSyntax syntax = HermesSyntax();
  Fixture fixture(syntax, /*from_trigger=*/true);
  for (uint32_t seed = 0; seed < 20; ++seed) {
    ToolCallConstraint constraint(syntax, ToolCallConstraint::Mode::kRequired, false, fixture.cache,
                                  {fixture.end_token});
    const Walk walk = RandomWalk(constraint, *fixture.trie, fixture.end_token, {}, seed, 2000);
    ASSERT_TRUE(walk.ended) << walk.text;
    EXPECT_TRUE(walk.restricted.front());
    size_t n_calls = 0;
    std::string content;
    ExpectValidCalls(syntax, walk.text, &n_calls, &content);
    EXPECT_GE(n_calls, 1u) << walk.text;
    EXPECT_EQ(content, "") << walk.text;
  }
}

TEST(ToolCallConstraintTest, AutoOutputIsFreeUntilTheTriggerAndACallAfterIt) {
  const ToolCallSyntax syntax = HermesSyntax();
  Fixture fixture(syntax, /*from_trigger=*/false);
  for (uint32_t seed = 0; seed < 10; ++seed) {
    ToolCallConstraint constraint(syntax, ToolCallConstraint::Mode::kAuto, false, fixture.cache,
                                  {fixture.end_token});
    // "ok <tool_call>": byte tokens for the start of the trigger, then (every
    // other seed) one token that ends it and goes on into the call.
    std::vector<TokenId> forced = {fixture.Id("o"), fixture.Id("k"), fixture.Id(" "), fixture.Id("<"),
                                   fixture.Id("t"), fixture.Id("o"), fixture.Id("o"), fixture.Id("l")};
    if (seed % 2 == 0) {
      forced.push_back(fixture.Id("_call>\n{\"name\": \""));
    } else {
      for (char c : std::string("_call>")) forced.push_back(fixture.Id(std::string(1, c)));
    }
    const Walk walk = RandomWalk(constraint, *fixture.trie, fixture.end_token, forced, seed, 2000);
    ASSERT_TRUE(walk.ended) << walk.text;
    EXPECT_FALSE(walk.restricted[forced.size() - 1]) << "free until the trigger is whole";
    EXPECT_TRUE(walk.restricted[forced.size()]) << "constrained right after it";
    size_t n_calls = 0;
    std::string content;
    ExpectValidCalls(syntax, walk.text, &n_calls, &content);
    EXPECT_GE(n_calls, 1u) << walk.text;
    EXPECT_EQ(content, "ok ");
  }
}

TEST(ToolCallConstraintTest, AThinkBlockTheTemplateOpenedStaysFree) {
  const ToolCallSyntax syntax = HermesSyntax();
  Fixture fixture(syntax, /*from_trigger=*/true);
  ToolCallConstraint constraint(syntax, ToolCallConstraint::Mode::kRequired, /*in_think=*/true, fixture.cache,
                                {fixture.end_token});
  const std::vector<TokenId> forced = {fixture.Id("h"), fixture.Id("m"), fixture.Id("</think>")};
  const Walk walk = RandomWalk(constraint, *fixture.trie, fixture.end_token, forced, 7, 2000);
  ASSERT_TRUE(walk.ended);
  EXPECT_FALSE(walk.restricted[2]);
  EXPECT_TRUE(walk.restricted[3]);
  ASSERT_EQ(walk.text.substr(0, 10), "hm</think>");
  size_t n_calls = 0;
  ToolCallParser check(syntax, true);
  std::vector<ToolCallEvent> events;
  check.Push(walk.text, &events);
  check.Finish(&events);
  for (const ToolCallEvent& event : events) n_calls += event.kind == ToolCallEvent::Kind::kCallBegin;
  EXPECT_GE(n_calls, 1u) << walk.text;
}

TEST(ToolCallConstraintTest, AControlTokenMarkerCountsByItsText) {
  const ToolCallSyntax syntax = DetectToolCallSyntax("[TOOL_CALLS]").value();
  Fixture fixture(syntax, /*from_trigger=*/false);
  ToolCallConstraint constraint(syntax, ToolCallConstraint::Mode::kAuto, false, fixture.cache, {fixture.end_token});
  const Walk walk =
      RandomWalk(constraint, *fixture.trie, fixture.end_token, {fixture.Id("[TOOL_CALLS]")}, 3, 2000);
  ASSERT_TRUE(walk.ended);
  EXPECT_TRUE(walk.restricted[1]);
  size_t n_calls = 0;
  ExpectValidCalls(syntax, walk.text, &n_calls);
  EXPECT_GE(n_calls, 1u) << walk.text;
}

}  // namespace
}  // namespace fab::toolcall
