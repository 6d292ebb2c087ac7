#include "grammar/mask_cache.h"

namespace fab::grammar {

size_t ContextKeyHash::operator()(const ContextKey& key) const {
  uint64_t h = 0x9E3779B97F4A7C15ull ^ (static_cast<uint64_t>(key.depth) << 1) ^ key.at_root;
  for (int i = 0; i < key.depth; ++i) h = (h ^ key.positions[static_cast<size_t>(i)]) * 0x100000001B3ull;
  return static_cast<size_t>(h ^ (h >> 29));
}

TokenMaskCache::TokenMaskCache(std::shared_ptr<const CompiledGrammar> grammar, std::shared_ptr<const TokenTrie> trie)
    : grammar_(std::move(grammar)), trie_(std::move(trie)), scratch_(grammar_) {}

const TokenClasses& TokenMaskCache::ClassesFor(const ContextKey& context) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto found = classes_.find(context);
  if (found != classes_.end()) return *found->second;
  auto classes = std::make_unique<TokenClasses>();
  scratch_.ClassifyTokens(context, *trie_, classes.get());
  return *classes_.emplace(context, std::move(classes)).first->second;
}

size_t TokenMaskCache::n_contexts() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return classes_.size();
}

}  // namespace fab::grammar
