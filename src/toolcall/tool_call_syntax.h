// ToolCallSyntax: how one model family writes tool calls, read from its chat
// template's own format, so that output can be constrained to it and parsed
// back into OpenAI tool_calls. A region of calls is written as
//   open call_open NAME name_close ARGS call_close
//        ( separator call_open NAME name_close ARGS call_close )* close
// where NAME is a tool's name and ARGS its arguments as JSON. The region
// starts with `trigger` (a prefix of open + call_open): in free output,
// that text is what says "calls follow".
// Families (DetectToolCallSyntax):
//   hermes     Qwen 2.5/3, Hermes 2/3: <tool_call>\n{"name": …, "arguments": …}\n</tool_call>
//   llama3     Llama 3.1/3.2/3.3 JSON: {"name": …, "parameters": …}, one call per turn
//   mistral    [TOOL_CALLS][{"name": …, "arguments": …}, …] ([TOOL_CALLS] is a control token)
//   deepseek3  DeepSeek V3: <｜tool▁calls▁begin｜><｜tool▁call▁begin｜>function<｜tool▁sep｜>NAME
//              \n```json\nARGS\n```<｜tool▁call▁end｜>…<｜tool▁calls▁end｜>
// Plain data; thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace fab::toolcall {

struct ToolCallSyntax {
  std::string family = {};  // "hermes", "llama3", "mistral", "deepseek3"
  std::string trigger = {};  // opens the region in free output
  bool trigger_only_first = false;  // the trigger counts only before any other text (llama3)
  std::string open = {};
  std::string call_open = {};
  std::string name_close = {};
  std::string call_close = {};
  std::string separator = {};
  std::string close = {};
  int max_calls = 0;       // calls one turn may hold (0: any); the template's own limit
  // Control tokens whose text the region contains: they are matched and
  // shown by their text ("[TOOL_CALLS]"), where control tokens normally
  // detokenize to nothing.
  std::vector<std::string> control_texts = {};
  // The template concatenates function.arguments as a string (deepseek3);
  // the others expect an object (tojson), so arguments are parsed first.
  bool template_wants_argument_string = false;
  // The template tests an assistant message's content as text ('</think>'
  // in content): a null content (a message of calls only) is given as "".
  // deepseek3 tells calls from text by `content is none`, so keeps null.
  bool null_content_as_text = true;
  // Tool call ids as the template checks them: 9 letters and digits (mistral).
  bool nine_character_ids = false;

  // open + call_open: the text every region starts with.
  std::string lead() const { return open + call_open; }
};

// The family whose markers `chat_template` writes, or nullopt when it
// writes none of them (tools then reach the template, but output is not
// parsed for calls unless the request forces one: see HermesSyntax).
std::optional<ToolCallSyntax> DetectToolCallSyntax(std::string_view chat_template);

// The hermes family: the syntax used when a template has none of its own
// and a request requires a call (the most widely trained format).
ToolCallSyntax HermesSyntax();

}  // namespace fab::toolcall
