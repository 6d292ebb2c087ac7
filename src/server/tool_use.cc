#include "server/tool_use.h"

#include <algorithm>
#include <string>

#include "toolcall/tool_call_grammar.h"

namespace fab::server {
namespace {

namespace json = boost::json;

// The prompt ends inside a think block: its last "<think>" is not closed.
bool EndsInThink(const Tokenizer& tokenizer, std::span<const TokenId> prompt) {
  constexpr size_t kTail = 32;
  const std::span<const TokenId> tail = prompt.subspan(prompt.size() - std::min(prompt.size(), kTail));
  const std::string text = tokenizer.Decode(tail);
  const size_t open = text.rfind("<think>");
  return open != std::string::npos && text.find("</think>", open) == std::string::npos;
}

// The ids of the control tokens whose texts the syntax writes, where the
// vocabulary has each as one control token.
std::vector<TokenId> ControlTokens(const Tokenizer& tokenizer, const std::vector<std::string>& texts) {
  std::vector<TokenId> ids;
  for (const std::string& text : texts) {
    StatusOr<std::vector<TokenId>> encoded = tokenizer.Encode(text, EncodeOptions{.parse_special = true});
    if (encoded.ok() && encoded->size() == 1 && tokenizer.TokenBytes(encoded->front()).empty()) {
      ids.push_back(encoded->front());
    }
  }
  std::sort(ids.begin(), ids.end());
  return ids;
}

}  // namespace

ApiResult<std::optional<ToolUse>> PlanToolUse(const ChatRequest& chat, const HandlerContext& context,
                                              std::span<const TokenId> prompt) {
  const bool has_tools = chat.tools.is_array() && !chat.tools.as_array().empty();
  if (!has_tools || chat.tool_choice.kind == ToolChoice::Kind::kNone) return std::optional<ToolUse>();
  const bool required = chat.tool_choice.kind != ToolChoice::Kind::kAuto;
  if (!required && !context.tool_syntax) return std::optional<ToolUse>();
  if (chat.sampling.grammar) {
    return InvalidFieldError(chat.sampling.grammar->field,
                             "'" + chat.sampling.grammar->field +
                                 "' cannot be combined with 'tools' (unless tool_choice is \"none\")");
  }
  ToolUse use;
  use.syntax = context.tool_syntax ? *context.tool_syntax : toolcall::HermesSyntax();
  use.mode = required ? toolcall::ToolCallConstraint::Mode::kRequired : toolcall::ToolCallConstraint::Mode::kAuto;
  use.in_think = EndsInThink(context.tokenizer(), prompt);
  use.shown_control_tokens = ControlTokens(context.tokenizer(), use.syntax.control_texts);

  std::vector<toolcall::ToolSchema> schemas;
  const json::array& tools = chat.tools.as_array();
  for (size_t i = 0; i < tools.size(); ++i) {
    const json::object& function = tools[i].as_object().at("function").as_object();
    std::string name(function.at("name").as_string());
    if (chat.tool_choice.kind == ToolChoice::Kind::kNamed && name != chat.tool_choice.name) continue;
    schemas.push_back(toolcall::ToolSchema{std::move(name), function.if_contains("parameters"),
                                           "tools[" + std::to_string(i) + "].function.parameters"});
  }
  StatusOr<std::string> gbnf = toolcall::ToolCallGbnf(
      use.syntax, schemas, toolcall::ToolGrammarOptions{.parallel = chat.parallel_tool_calls, .from_trigger = required});
  if (!gbnf.ok()) return InvalidFieldError("tools", gbnf.status().message());
  GrammarSpec spec{GrammarSpec::Kind::kGbnf, std::move(gbnf).value(), "tools", use.shown_control_tokens};
  StatusOr<std::shared_ptr<grammar::TokenMaskCache>> cache = context.grammars->Get(spec);
  if (!cache.ok()) return InvalidFieldError("tools", cache.status().message());
  use.grammar = std::move(cache).value();
  return std::optional<ToolUse>(std::move(use));
}

}  // namespace fab::server
