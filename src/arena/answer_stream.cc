#include "arena/answer_stream.h"

#include <mutex>
#include <optional>
#include <string>

#include <boost/json.hpp>

#include "base/check.h"
#include "server/sse_event_reader.h"
#include "server/sse_framing.h"

namespace fab::arena {
namespace {

namespace json = boost::json;

// The state shared by the chat stream's waker (the producing thread).
struct Relay {
  std::mutex mutex;
  std::weak_ptr<server::ResponseStream> chat;
  std::shared_ptr<server::ResponseStream> answer;
  std::optional<server::SseEventReader> reader;  // guarded by mutex
  std::optional<std::string> finish_reason;      // guarded by mutex
  bool ended = false;                             // guarded by mutex
  std::function<void(bool)> on_end;

  // One event of the chat stream → what the page sees (under mutex).
  void OnChatEvent(std::string_view data) {
    if (ended) return;
    if (data == "[DONE]") {
      End(finish_reason.has_value(), finish_reason ? "" : "the model's answer ended without finishing");
      return;
    }
    boost::system::error_code error;
    const json::value chunk = json::parse(data, error);
    const json::value* choices = !error && chunk.is_object() ? chunk.as_object().if_contains("choices") : nullptr;
    if (choices == nullptr || !choices->is_array() || choices->as_array().empty()) return;  // usage chunk
    const json::value& choice = choices->as_array().front();
    if (!choice.is_object()) return;
    if (const json::value* delta = choice.as_object().if_contains("delta"); delta != nullptr && delta->is_object()) {
      const json::value* content = delta->as_object().if_contains("content");
      if (content != nullptr && content->is_string() && !content->as_string().empty()) {
        answer->Append(server::SseEvent(json::serialize(json::object{{"text", content->as_string()}})));
      }
    }
    if (const json::value* finish = choice.as_object().if_contains("finish_reason"); finish && finish->is_string()) {
      finish_reason = std::string(finish->as_string());
    }
  }

  void End(bool ok, const std::string& why) {
    ended = true;
    // The outcome is recorded before the visitor can see the end (and vote).
    if (on_end) on_end(ok);
    answer->Append(server::SseEvent(ok ? json::serialize(json::object{{"finish_reason", *finish_reason}})
                                       : json::serialize(json::object{{"error", why}})));
    answer->Append(std::string(server::kSseDone));
    answer->Finish();
  }

  // The waker of the chat stream: takes what it has and relays it.
  void Pump() {
    std::shared_ptr<server::ResponseStream> source = chat.lock();
    if (source == nullptr) return;
    std::lock_guard<std::mutex> lock(mutex);
    server::ResponseStream::Taken taken = source->Take();
    if (!taken.bytes.empty() && !ended) {
      if (Status fed = reader->Feed(taken.bytes); !fed.ok()) End(false, fed.message());
    }
    if (taken.finished && !ended) End(false, "the model's answer ended without finishing");
  }
};

}  // namespace

std::shared_ptr<server::ResponseStream> AnonymousAnswer(std::shared_ptr<server::ResponseStream> chat,
                                                        std::function<void(bool ok)> on_end) {
  FAB_CHECK(chat != nullptr && chat->kind() == server::ResponseStream::Kind::kStreamed);
  auto relay = std::make_shared<Relay>();
  relay->chat = chat;
  relay->answer = std::make_shared<server::ResponseStream>(server::ResponseStream::Kind::kStreamed);
  relay->on_end = std::move(on_end);
  relay->reader.emplace([raw = relay.get()](std::string_view data) { raw->OnChatEvent(data); });
  // The visitor left: cancel the model's work, and count the answer as failed.
  relay->answer->SetOnAbandon([weak_chat = std::weak_ptr<server::ResponseStream>(chat), weak_relay =
                                   std::weak_ptr<Relay>(relay)] {
    // The relay first: abandoning the chat stream drops its waker, the relay's last owner.
    if (std::shared_ptr<Relay> held = weak_relay.lock()) {
      std::lock_guard<std::mutex> lock(held->mutex);
      if (!held->ended) {
        held->ended = true;
        if (held->on_end) held->on_end(false);
      }
    }
    if (std::shared_ptr<server::ResponseStream> source = weak_chat.lock()) source->Abandon();
  });
  std::shared_ptr<server::ResponseStream> answer = relay->answer;
  // The chat stream holds the relay (through its waker) for as long as it lives.
  chat->SetWaker([relay] { relay->Pump(); });
  return answer;
}

}  // namespace fab::arena
