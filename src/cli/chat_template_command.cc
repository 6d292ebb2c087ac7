// `tokenfab chat-template -m FILE.gguf --messages conv.json [--tools tools.json]
// [--no-generation-prompt] [--template FILE.jinja]`.
#include <cstdio>
#include <fstream>
#include <sstream>

#include <boost/json.hpp>

#include "cli/chat_template_command.h"
#include "cli/model_loader.h"
#include "gguf/gguf_file.h"
#include "tokenizer/chat_template.h"
#include "tokenizer/vocab_from_gguf.h"

namespace fab::cli {
namespace {

constexpr std::streamsize kMaxInputFileBytes = std::streamsize{64} << 20;

StatusOr<std::string> ReadSmallFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  if (!in) return NotFoundError("cannot open " + path);
  std::streamsize size = in.tellg();
  if (size > kMaxInputFileBytes) return ResourceExhaustedError(path + " is larger than 64 MiB");
  in.seekg(0);
  std::string text(static_cast<size_t>(std::max<std::streamsize>(size, 0)), '\0');
  if (!in.read(text.data(), size)) return DataLossError("cannot read " + path);
  return text;
}

StatusOr<boost::json::value> ReadJsonFile(const std::string& path) {
  FAB_ASSIGN_OR_RETURN(std::string text, ReadSmallFile(path));
  boost::system::error_code error;
  boost::json::value value = boost::json::parse(text, error);
  if (error) return InvalidArgumentError(path + ": invalid JSON: " + error.message());
  return value;
}

// --messages holds either the messages array or an object with "messages"
// and optionally "tools", "add_generation_prompt" and further template kwargs.
Status ReadConversation(const ChatTemplateOptions& options, ChatTemplateInputs* inputs) {
  FAB_ASSIGN_OR_RETURN(boost::json::value conversation, ReadJsonFile(options.messages_path));
  if (conversation.is_array()) {
    inputs->messages = conversation.as_array();
  } else if (conversation.is_object() && conversation.as_object().contains("messages") &&
             conversation.as_object().at("messages").is_array()) {
    for (const auto& [key, value] : conversation.as_object()) {
      if (key == "messages") {
        inputs->messages = value.as_array();
      } else if (key == "tools" && value.is_array()) {
        inputs->tools = value.as_array();
      } else if (key == "add_generation_prompt" && value.is_bool()) {
        inputs->add_generation_prompt = value.as_bool();
      } else if (key != "tools") {
        inputs->extra[key] = value;
      }
    }
  } else {
    return InvalidArgumentError(options.messages_path + ": expected a JSON array of messages or an object with \"messages\"");
  }
  for (const auto& message : inputs->messages) {
    if (!message.is_object()) return InvalidArgumentError(options.messages_path + ": every message must be a JSON object");
  }
  if (!options.tools_path.empty()) {
    FAB_ASSIGN_OR_RETURN(boost::json::value tools, ReadJsonFile(options.tools_path));
    if (!tools.is_array()) return InvalidArgumentError(options.tools_path + ": expected a JSON array of tools");
    inputs->tools = tools.as_array();
  }
  if (!options.add_generation_prompt) inputs->add_generation_prompt = false;
  return OkStatus();
}

StatusOr<std::string> Render(const ChatTemplateOptions& options) {
  StatusOr<GgufFile> gguf = GgufFile::Open(options.model_path);
  if (!gguf.ok()) return gguf.status();
  FAB_ASSIGN_OR_RETURN(VocabData vocab, LoadVocabFromGguf(*gguf));
  std::string source = vocab.chat_template;
  if (!options.template_path.empty()) {
    FAB_ASSIGN_OR_RETURN(source, ReadSmallFile(options.template_path));
  }
  if (source.empty()) {
    return NotFoundError(options.model_path + " has no tokenizer.chat_template; pass --template FILE.jinja");
  }
  ChatTemplateInputs inputs;
  if (vocab.bos_id >= 0) inputs.bos_token = vocab.tokens[static_cast<size_t>(vocab.bos_id)];
  if (vocab.eos_id >= 0) inputs.eos_token = vocab.tokens[static_cast<size_t>(vocab.eos_id)];
  FAB_RETURN_IF_ERROR(ReadConversation(options, &inputs));
  return RenderChatTemplate(source, inputs);
}

}  // namespace

int RunChatTemplate(const ChatTemplateOptions& options) {
  StatusOr<std::string> prompt = Render(options);
  if (!prompt.ok()) return ReportError(prompt.status());
  std::fwrite(prompt->data(), 1, prompt->size(), stdout);
  return 0;
}

}  // namespace fab::cli
