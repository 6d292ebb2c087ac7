// The C API (tokenfab.h), part three: running requests, pulled with
// tf_request_poll over tokenfab::Stream.
#include <chrono>
#include <memory>
#include <optional>
#include <utility>

#include "api/c_api_handles.h"
#include "api/c_api_options.h"

namespace {

using fab::InvalidArgumentError;
using fab::OkStatus;
using fab::Status;
using fab::capi::CheckNotNull;
using fab::capi::Guard;
using fab::capi::HandleTable;
using fab::capi::Lookup;
using fab::capi::Release;

// How long one wait of a poll without a timeout lasts before it waits again.
constexpr std::chrono::milliseconds kWaitSlice{1000};

// The request's next event; nullopt when none came within timeout_ms
// (negative: waits until one comes). Under request.poll_mutex.
std::optional<tokenfab::Stream::Event> NextEvent(tf_request& request, int32_t timeout_ms) {
  if (request.done_taken) return std::nullopt;
  std::optional<tokenfab::Stream::Event> event;
  if (timeout_ms >= 0) {
    event = request.stream->Next(std::chrono::milliseconds(timeout_ms));
  } else {
    while (!event) event = request.stream->Next(kWaitSlice);
  }
  if (event && event->done) request.done_taken = true;
  return event;
}

// `event` as a tf_event whose text `request` lends. Under request.poll_mutex.
tf_event ToCEvent(tokenfab::Stream::Event&& event, tf_request& request) {
  tf_event out{};
  out.status = TF_OK;
  if (event.token) {
    out.kind = TF_EVENT_TOKEN;
    out.token = event.token->token;
    out.logprob = event.token->logprob;
    request.event_text = std::move(event.token->text);
  } else {
    out.kind = TF_EVENT_DONE;
    const tokenfab::StatusOr<tokenfab::GenerateResult>& done = *event.done;
    if (done.ok()) {
      out.finish_reason = static_cast<int32_t>(done->finish_reason);
      out.n_prompt_tokens = done->n_prompt_tokens;
      out.n_cached_prompt_tokens = done->n_cached_prompt_tokens;
      out.n_generated_tokens = static_cast<int64_t>(done->tokens.size());
      request.event_text.clear();
    } else {
      out.status = static_cast<int32_t>(done.status().code());
      out.finish_reason = TF_FINISH_ERROR;
      request.event_text = done.status().message();
    }
  }
  out.text = request.event_text.c_str();
  out.text_length = request.event_text.size();
  return out;
}

}  // namespace

extern "C" {

tf_status tf_submit(tf_engine* engine, const tf_request_options* options, tf_request** request_out) {
  return Guard([&]() -> Status {
    FAB_ASSIGN_OR_RETURN(std::shared_ptr<tf_engine> live, Lookup(engine, "engine"));
    FAB_RETURN_IF_ERROR(CheckNotNull(options, "options"));
    FAB_RETURN_IF_ERROR(CheckNotNull(request_out, "request_out"));
    FAB_ASSIGN_OR_RETURN(tokenfab::GenerateRequest request,
                         fab::capi::ToGenerateRequest(*options, live->engine->n_ctx()));
    auto handle = std::make_shared<tf_request>();
    handle->engine = live->engine;
    FAB_ASSIGN_OR_RETURN(handle->stream, live->engine->Open(request));
    *request_out = HandleTable<tf_request>::Get().Add(std::move(handle));
    return OkStatus();
  });
}

tf_status tf_request_poll(tf_request* request, int32_t timeout_ms, tf_event* event_out) {
  return Guard([&]() -> Status {
    FAB_ASSIGN_OR_RETURN(std::shared_ptr<tf_request> live, Lookup(request, "request"));
    FAB_RETURN_IF_ERROR(CheckNotNull(event_out, "event_out"));
    std::lock_guard<std::mutex> lock(live->poll_mutex);
    std::optional<tokenfab::Stream::Event> event = NextEvent(*live, timeout_ms);
    if (!event) {
      live->event_text.clear();
      *event_out = tf_event{};
      event_out->kind = TF_EVENT_NONE;
      event_out->text = live->event_text.c_str();
      return OkStatus();
    }
    *event_out = ToCEvent(std::move(*event), *live);
    return OkStatus();
  });
}

tf_status tf_request_cancel(tf_request* request) {
  return Guard([&]() -> Status {
    FAB_ASSIGN_OR_RETURN(std::shared_ptr<tf_request> live, Lookup(request, "request"));
    live->stream->Cancel();
    return OkStatus();
  });
}

tf_status tf_request_free(tf_request* request) {
  // A poll still waiting on another thread gets the DONE event promptly; the
  // stream and the engine hold go when it returns (or here).
  return Guard([&] { return Release(request, "request", [](tf_request& removed) { removed.stream->Cancel(); }); });
}

}  // extern "C"
