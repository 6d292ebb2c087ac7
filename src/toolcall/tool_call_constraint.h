// ToolCallConstraint: the TokenConstraint (request/token_constraint.h) of a
// chat request that offers tools. The grammar is a region of calls in the
// family's syntax (tool_call_grammar.h); when it applies depends on the mode:
//   kAuto      free output until the family's trigger appears (outside a
//              think block); from there on the rest of the region is
//              constrained: a lazy grammar, as llama.cpp's.
//   kRequired  the region from the first token (tool_choice "required" or a
//              named function): output is calls and nothing else.
// A think block that the template opened (`in_think`) stays free in both
// modes; the grammar starts after its </think>. Token bytes come from the
// grammar's trie, which shows the syntax's control tokens by their text.
// Once the grammar is complete only end-of-generation tokens are allowed.
// One per request; called on the engine's step thread only.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "grammar/grammar_constraint.h"
#include "grammar/mask_cache.h"
#include "request/token_constraint.h"
#include "toolcall/tool_call_parser.h"
#include "toolcall/tool_call_syntax.h"

namespace fab::toolcall {

class ToolCallConstraint final : public TokenConstraint {
 public:
  enum class Mode { kAuto, kRequired };

  // `region`: kAuto, the grammar of what follows the trigger
  // (ToolGrammarOptions::from_trigger false); kRequired, of the whole region.
  ToolCallConstraint(const ToolCallSyntax& syntax, Mode mode, bool in_think,
                     std::shared_ptr<grammar::TokenMaskCache> region, std::vector<TokenId> end_tokens);

  bool Restricts() const override { return grammar_.has_value(); }
  void FillAllowed(std::span<uint32_t> allowed) override;
  void Accept(TokenId token) override;

  // The grammar has taken over (the region began).
  bool constrained() const { return grammar_.has_value(); }

 private:
  // Starts the grammar; `written` is what the output already holds of its text.
  void StartGrammar(std::string_view written);

  const Mode mode_;
  const size_t trigger_size_;
  std::shared_ptr<grammar::TokenMaskCache> region_;
  std::vector<TokenId> end_tokens_;
  ToolCallParser parser_;  // finds the trigger and the think block; its events are dropped
  std::string text_;       // the output so far, until the grammar starts
  std::vector<ToolCallEvent> scratch_;
  std::optional<grammar::GrammarConstraint> grammar_;
};

}  // namespace fab::toolcall
