// The C API's handles (tokenfab.h) and how its entry points (src/api/c_api*.cc,
// the only includers) check and report: tf_model, tf_engine and tf_request;
// HandleTable, the live handles of one kind, so a NULL, freed or garbage
// handle is refused unread; Guard, which turns a body's Status or escaping
// exception into the tf_status returned and this thread's tf_last_error.
#pragma once

#include <exception>
#include <memory>
#include <mutex>
#include <new>
#include <string>
#include <unordered_map>
#include <utility>

#include "base/status.h"
#include "tokenfab/engine.h"
#include "tokenfab/tokenfab.h"

// A handle holds what it needs alive through shared_ptr, so the caller may
// free handles in any order (tokenfab.h, "Ownership").
struct tf_model {
  std::shared_ptr<const tokenfab::Model> model;
};

struct tf_engine {
  std::shared_ptr<tokenfab::Engine> engine;
};

// Members are destroyed bottom-up: the stream (which cancels through the
// engine) before the engine.
struct tf_request {
  std::shared_ptr<tokenfab::Engine> engine;
  std::unique_ptr<tokenfab::Stream> stream;
  std::mutex poll_mutex;       // one poll at a time (Stream::Next is single-consumer)
  bool done_taken = false;     // guarded by poll_mutex
  std::string event_text;      // guarded by poll_mutex: what the last event lends
};

namespace fab::capi {

// The live handles of one kind, keyed by address. Thread-safe. The one
// process-wide table per kind is never destroyed, so handles a program
// leaks are not torn down during exit.
template <typename Handle>
class HandleTable {
 public:
  static HandleTable& Get() {
    static HandleTable* const table = new HandleTable;
    return *table;
  }

  // Registers `handle`; returns the address the caller gets.
  Handle* Add(std::shared_ptr<Handle> handle) {
    Handle* address = handle.get();
    std::lock_guard<std::mutex> lock(mutex_);
    live_.emplace(address, std::move(handle));
    return address;
  }

  // The live handle at `address`, or null. Never dereferences `address`.
  std::shared_ptr<Handle> Find(const Handle* address) const {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = live_.find(address);
    return it == live_.end() ? nullptr : it->second;
  }

  // Unregisters and returns the handle (null if not live); the caller drops
  // it outside the lock, since that may stop an engine.
  std::shared_ptr<Handle> Remove(const Handle* address) {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = live_.find(address);
    if (it == live_.end()) return nullptr;
    std::shared_ptr<Handle> handle = std::move(it->second);
    live_.erase(it);
    return handle;
  }

 private:
  HandleTable() = default;
  mutable std::mutex mutex_;
  std::unordered_map<const void*, std::shared_ptr<Handle>> live_;
};

// InvalidArgument "<what> is not a live handle ...".
inline Status NotLiveError(const char* what) {
  return InvalidArgumentError(std::string(what) + " is not a live handle (already freed, or not made by tokenfab)");
}

// The live handle `handle` names: InvalidArgument "<what> is NULL" or
// NotLiveError otherwise. `what` names the parameter ("engine").
template <typename Handle>
StatusOr<std::shared_ptr<Handle>> Lookup(const Handle* handle, const char* what) {
  if (handle == nullptr) return InvalidArgumentError(std::string(what) + " is NULL");
  std::shared_ptr<Handle> live = HandleTable<Handle>::Get().Find(handle);
  if (live == nullptr) return NotLiveError(what);
  return live;
}

// tf_*_free: unregisters `handle` (NULL: nothing to do) and drops it here,
// outside the table's lock (the last hold of an engine stops it), after
// `before_drop` has run on it. NotLiveError for a handle that is not live.
template <typename Handle, typename BeforeDrop>
Status Release(Handle* handle, const char* what, BeforeDrop&& before_drop) {
  if (handle == nullptr) return OkStatus();
  std::shared_ptr<Handle> removed = HandleTable<Handle>::Get().Remove(handle);
  if (removed == nullptr) return NotLiveError(what);
  before_drop(*removed);
  return OkStatus();
}
template <typename Handle>
Status Release(Handle* handle, const char* what) {
  return Release(handle, what, [](Handle&) {});
}

// InvalidArgument "<what> is NULL" when `pointer` is null.
inline Status CheckNotNull(const void* pointer, const char* what) {
  if (pointer != nullptr) return OkStatus();
  return InvalidArgumentError(std::string(what) + " is NULL");
}

// Sets this thread's last error to `status` (its message, "" when OK) and
// returns its code. Never throws.
tf_status Report(const Status& status) noexcept;
// Reports TF_INTERNAL with `what` (an exception that escaped). Never throws.
tf_status ReportInternal(const char* what) noexcept;

// Runs `body` (returning Status) and reports its result; an exception that
// escapes it becomes TF_INTERNAL.
template <typename Body>
tf_status Guard(Body&& body) noexcept {
  try {
    return Report(body());
  } catch (const std::bad_alloc&) {
    return ReportInternal("out of memory");
  } catch (const std::exception& error) {
    return ReportInternal(error.what());
  } catch (...) {
    return ReportInternal("unexpected exception");
  }
}

// A malloc'd, NUL-terminated copy of `text` (which may hold NUL bytes), for
// tf_string_free; throws std::bad_alloc when out of memory.
char* CopyString(const std::string& text);

}  // namespace fab::capi
