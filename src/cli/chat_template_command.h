// `tokenfab chat-template`: renders a model's chat template over a
// conversation and prints the prompt text, as Hugging Face's
// apply_chat_template(tokenize=False) would. Options and entry point.
#pragma once

#include <string>

namespace fab::cli {

struct ChatTemplateOptions {
  std::string model_path;     // GGUF model or vocabulary file (template, BOS/EOS texts)
  std::string messages_path;  // JSON: [messages…] or {"messages": […], "tools": […], other kwargs…}
  std::string tools_path;     // optional JSON array of tool definitions
  std::string template_path;  // optional .jinja file replacing the GGUF's template
  bool add_generation_prompt = true;
};

// Prints the rendered prompt to stdout (exactly, no newline added).
// Returns 0, or 1 with "tokenfab: <error>" on stderr.
int RunChatTemplate(const ChatTemplateOptions& options);

}  // namespace fab::cli
