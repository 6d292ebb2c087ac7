// TokenMaskCache: what makes token masks fast (the adaptive cache of
// XGrammar, over our stack graph). Most tokens are accepted or refused by the
// top few frames of a stack alone: inside a JSON string, every token without
// a quote or backslash fits whatever the string is part of. So for each
// stack context (the top's position and up to kContextDepth - 1 positions
// under it) the cache classifies every token once, walking the trie from
// that context with a boundary below it:
//   accepted   its bytes fit without leaving the context: fits in any stack;
//   uncertain  its bytes leave the context with bytes to spare: the
//              matcher checks these against its real stacks;
//   the rest   refused whatever lies below.
// A mask is then the union of its tops' accepted sets plus the uncertain
// tokens that pass the real check. One cache per (grammar, vocabulary),
// shared by every sequence that uses them; thread-safe.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <mutex>
#include <unordered_map>
#include <vector>

#include "grammar/matcher.h"
#include "grammar/token_trie.h"

namespace fab::grammar {

inline constexpr int kContextDepth = 4;

struct ContextKey {
  std::array<uint32_t, kContextDepth> positions{};  // top first
  uint8_t depth = 0;                                // positions used
  bool at_root = false;                             // nothing lies under the last one

  bool operator==(const ContextKey&) const = default;
};

struct ContextKeyHash {
  size_t operator()(const ContextKey& key) const;
};

struct TokenClasses {
  std::vector<uint32_t> accepted;  // token bitmask, as FillTokenMask's
  std::vector<int32_t> uncertain;  // in byte order (TokenTrie::rank)
};

class TokenMaskCache {
 public:
  TokenMaskCache(std::shared_ptr<const CompiledGrammar> grammar, std::shared_ptr<const TokenTrie> trie);

  const TokenTrie& trie() const { return *trie_; }
  const std::shared_ptr<const CompiledGrammar>& grammar() const { return grammar_; }

  // The classes of every token in `context`, computed on first use. The
  // reference stays valid as long as the cache.
  const TokenClasses& ClassesFor(const ContextKey& context);
  size_t n_contexts() const;

 private:
  std::shared_ptr<const CompiledGrammar> grammar_;
  std::shared_ptr<const TokenTrie> trie_;
  mutable std::mutex mutex_;
  std::unordered_map<ContextKey, std::unique_ptr<TokenClasses>, ContextKeyHash> classes_;
  GrammarMatcher scratch_;  // classifies, under mutex_
};

}  // namespace fab::grammar
