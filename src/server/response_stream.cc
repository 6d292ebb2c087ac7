#include "server/response_stream.h"

#include "base/check.h"

namespace fab::server {

void ResponseStream::Append(std::string bytes) {
  FAB_CHECK(kind_ == Kind::kStreamed) << "Append on a whole response";
  std::function<void()> waker;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (finished_ || abandoned_) return;
    pending_ += bytes;
    waker = waker_;
  }
  if (waker) waker();
}

void ResponseStream::Finish() {
  FAB_CHECK(kind_ == Kind::kStreamed) << "Finish on a whole response";
  std::function<void()> waker;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (finished_ || abandoned_) return;
    finished_ = true;
    waker = waker_;
  }
  if (waker) waker();
}

void ResponseStream::Complete(ResponseHead response) {
  FAB_CHECK(kind_ == Kind::kWhole) << "Complete on a streamed response";
  std::function<void()> waker;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (completed_ || abandoned_) return;
    completed_ = true;
    whole_ = std::move(response);
    waker = waker_;
  }
  if (waker) waker();
}

void ResponseStream::SetOnAbandon(std::function<void()> on_abandon) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!abandoned_) {
      on_abandon_ = std::move(on_abandon);
      return;
    }
  }
  if (on_abandon) on_abandon();
}

void ResponseStream::SetWaker(std::function<void()> waker) {
  bool ready = false;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    waker_ = waker;
    ready = !pending_.empty() || finished_ || whole_.has_value();
  }
  if (ready && waker) waker();
}

ResponseStream::Taken ResponseStream::Take() {
  std::lock_guard<std::mutex> lock(mutex_);
  Taken taken;
  taken.bytes = std::move(pending_);
  pending_.clear();
  taken.finished = finished_;
  if (whole_) taken.whole = std::move(*whole_);
  whole_.reset();
  return taken;
}

void ResponseStream::Abandon() {
  std::function<void()> on_abandon;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (abandoned_) return;
    abandoned_ = true;
    pending_.clear();
    on_abandon = std::move(on_abandon_);
    on_abandon_ = nullptr;
    waker_ = nullptr;
  }
  if (on_abandon) on_abandon();
}

bool ResponseStream::abandoned() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return abandoned_;
}

}  // namespace fab::server
