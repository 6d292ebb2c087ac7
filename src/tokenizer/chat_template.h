// Renders a model's chat template (tokenizer.chat_template) into the prompt
// text, as Hugging Face's apply_chat_template does: the template sees
// `messages`, `tools` (None when there are none), `documents` (None),
// `add_generation_prompt`, `bos_token`/`eos_token` (only when the vocabulary
// has them) and any extra keyword arguments (e.g. enable_thinking).
// A ChatTemplate is parsed once and may render from many threads at once.
// Errors: InvalidArgument (syntax error with line:column, a runtime error, or
// the template's own raise_exception message), ResourceExhausted (a cap).
#pragma once

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <ctime>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "base/status.h"
#include "tokenizer/jinja/limits.h"

namespace fab {

namespace jinja {
class Template;
}

using TemplateLimits = jinja::TemplateLimits;

struct ChatTemplateInputs {
  boost::json::array messages;  // OpenAI-style {role, content, tool_calls, tool_call_id, name, …}
  boost::json::array tools;     // empty: the template sees tools = None
  bool add_generation_prompt = true;
  std::optional<std::string> bos_token;  // nullopt: bos_token is undefined in the template
  std::optional<std::string> eos_token;
  boost::json::object extra;    // more top-level variables (enable_thinking, reasoning_effort, …)
  std::function<std::tm()> now; // strftime_now's clock; null: local time
};

class ChatTemplate {
 public:
  static StatusOr<ChatTemplate> Parse(std::string_view source, const TemplateLimits& limits = {});
  StatusOr<std::string> Render(const ChatTemplateInputs& inputs) const;
  // The template's text, as parsed (a family's markers are read from it).
  const std::string& source() const { return *source_; }

 private:
  ChatTemplate(std::shared_ptr<const jinja::Template> compiled, std::shared_ptr<const std::string> source)
      : compiled_(std::move(compiled)), source_(std::move(source)) {}
  std::shared_ptr<const jinja::Template> compiled_;
  std::shared_ptr<const std::string> source_;
};

StatusOr<std::string> RenderChatTemplate(std::string_view template_source, const ChatTemplateInputs& inputs,
                                         const TemplateLimits& limits = {});

}  // namespace fab
