// Token masks: the trie holds every token with bytes, and FillTokenMask
// allows exactly the tokens whose bytes the grammar can take next, checked
// against feeding each token's bytes to a copy of the matcher, along random
// constrained generations (a small vocabulary with partial UTF-8 pieces, and
// the Llama-2 vocabulary from ../shared when it is present).
#include <gtest/gtest.h>

#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "gguf/gguf_file.h"
#include "grammar/gbnf.h"
#include "grammar/mask_cache.h"
#include "grammar/matcher.h"
#include "grammar/matcher_for.h"
#include "grammar/token_trie.h"
#include "tokenizer/tokenizer.h"

namespace fab::grammar {
namespace {

constexpr std::string_view kJsonObject = R"(root ::= "{" ws (pair ("," ws pair)*)? "}"
pair ::= string ":" ws value ws
value ::= string | number | "true" | "false" | "null" | "[" ws (value ("," ws value)*)? "]"
string ::= "\"" ([^"\\] | "\\" ["\\n])* "\""
number ::= "-"? [0-9]+ ("." [0-9]+)?
ws ::= [ \n]{0,2}
)";

bool Allowed(const std::vector<uint32_t>& mask, int32_t token) { return (mask[token / 32] >> (token % 32)) & 1u; }

// Walks `steps` tokens, each time checking the mask (from the trie walk, and
// from the cache, which must agree bit for bit) token by token against a
// copy of the matcher, then taking a random allowed token.
void ExpectMasksMatchBruteForce(GrammarMatcher matcher, const std::vector<std::string>& bytes, int steps,
                                uint32_t seed, std::string_view gbnf) {
  const auto trie = std::make_shared<const TokenTrie>(bytes);
  auto compiled = CompiledGrammar::Compile(ParseGbnf(gbnf).value()).value();
  TokenMaskCache cache(compiled, trie);
  std::vector<uint32_t> mask((bytes.size() + 31) / 32), cached(mask.size());
  std::mt19937 rng(seed);
  for (int step = 0; step < steps; ++step) {
    matcher.FillTokenMask(*trie, mask);
    matcher.FillTokenMask(cache, cached);
    ASSERT_EQ(cached, mask) << "step " << step;
    std::vector<int32_t> allowed;
    for (int32_t t = 0; t < static_cast<int32_t>(bytes.size()); ++t) {
      GrammarMatcher copy = matcher;
      const bool fits = !bytes[static_cast<size_t>(t)].empty() && copy.AcceptBytes(bytes[static_cast<size_t>(t)]);
      ASSERT_EQ(Allowed(mask, t), fits) << "step " << step << " token " << t << " '" << bytes[static_cast<size_t>(t)]
                                        << "'";
      if (fits) allowed.push_back(t);
    }
    if (allowed.empty()) {
      EXPECT_TRUE(matcher.IsComplete()) << "a grammar that cannot continue must be complete";
      return;
    }
    const int32_t pick = allowed[rng() % allowed.size()];
    ASSERT_TRUE(matcher.AcceptBytes(bytes[static_cast<size_t>(pick)]));
  }
}

TEST(TokenTrie, HoldsEveryTokenWithBytesOnceAndLeavesOutEmptyOnes) {
  const TokenTrie trie({"ab", "", "a", "ab", "b", "abc"});
  EXPECT_EQ(trie.n_vocab(), 6);
  std::vector<int32_t> seen;
  std::vector<std::pair<uint32_t, std::string>> stack = {{0, ""}};
  while (!stack.empty()) {
    auto [index, prefix] = stack.back();
    stack.pop_back();
    const TokenTrie::Node& node = trie.node(index);
    for (int32_t token : trie.tokens_at(node)) seen.push_back(token);
    for (uint32_t c = 0; c < node.n_children; ++c) {
      stack.push_back({node.first_child + c, prefix + static_cast<char>(trie.node(node.first_child + c).byte)});
    }
  }
  std::sort(seen.begin(), seen.end());
  EXPECT_EQ(seen, (std::vector<int32_t>{0, 2, 3, 4, 5}));
  EXPECT_EQ(trie.n_nodes(), 5u);  // root, a, ab, abc, b
}

TEST(TokenMask, AllowsExactlyTheTokensTheGrammarCanTakeOnASmallVocabulary) {
  std::vector<std::string> vocab;
  for (int c = 0x20; c < 0x7F; ++c) vocab.emplace_back(1, static_cast<char>(c));
  for (const char* piece : {"{\"", "\":", "\": ", "true", "null", "false", "123", " \"", ",\"", "\"}", "\\n", "\\\"",
                            "é", "\xC3", "\xA9", "한", "국어", "\xED\x95", "\n", "\n\n", "}}", "[1", ", ", "\"\"", ""}) {
    vocab.emplace_back(piece);
  }
  vocab.emplace_back("null");  // the same bytes twice
  for (uint32_t seed = 1; seed <= 20; ++seed) {
    ExpectMasksMatchBruteForce(MatcherFor(kJsonObject), vocab, 60, seed, kJsonObject);
  }
}

TEST(TokenMask, AllowsExactlyTheTokensTheGrammarCanTakeOnTheLlama2Vocabulary) {
  const std::filesystem::path path = std::filesystem::path(FAB_SHARED_DIR) / "models" / "llama-2-tiny-random.gguf";
  if (!std::filesystem::exists(path)) GTEST_SKIP() << "needs " << path << " (../shared is absent)";
  auto gguf = GgufFile::Open(path.string());
  ASSERT_TRUE(gguf.ok());
  auto tokenizer = Tokenizer::FromGguf(*gguf);
  ASSERT_TRUE(tokenizer.ok()) << tokenizer.status().ToString();
  std::vector<std::string> bytes;
  for (TokenId id = 0; id < (*tokenizer)->n_vocab(); ++id) bytes.push_back((*tokenizer)->TokenBytes(id));
  ExpectMasksMatchBruteForce(MatcherFor(kJsonObject), bytes, 12, 7, kJsonObject);
}

}  // namespace
}  // namespace fab::grammar
