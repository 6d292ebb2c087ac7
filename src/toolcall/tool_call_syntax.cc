#include "toolcall/tool_call_syntax.h"

namespace fab::toolcall {
namespace {

bool Has(std::string_view text, std::string_view part) { return text.find(part) != std::string_view::npos; }

ToolCallSyntax Llama3Syntax() {
  return {.family = "llama3",
          .trigger = "{\"name\": \"",
          .trigger_only_first = true,
          .call_open = "{\"name\": \"",
          .name_close = "\", \"parameters\": ",
          .call_close = "}",
          .max_calls = 1};  // the template raises "only supports single tool-calls at once"
}

ToolCallSyntax MistralSyntax() {
  return {.family = "mistral",
          .trigger = "[TOOL_CALLS]",
          .open = "[TOOL_CALLS][",
          .call_open = "{\"name\": \"",
          .name_close = "\", \"arguments\": ",
          .call_close = "}",
          .separator = ", ",
          .close = "]",
          .control_texts = {"[TOOL_CALLS]"},
          .nine_character_ids = true};
}

ToolCallSyntax DeepSeekV3Syntax() {
  return {.family = "deepseek3",
          .trigger = "<｜tool▁calls▁begin｜>",
          .open = "<｜tool▁calls▁begin｜>",
          .call_open = "<｜tool▁call▁begin｜>function<｜tool▁sep｜>",
          .name_close = "\n```json\n",
          .call_close = "\n```<｜tool▁call▁end｜>",
          .separator = "\n",
          .close = "<｜tool▁calls▁end｜>",
          .template_wants_argument_string = true,
          .null_content_as_text = false};
}

}  // namespace

ToolCallSyntax HermesSyntax() {
  return {.family = "hermes",
          .trigger = "<tool_call>",
          .call_open = "<tool_call>\n{\"name\": \"",
          .name_close = "\", \"arguments\": ",
          .call_close = "}\n</tool_call>",
          .separator = "\n"};
}

std::optional<ToolCallSyntax> DetectToolCallSyntax(std::string_view chat_template) {
  if (Has(chat_template, "<tool_call>")) return HermesSyntax();
  if (Has(chat_template, "[TOOL_CALLS]")) return MistralSyntax();
  if (Has(chat_template, "<｜tool▁calls▁begin｜>")) return DeepSeekV3Syntax();
  if (Has(chat_template, "<|start_header_id|>") && Has(chat_template, "\"parameters\": ")) return Llama3Syntax();
  return std::nullopt;
}

}  // namespace fab::toolcall
