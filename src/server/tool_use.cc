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

}  // namespace

ApiResult<std::optional<ToolUse>> PlanToolUse(const ChatRequest& chat, const HandlerContext& context,
                                              std::span<const TokenId> prompt) {
  const bool has_tools = chat.tools.is_array() && !chat.tools.as_array().empty();
  if (!has_tools || chat.tool_choice.kind == ToolChoice::Kind::kNone) return std::optional<ToolUse>();
  const bool required = chat.tool_choice.kind != ToolChoice::Kind::kAuto;
  if (!required && !context.tool_syntax) return std::optional<ToolUse>();
  // response_format's JSON answer becomes the alternative to calls (under
  // "auto"); a turn that must call has no answer for it to shape.
  json::value answer;
  if (const std::optional<GrammarSpec>& format = chat.sampling.grammar) {
    if (format->kind == GrammarSpec::Kind::kJsonObject) {
      answer = json::object{{"type", "object"}};
    } else if (format->kind == GrammarSpec::Kind::kJsonSchema) {
      answer = json::parse(format->text);  // serialized by the request parser: valid JSON
    } else {
      return InvalidFieldError(format->field, "'" + format->field +
                                                  "' cannot be combined with 'tools' (response_format can, and "
                                                  "tool_choice \"none\" leaves tools out)");
    }
  }
  ToolUse use;
  use.syntax = context.tool_syntax ? *context.tool_syntax : toolcall::HermesSyntax();
  use.mode = required ? toolcall::ToolCallConstraint::Mode::kRequired : toolcall::ToolCallConstraint::Mode::kAuto;
  use.in_think = EndsInThink(context.tokenizer(), prompt);
  // The hermes fallback writes no control tokens.
  if (context.tool_syntax) use.shown_control_tokens = context.tool_control_tokens;

  std::vector<toolcall::ToolSchema> schemas;
  const json::array& tools = chat.tools.as_array();
  for (size_t i = 0; i < tools.size(); ++i) {
    const json::object& function = tools[i].as_object().at("function").as_object();
    std::string name(function.at("name").as_string());
    if (chat.tool_choice.kind == ToolChoice::Kind::kNamed && name != chat.tool_choice.name) continue;
    schemas.push_back(toolcall::ToolSchema{std::move(name), function.if_contains("parameters"),
                                           "tools[" + std::to_string(i) + "].function.parameters"});
  }
  toolcall::ToolGrammarOptions options{.parallel = chat.parallel_tool_calls, .from_trigger = required};
  if (!required && !answer.is_null()) {
    // Calls or the answer, constrained from the first token.
    options.from_trigger = true;
    options.answer = &answer;
    options.answer_where = chat.sampling.grammar->field;
    use.mode = toolcall::ToolCallConstraint::Mode::kRequired;
  }
  StatusOr<std::string> gbnf = toolcall::ToolCallGbnf(use.syntax, schemas, options);
  if (!gbnf.ok()) {
    const bool answer_refused = options.answer != nullptr &&
                                gbnf.status().message().rfind(options.answer_where + ":", 0) == 0;
    return InvalidFieldError(answer_refused ? options.answer_where : "tools", gbnf.status().message());
  }
  GrammarSpec spec{GrammarSpec::Kind::kGbnf, std::move(gbnf).value(), "tools", use.shown_control_tokens};
  StatusOr<std::shared_ptr<grammar::TokenMaskCache>> cache = context.grammars->Get(spec);
  if (!cache.ok()) return InvalidFieldError("tools", cache.status().message());
  use.grammar = std::move(cache).value();
  return std::optional<ToolUse>(std::move(use));
}

}  // namespace fab::server
