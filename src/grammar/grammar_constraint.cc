#include "grammar/grammar_constraint.h"

#include <algorithm>

#include "base/check.h"

namespace fab::grammar {

GrammarConstraint::GrammarConstraint(std::shared_ptr<TokenMaskCache> cache, std::vector<TokenId> end_tokens)
    : cache_(std::move(cache)), end_tokens_(std::move(end_tokens)), matcher_(cache_->grammar()) {}

void GrammarConstraint::FillAllowed(std::span<uint32_t> allowed) {
  bool any = false;
  if (matcher_.CanContinue()) {
    matcher_.FillTokenMask(*cache_, allowed);
    any = std::any_of(allowed.begin(), allowed.end(), [](uint32_t word) { return word != 0; });
  } else {
    std::fill(allowed.begin(), allowed.end(), 0u);
  }
  if (matcher_.IsComplete() || !any) {
    for (TokenId token : end_tokens_) allowed[static_cast<size_t>(token) / 32] |= 1u << (token % 32);
  }
}

void GrammarConstraint::Accept(TokenId token) {
  if (std::find(end_tokens_.begin(), end_tokens_.end(), token) != end_tokens_.end()) return;
  const bool fits = matcher_.AcceptBytes(cache_->trie().bytes(token));
  FAB_CHECK(fits) << "token " << token << " was sampled outside the grammar's mask";
}

}  // namespace fab::grammar
