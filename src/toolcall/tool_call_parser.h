// ToolCallParser: a model's output, streamed in pieces, split into the text
// a client shows (content) and the tool calls of a region written in a
// family's syntax (tool_call_syntax.h), as the OpenAI stream carries them:
// a call's name once it and the text after it are whole, then its
// arguments in fragments.
// - Text that may be the start of the trigger is held back until it is
//   known not to be (so content never shows part of a marker).
// - A <think> block (opened by the template, or at the very start of the
//   output) is content, and a trigger inside it does not count.
// - Text after the region is content. A region that stops fitting the
//   syntax (possible only in unconstrained output) ends there: the text
//   from its trigger on becomes content, calls already announced stay.
// The parser does not check names or arguments: the grammar that
// constrained the output did. One per choice; not thread-safe.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "toolcall/tool_call_syntax.h"

namespace fab::toolcall {

struct ToolCallEvent {
  enum class Kind {
    kContent,    // text: content to show
    kCallBegin,  // text: the call's name; call: its index (0, 1, …)
    kArguments,  // text: the next fragment of call `call`'s arguments JSON
  };
  Kind kind = Kind::kContent;
  size_t call = 0;
  std::string text;
};

class ToolCallParser {
 public:
  // `in_think`: the prompt ends inside an open <think> block.
  ToolCallParser(ToolCallSyntax syntax, bool in_think);

  // Appends the events `text` completes to *events.
  void Push(std::string_view text, std::vector<ToolCallEvent>* events);
  // The output ended: whatever was held back, as content (an unfinished
  // call stays as far as it was announced).
  void Finish(std::vector<ToolCallEvent>* events);

  // Byte offset in the output where the region's trigger starts, once seen.
  std::optional<size_t> region_start() const { return region_start_; }
  // Byte offset just past the </think> that ended a think block, once seen.
  std::optional<size_t> think_end() const { return think_end_; }
  bool in_think() const { return state_ == State::kThink; }
  size_t n_calls() const { return n_calls_; }

 private:
  enum class State { kThink, kFree, kLiteral, kName, kArguments, kBetween, kAfter };

  // Consumes what it can of pending_; false when it needs more text.
  bool Step(std::vector<ToolCallEvent>* events, bool at_end);
  bool StepFree(std::vector<ToolCallEvent>* events, bool at_end);
  bool StepThink(std::vector<ToolCallEvent>* events, bool at_end);
  bool StepLiteral(std::vector<ToolCallEvent>* events, bool at_end);
  bool StepName(std::vector<ToolCallEvent>* events, bool at_end);
  bool StepArguments(std::vector<ToolCallEvent>* events);
  bool StepBetween(std::vector<ToolCallEvent>* events, bool at_end);
  // Emits n bytes of pending_ as content and drops them.
  void EmitContent(size_t n, std::vector<ToolCallEvent>* events);
  // Drops n bytes of pending_ that belong to the region.
  void TakeRegion(size_t n);
  // The region does not fit the syntax: its text so far becomes content.
  void Abandon(std::vector<ToolCallEvent>* events);

  const ToolCallSyntax syntax_;
  State state_;
  std::string pending_;         // received, not yet consumed
  size_t n_consumed_ = 0;       // bytes of output consumed before pending_
  bool seen_text_ = false;      // non-white-space content went out (trigger_only_first)
  std::optional<size_t> region_start_;
  std::optional<size_t> think_end_;
  std::string region_text_;     // the region's text so far (for Abandon)
  std::string literal_;         // kLiteral: what must come next
  State after_literal_ = State::kName;
  std::string name_;            // kName: the name so far
  size_t n_calls_ = 0;
  // kArguments: a JSON value scanner.
  bool value_started_ = false;
  bool in_string_ = false;
  bool escaped_ = false;
  bool scalar_ = false;
  int depth_ = 0;
};

}  // namespace fab::toolcall
