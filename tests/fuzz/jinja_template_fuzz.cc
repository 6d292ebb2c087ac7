// libFuzzer target for the chat-template interpreter: the input's bytes up
// to the first NUL are the template source; what follows, when it parses as
// a JSON array, replaces the fixed conversation (system/user/assistant turns,
// Korean text, tools, a tool call and its result). Rendering under small
// limits must give text or a Status, never a crash, hang, leak or sanitizer
// report, and a successful render must stay within the output cap.
#include <boost/json.hpp>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "tokenizer/chat_template.h"

namespace {

const char* const kMessages = R"([
  {"role": "system", "content": "You are helpful."},
  {"role": "user", "content": "서울 날씨 어때? 🌧️"},
  {"role": "assistant", "content": "", "tool_calls": [{"id": "call00001", "type": "function",
    "function": {"name": "get_weather", "arguments": {"location": "Seoul", "days": 2}}}]},
  {"role": "tool", "tool_call_id": "call00001", "name": "get_weather", "content": "{\"temp\": 21.5}"},
  {"role": "assistant", "content": "21.5°C, rainy."},
  {"role": "user", "content": "Thanks!\n"}
])";

const char* const kTools = R"([{"type": "function", "function": {"name": "get_weather",
  "description": "Weather for a city", "parameters": {"type": "object",
  "properties": {"location": {"type": "string"}, "days": {"type": "integer", "default": 1}},
  "required": ["location"]}}}])";

const fab::ChatTemplateInputs& Inputs() {
  static const fab::ChatTemplateInputs* inputs = [] {
    auto* in = new fab::ChatTemplateInputs;
    in->messages = boost::json::parse(kMessages).as_array();
    in->tools = boost::json::parse(kTools).as_array();
    in->bos_token = "<s>";
    in->eos_token = "</s>";
    in->extra = boost::json::parse(R"({"enable_thinking": false})").as_object();
    in->now = [] {
      std::tm t{};
      t.tm_year = 126;
      t.tm_mday = 1;
      return t;
    };
    return in;
  }();
  return *inputs;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  fab::TemplateLimits limits;
  limits.max_steps = 200'000;
  limits.max_output_bytes = 1 << 18;
  limits.max_created_bytes = 16 << 20;
  limits.max_list_items = 100'000;
  std::string_view input(reinterpret_cast<const char*>(data), size);
  std::string_view source = input.substr(0, input.find('\0'));
  const fab::ChatTemplateInputs* inputs = &Inputs();
  fab::ChatTemplateInputs custom;
  if (source.size() < input.size()) {
    boost::system::error_code error;
    boost::json::value messages = boost::json::parse(input.substr(source.size() + 1), error);
    if (!error && messages.is_array()) {
      custom = Inputs();
      custom.messages = messages.as_array();
      inputs = &custom;
    }
  }
  fab::StatusOr<std::string> out = fab::RenderChatTemplate(source, *inputs, limits);
  if (out.ok() && out->size() > limits.max_output_bytes) std::abort();
  return 0;
}
