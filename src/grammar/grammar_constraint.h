// GrammarConstraint: a TokenConstraint (request/token_constraint.h) that
// keeps a request's output inside a grammar. Tokens are allowed when their
// bytes (the detokenized text the client sees) continue the grammar; the
// end-of-generation tokens are allowed once the grammar is complete, and
// they are all that is allowed when it cannot continue, so the request ends
// with finish_reason "stop" right after a complete sentence. Should no token
// fit an incomplete grammar (a vocabulary without the bytes it needs), the
// end tokens are allowed so the request ends rather than hangs; incomplete()
// then says so. One per request; the mask cache is shared.
#pragma once

#include <memory>
#include <vector>

#include "grammar/mask_cache.h"
#include "grammar/matcher.h"
#include "request/token_constraint.h"

namespace fab::grammar {

class GrammarConstraint final : public TokenConstraint {
 public:
  // `end_tokens`: the vocabulary's end-of-generation ids.
  GrammarConstraint(std::shared_ptr<TokenMaskCache> cache, std::vector<TokenId> end_tokens);

  void FillAllowed(std::span<uint32_t> allowed) override;
  void Accept(TokenId token) override;

  // Feeds text written before this constraint took over (the part of a
  // token past a trigger). False, changing nothing, when it does not fit.
  bool AcceptText(std::string_view text) { return matcher_.AcceptBytes(text); }
  // The bytes so far are a whole sentence of the grammar.
  bool complete() const { return matcher_.IsComplete(); }

 private:
  std::shared_ptr<TokenMaskCache> cache_;
  std::vector<TokenId> end_tokens_;
  GrammarMatcher matcher_;
};

}  // namespace fab::grammar
