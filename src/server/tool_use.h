// ToolUse: what a chat request's `tools` and `tool_choice` ask of
// generation, resolved against the served model's tool-call syntax:
//   - no tools, or tool_choice "none": nothing (tools still reach the template);
//   - "auto": a lazy grammar after the family's trigger, when the template
//     has a format (without one, output is not parsed for calls);
//   - "required" or a named function: the region of calls from the first
//     token (the hermes syntax when the template has none), arguments
//     constrained by each offered tool's parameters schema.
// parallel_tool_calls false allows one call. With response_format
// (json_schema or json_object) under "auto", the output is constrained from
// the first token to either the calls or a JSON answer that fits it (as an
// agent with an output type asks); under "required" the turn is calls only.
// The grammar is compiled once per distinct tool set (GrammarLibrary). Pure
// apart from the library; thread-safe.
#pragma once

#include <memory>
#include <optional>
#include <span>
#include <vector>

#include "grammar/mask_cache.h"
#include "server/api_result.h"
#include "server/chat_request.h"
#include "server/handler_context.h"
#include "toolcall/tool_call_constraint.h"
#include "toolcall/tool_call_syntax.h"

namespace fab::server {

struct ToolUse {
  toolcall::ToolCallSyntax syntax;
  toolcall::ToolCallConstraint::Mode mode = toolcall::ToolCallConstraint::Mode::kAuto;
  bool in_think = false;  // the prompt ends inside a <think> block the template opened
  std::shared_ptr<grammar::TokenMaskCache> grammar;
  std::vector<TokenId> shown_control_tokens;  // the syntax's control tokens in this vocabulary
};

// nullopt when the request makes no tool calls; 400 naming the field when a
// tool's parameters schema (or response_format's) is refused, or when tools
// come with grammar, regex or guided_choice (not supported together).
ApiResult<std::optional<ToolUse>> PlanToolUse(const ChatRequest& chat, const HandlerContext& context,
                                              std::span<const TokenId> prompt);

}  // namespace fab::server
