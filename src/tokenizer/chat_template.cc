#include "tokenizer/chat_template.h"

#include <boost/json.hpp>

#include "tokenizer/jinja/json_value.h"
#include "tokenizer/jinja/template.h"

namespace fab {

StatusOr<ChatTemplate> ChatTemplate::Parse(std::string_view source, const TemplateLimits& limits) {
  FAB_ASSIGN_OR_RETURN(jinja::Template compiled, jinja::Template::Parse(source, limits));
  return ChatTemplate(std::make_shared<const jinja::Template>(std::move(compiled)),
                      std::make_shared<const std::string>(source));
}

StatusOr<std::string> ChatTemplate::Render(const ChatTemplateInputs& inputs) const {
  jinja::DictData variables;
  for (const auto& [key, value] : inputs.extra) {
    FAB_ASSIGN_OR_RETURN(jinja::Value v, jinja::ValueFromJson(value));
    variables.Set(std::string(key), std::move(v));
  }
  FAB_ASSIGN_OR_RETURN(jinja::Value messages, jinja::ValueFromJson(inputs.messages));
  variables.Set("messages", std::move(messages));
  if (inputs.tools.empty()) {
    variables.Set("tools", jinja::Value::None());
  } else {
    FAB_ASSIGN_OR_RETURN(jinja::Value tools, jinja::ValueFromJson(inputs.tools));
    variables.Set("tools", std::move(tools));
  }
  variables.Set("documents", jinja::Value::None());
  variables.Set("add_generation_prompt", jinja::Value::Bool(inputs.add_generation_prompt));
  if (inputs.bos_token) variables.Set("bos_token", jinja::Value::String(*inputs.bos_token));
  if (inputs.eos_token) variables.Set("eos_token", jinja::Value::String(*inputs.eos_token));
  jinja::RenderOptions options;
  options.now = inputs.now;
  return compiled_->Render(variables, options);
}

StatusOr<std::string> RenderChatTemplate(std::string_view template_source, const ChatTemplateInputs& inputs,
                                         const TemplateLimits& limits) {
  FAB_ASSIGN_OR_RETURN(ChatTemplate compiled, ChatTemplate::Parse(template_source, limits));
  return compiled.Render(inputs);
}

}  // namespace fab
