// tokenfab::Stream: a request's events queued by its callbacks (step thread)
// and taken by Next (the caller's thread).
#include <condition_variable>
#include <deque>
#include <mutex>
#include <utility>

#include "api/internals.h"

namespace tokenfab {

struct Stream::State {
  std::mutex mutex;
  std::condition_variable ready;
  std::deque<Event> events;  // guarded by mutex
  bool done_queued = false;  // guarded by mutex
  bool done_taken = false;   // guarded by mutex
};

Stream::Stream(Engine& engine, RequestId id, std::shared_ptr<State> state)
    : engine_(engine), id_(id), state_(std::move(state)) {}

Stream::~Stream() { Cancel(); }

RequestId Stream::id() const { return id_; }

std::optional<Stream::Event> Stream::Next(std::chrono::milliseconds timeout) {
  std::unique_lock<std::mutex> lock(state_->mutex);
  if (state_->done_taken) return std::nullopt;
  if (!state_->ready.wait_for(lock, timeout, [this] { return !state_->events.empty(); })) return std::nullopt;
  Event event = std::move(state_->events.front());
  state_->events.pop_front();
  if (event.done) state_->done_taken = true;
  return event;
}

void Stream::Cancel() {
  std::lock_guard<std::mutex> lock(state_->mutex);
  // Once done is queued the request has ended (an engine's destructor ends
  // every request first), so the engine is never touched after it is gone.
  if (!state_->done_queued) (void)engine_.Cancel(id_);
}

StatusOr<std::unique_ptr<Stream>> Engine::Open(const GenerateRequest& request) {
  auto state = std::make_shared<Stream::State>();
  Callbacks callbacks;
  callbacks.on_token = [state](const TokenEvent& token) {
    std::lock_guard<std::mutex> lock(state->mutex);
    state->events.push_back(Stream::Event{token, std::nullopt});
    state->ready.notify_one();
  };
  callbacks.on_done = [state](const StatusOr<GenerateResult>& outcome) {
    std::lock_guard<std::mutex> lock(state->mutex);
    state->events.push_back(Stream::Event{std::nullopt, outcome});
    state->done_queued = true;
    state->ready.notify_one();
  };
  FAB_ASSIGN_OR_RETURN(RequestId id, Submit(request, std::move(callbacks)));
  return std::make_unique<Stream>(*this, id, std::move(state));
}

}  // namespace tokenfab
