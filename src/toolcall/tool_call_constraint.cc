#include "toolcall/tool_call_constraint.h"

#include <algorithm>

namespace fab::toolcall {

ToolCallConstraint::ToolCallConstraint(const ToolCallSyntax& syntax, Mode mode, bool in_think,
                                       std::shared_ptr<grammar::TokenMaskCache> region,
                                       std::vector<TokenId> end_tokens)
    : mode_(mode),
      trigger_size_(syntax.trigger.size()),
      region_(std::move(region)),
      end_tokens_(std::move(end_tokens)),
      parser_(syntax, in_think) {
  if (mode_ == Mode::kRequired && !in_think) StartGrammar("");
}

void ToolCallConstraint::FillAllowed(std::span<uint32_t> allowed) {
  if (grammar_) {
    grammar_->FillAllowed(allowed);
  } else {
    std::fill(allowed.begin(), allowed.end(), ~0u);
  }
}

void ToolCallConstraint::Accept(TokenId token) {
  if (grammar_) {
    grammar_->Accept(token);
    return;
  }
  if (std::find(end_tokens_.begin(), end_tokens_.end(), token) != end_tokens_.end()) return;
  const std::string& bytes = region_->trie().bytes(token);
  text_ += bytes;
  scratch_.clear();
  parser_.Push(bytes, &scratch_);
  if (mode_ == Mode::kRequired) {
    if (const std::optional<size_t> end = parser_.think_end()) StartGrammar(std::string_view(text_).substr(*end));
  } else if (const std::optional<size_t> start = parser_.region_start()) {
    StartGrammar(std::string_view(text_).substr(*start + trigger_size_));
  }
}

void ToolCallConstraint::StartGrammar(std::string_view written) {
  grammar_.emplace(region_, end_tokens_);
  // Bytes of the last token past the trigger (or the think block) that do not
  // fit are left to the parser to show as content; the grammar starts after them.
  (void)grammar_->AcceptText(written);
  text_.clear();
  text_.shrink_to_fit();
}

}  // namespace fab::toolcall
