#include "server/handler_context.h"

#include <algorithm>
#include <cstdio>
#include <utility>

#include "base/check.h"

namespace fab::server {
namespace {

// The ids of the control tokens whose texts `syntax` writes, where the
// vocabulary has each as one control token; sorted.
std::vector<TokenId> ControlTokens(const Tokenizer& tokenizer, const std::optional<toolcall::ToolCallSyntax>& syntax) {
  std::vector<TokenId> ids;
  if (!syntax) return ids;
  for (const std::string& text : syntax->control_texts) {
    StatusOr<std::vector<TokenId>> encoded = tokenizer.Encode(text, EncodeOptions{.parse_special = true});
    if (encoded.ok() && encoded->size() == 1 && tokenizer.TokenBytes(encoded->front()).empty()) {
      ids.push_back(encoded->front());
    }
  }
  std::sort(ids.begin(), ids.end());
  return ids;
}

ChatTemplate ChatTemplateInForce(const ServedModel& model) {
  if (model.chat_template) return *model.chat_template;
  StatusOr<ChatTemplate> fallback = ChatTemplate::Parse(kFallbackChatTemplate);
  FAB_CHECK(fallback.ok()) << "the fallback chat template does not parse: " << fallback.status().ToString();
  return std::move(fallback).value();
}

}  // namespace

RandomSource::RandomSource() : generator_(std::random_device{}()) {}

uint64_t RandomSource::Next() {
  std::lock_guard<std::mutex> lock(mutex_);
  return generator_();
}

std::string RandomSource::NewId(const std::string& prefix) {
  const uint64_t high = Next();
  const uint64_t low = Next();
  char hex[25];
  std::snprintf(hex, sizeof(hex), "%08x%016llx", static_cast<unsigned>(high & 0xffffffffu),
                static_cast<unsigned long long>(low));
  return prefix + hex;
}

HandlerContext::HandlerContext(ServedModel served, engine::Engine& engine_ref, ServerMetrics& metrics_ref,
                               Metering metering_in)
    : model(std::move(served)),
      chat_template(ChatTemplateInForce(model)),
      engine(engine_ref),
      metrics(metrics_ref),
      metering(std::move(metering_in)),
      grammars(std::make_shared<GrammarLibrary>(*model.tokenizer)),
      tool_syntax(toolcall::DetectToolCallSyntax(chat_template.source())),
      tool_control_tokens(ControlTokens(*model.tokenizer, tool_syntax)) {
  FAB_CHECK(model.tokenizer != nullptr) << "ServedModel without a tokenizer";
}

std::optional<ApiError> CheckModelName(const HandlerContext& context, const Caller& caller,
                                       const std::string& requested) {
  if (!requested.empty() && requested != context.model.name) return ModelNotFoundError(requested);
  return CheckModelAllowed(caller, context.model.name);
}

}  // namespace fab::server
