#include "server/openai_response.h"

#include <cmath>

#include "tokenizer/utf8.h"

namespace fab::server {
namespace json = boost::json;

namespace {

json::object HeaderJson(const ResponseHeader& header, const char* object_name) {
  json::object out;
  out["id"] = header.id;
  out["object"] = object_name;
  out["created"] = header.created;
  out["model"] = header.model;
  return out;
}

json::value FinishJson(const std::optional<FinishReason>& reason) {
  return reason ? json::value(OpenAiFinishReason(*reason)) : json::value(nullptr);
}

// A choice that made tool calls and then stopped finished to call them.
json::value ChoiceFinishJson(const Choice& choice) {
  if (!choice.tool_calls.empty() && choice.finish_reason && IsStop(*choice.finish_reason)) return "tool_calls";
  return FinishJson(choice.finish_reason);
}

bool IsWhiteSpace(const std::string& text) {
  return text.find_first_not_of(" \t\r\n") == std::string::npos;
}

double LogprobValue(float logprob) {
  const double value = logprob;
  return std::isnan(value) || value < kLogprobFloor ? kLogprobFloor : value;
}

json::array BytesJson(const std::string& piece) {
  json::array bytes;
  for (const char c : piece) bytes.push_back(static_cast<unsigned char>(c));
  return bytes;
}

json::object ChatTokenJson(const std::string& piece, float logprob) {
  return json::object{{"token", SanitizeUtf8(piece)},
                      {"logprob", LogprobValue(logprob)},
                      {"bytes", BytesJson(piece)}};
}

}  // namespace

json::value CompletionLogprobsJson(const std::vector<LogprobEntry>& tokens, int64_t text_offset) {
  json::array pieces, logprobs, tops, offsets;
  for (const LogprobEntry& token : tokens) {
    pieces.push_back(json::string(SanitizeUtf8(token.piece)));
    logprobs.push_back(token.logprob ? json::value(LogprobValue(*token.logprob)) : json::value(nullptr));
    if (token.logprob) {
      json::object top;
      for (const auto& [piece, logprob] : token.top) top[SanitizeUtf8(piece)] = LogprobValue(logprob);
      tops.push_back(std::move(top));
    } else {
      tops.push_back(nullptr);
    }
    offsets.push_back(text_offset);
    text_offset += static_cast<int64_t>(token.piece.size());
  }
  return json::object{{"tokens", std::move(pieces)},
                      {"token_logprobs", std::move(logprobs)},
                      {"top_logprobs", std::move(tops)},
                      {"text_offset", std::move(offsets)}};
}

json::value ChatLogprobsJson(const std::vector<LogprobEntry>& tokens) {
  json::array content;
  for (const LogprobEntry& token : tokens) {
    json::object entry = ChatTokenJson(token.piece, token.logprob.value_or(kLogprobFloor));
    json::array top;
    for (const auto& [piece, logprob] : token.top) top.push_back(ChatTokenJson(piece, logprob));
    entry["top_logprobs"] = std::move(top);
    content.push_back(std::move(entry));
  }
  return json::object{{"content", std::move(content)}};
}

const char* OpenAiFinishReason(FinishReason reason) {
  return IsStop(reason) ? "stop" : "length";
}

json::object UsageJson(const Usage& usage) {
  json::object out;
  out["prompt_tokens"] = usage.n_prompt_tokens;
  out["completion_tokens"] = usage.n_completion_tokens;
  out["total_tokens"] = usage.n_prompt_tokens + usage.n_completion_tokens;
  out["prompt_tokens_details"] = json::object{{"cached_tokens", usage.n_cached_prompt_tokens}};
  return out;
}

std::string CompletionBody(const ResponseHeader& header, const std::vector<Choice>& choices,
                           const std::optional<Usage>& usage) {
  json::object out = HeaderJson(header, "text_completion");
  json::array items;
  for (const Choice& choice : choices) {
    items.push_back(json::object{{"text", choice.text},
                                 {"index", choice.index},
                                 {"logprobs", choice.logprobs},
                                 {"finish_reason", FinishJson(choice.finish_reason)}});
  }
  out["choices"] = std::move(items);
  if (usage) out["usage"] = UsageJson(*usage);
  return json::serialize(out);
}

std::string ChatBody(const ResponseHeader& header, const std::vector<Choice>& choices,
                     const Usage& usage) {
  json::object out = HeaderJson(header, "chat.completion");
  json::array items;
  for (const Choice& choice : choices) {
    json::object message{{"role", "assistant"}, {"content", choice.text}};
    if (!choice.tool_calls.empty()) {
      if (IsWhiteSpace(choice.text)) message["content"] = nullptr;
      json::array calls;
      for (const ToolCall& call : choice.tool_calls) {
        calls.push_back(json::object{{"id", call.id},
                                     {"type", "function"},
                                     {"function", json::object{{"name", call.name}, {"arguments", call.arguments}}}});
      }
      message["tool_calls"] = std::move(calls);
    }
    items.push_back(json::object{{"index", choice.index},
                                 {"message", std::move(message)},
                                 {"logprobs", choice.logprobs},
                                 {"finish_reason", ChoiceFinishJson(choice)}});
  }
  out["choices"] = std::move(items);
  out["usage"] = UsageJson(usage);
  return json::serialize(out);
}

std::string ChatChunk(const ResponseHeader& header, const Choice& choice, bool first) {
  json::object out = HeaderJson(header, "chat.completion.chunk");
  json::object delta;
  if (first) delta["role"] = "assistant";
  if (!choice.text.empty() || (first && !choice.finish_reason)) delta["content"] = choice.text;
  out["choices"] = json::array{json::object{{"index", choice.index},
                                            {"delta", std::move(delta)},
                                            {"logprobs", choice.logprobs},
                                            {"finish_reason", ChoiceFinishJson(choice)}}};
  return json::serialize(out);
}

std::string ChatToolCallChunk(const ResponseHeader& header, int64_t choice_index,
                              const std::vector<ToolCallDelta>& calls) {
  json::object out = HeaderJson(header, "chat.completion.chunk");
  json::array items;
  for (const ToolCallDelta& call : calls) {
    json::object item{{"index", call.index}};
    json::object function;
    if (call.id) {
      item["id"] = *call.id;
      item["type"] = "function";
    }
    if (call.name) function["name"] = *call.name;
    function["arguments"] = call.arguments;
    item["function"] = std::move(function);
    items.push_back(std::move(item));
  }
  out["choices"] = json::array{json::object{{"index", choice_index},
                                            {"delta", json::object{{"tool_calls", std::move(items)}}},
                                            {"logprobs", nullptr},
                                            {"finish_reason", nullptr}}};
  return json::serialize(out);
}

std::string ChatUsageChunk(const ResponseHeader& header, const Usage& usage) {
  json::object out = HeaderJson(header, "chat.completion.chunk");
  out["choices"] = json::array();
  out["usage"] = UsageJson(usage);
  return json::serialize(out);
}

std::string CompletionUsageChunk(const ResponseHeader& header, const Usage& usage) {
  json::object out = HeaderJson(header, "text_completion");
  out["choices"] = json::array();
  out["usage"] = UsageJson(usage);
  return json::serialize(out);
}

}  // namespace fab::server
