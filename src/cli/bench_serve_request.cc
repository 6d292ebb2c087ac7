#include "cli/bench_serve_request.h"

#include <boost/json.hpp>

namespace fab::cli {
namespace {

namespace json = boost::json;

constexpr size_t kMaxErrorChars = 300;
// Token events a request may record; past this the server is misbehaving.
constexpr size_t kMaxTokenEvents = size_t{1} << 18;

std::optional<int64_t> IntField(const json::object& object, std::string_view key) {
  const json::value* value = object.if_contains(key);
  if (value == nullptr) return std::nullopt;
  if (value->is_int64()) return value->as_int64();
  if (value->is_uint64()) return static_cast<int64_t>(value->as_uint64());
  return std::nullopt;
}

size_t TextBytes(const json::value* value) {
  return value != nullptr && value->is_string() ? value->as_string().size() : 0;
}

// The text of the first choice: "text" (completions) or "delta.content" (chat).
size_t ChoiceTextBytes(const json::object& event) {
  const json::value* choices = event.if_contains("choices");
  if (choices == nullptr || !choices->is_array() || choices->as_array().empty()) {
    return TextBytes(event.if_contains("content"));  // llama.cpp's native /completion
  }
  const json::object* choice = choices->as_array()[0].if_object();
  if (choice == nullptr) return 0;
  if (const json::value* delta = choice->if_contains("delta"); delta != nullptr && delta->is_object()) {
    return TextBytes(delta->as_object().if_contains("content"));
  }
  return TextBytes(choice->if_contains("text"));
}

std::string Clip(std::string_view text) {
  return std::string(text.substr(0, kMaxErrorChars));
}

// "HTTP 400: <message>" from an OpenAI error body, or its first bytes.
std::string HttpErrorMessage(const server::HttpReply& reply) {
  std::string message = "HTTP " + std::to_string(reply.status);
  boost::system::error_code ec;
  const json::value body = json::parse(reply.body, ec);
  const json::object* object = ec ? nullptr : body.if_object();
  const json::value* error = object != nullptr ? object->if_contains("error") : nullptr;
  if (error != nullptr && error->is_object()) {
    if (const json::value* text = error->as_object().if_contains("message"); text != nullptr && text->is_string()) {
      return message + ": " + Clip(text->as_string());
    }
  }
  return reply.body.empty() ? message : message + ": " + Clip(reply.body);
}

}  // namespace

std::string BuildRequestBody(const BenchPrompt& prompt, const RequestBodySpec& spec) {
  json::object body;
  if (!spec.model.empty()) body["model"] = spec.model;
  if (spec.chat) {
    body["messages"] = json::array{json::object{{"role", "user"}, {"content", prompt.text}}};
  } else if (!prompt.token_ids.empty()) {
    json::array ids;
    ids.reserve(prompt.token_ids.size());
    for (const int32_t id : prompt.token_ids) ids.emplace_back(id);
    body["prompt"] = std::move(ids);
  } else {
    body["prompt"] = prompt.text;
  }
  body["max_tokens"] = prompt.max_tokens;
  body["stream"] = true;
  body["stream_options"] = json::object{{"include_usage", true}};
  if (spec.ignore_eos) body["ignore_eos"] = true;
  body["temperature"] = 0;
  for (const auto& field : spec.extra) body[field.key()] = field.value();
  return json::serialize(body);
}

StreamEvent ParseStreamEvent(std::string_view data) {
  StreamEvent event;
  if (data == "[DONE]") {
    event.done = true;
    return event;
  }
  boost::system::error_code ec;
  const json::value value = json::parse(data, ec);
  if (ec || !value.is_object()) {
    event.error = "stream event is not a JSON object: " + Clip(data);
    return event;
  }
  const json::object& object = value.as_object();
  if (const json::value* error = object.if_contains("error"); error != nullptr) {
    const json::value* message = error->is_object() ? error->as_object().if_contains("message") : nullptr;
    event.error = "error event: " + Clip(message != nullptr && message->is_string() ? std::string(message->as_string())
                                                                                    : json::serialize(*error));
    return event;
  }
  event.n_text_bytes = ChoiceTextBytes(object);
  if (const json::value* usage = object.if_contains("usage"); usage != nullptr && usage->is_object()) {
    event.n_prompt_tokens = IntField(usage->as_object(), "prompt_tokens");
    event.n_completion_tokens = IntField(usage->as_object(), "completion_tokens");
  }
  return event;
}

RequestRecord SendBenchRequest(server::HttpClient& client, const std::string& target, const std::string& body,
                               int64_t n_prompt_tokens_sent, std::chrono::steady_clock::time_point run_start,
                               const server::HttpHeaderList& headers) {
  using Seconds = std::chrono::duration<double>;
  const auto now_s = [run_start] { return Seconds(std::chrono::steady_clock::now() - run_start).count(); };
  RequestRecord record;
  record.n_prompt_tokens = n_prompt_tokens_sent;
  std::optional<int64_t> usage_completion_tokens;
  bool done = false;
  int64_t n_events = 0;
  record.start_s = now_s();
  StatusOr<server::HttpReply> reply = client.PostStreaming(target, body, [&](std::string_view data) {
    const double t = now_s();
    ++n_events;
    const StreamEvent event = ParseStreamEvent(data);
    done = done || event.done;
    if (!event.error.empty() && record.error.empty()) record.error = event.error;
    if (event.n_text_bytes > 0 && record.token_times_s.size() < kMaxTokenEvents) {
      if (record.first_token_s < 0) record.first_token_s = t;
      record.token_times_s.push_back(t);
    } else if (event.n_text_bytes > 0 && record.error.empty()) {
      record.error = "more than " + std::to_string(kMaxTokenEvents) + " token events";
    }
    if (event.n_prompt_tokens) record.n_prompt_tokens = *event.n_prompt_tokens;
    if (event.n_completion_tokens) usage_completion_tokens = event.n_completion_tokens;
  }, headers);
  record.end_s = now_s();
  record.n_output_tokens = usage_completion_tokens.value_or(static_cast<int64_t>(record.token_times_s.size()));
  if (!reply.ok()) {
    record.error = reply.status().message();
  } else if (reply->status / 100 != 2) {
    record.error = HttpErrorMessage(*reply);
  } else if (record.error.empty() && n_events == 0) {
    record.error = "the response had no events (content type '" + Clip(reply->content_type) + "')";
  } else if (record.error.empty() && !done) {
    record.error = "the stream ended without [DONE]";
  }
  record.success = record.error.empty();
  return record;
}

}  // namespace fab::cli
