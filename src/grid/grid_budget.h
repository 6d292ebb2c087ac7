// GridBudget: the power budget a server keeps under, from three sources —
// the operator's (serve --power-budget, or the admin API at run time), the
// grid's load targets (grid.loadtarget.set.v1 for this server's feed) and
// its breach alerts (grid.powerbreach.alert.v1: shed now). The budget is the
// smallest of those in force:
//   configured                      the operator's watts (none: unlimited)
//   share × the active target       a target of V (any unit) on this feed
//                                   allows share × V watts while its interval
//                                   runs; it ends at end_time, when a null
//                                   constraint replaces it, or when a newer
//                                   target for an overlapping interval does
//   share × target × target/measured  while a breach of this feed is active
//                                   or escalated: the feed overshot, so this
//                                   server sheds in proportion until the
//                                   breach is resolved (or an hour passes
//                                   without news of it)
// Consume() takes one message as a transport received it: a CloudEvent
// (cloud_event.h) whose data is a JWS verified with the operator's key, or,
// without a key, a plain object (lab use; reported as unsigned). Malformed,
// oversized, unsigned-when-a-key-is-set, badly signed, replayed (an id seen
// before), stale (every target's interval already over) and other feeds'
// events are ignored and say why; nothing here throws or blocks.
// Thread-safe (one mutex).
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "grid/grid_events.h"
#include "grid/jws.h"

namespace fab::grid {

struct GridBudgetOptions {
  std::optional<double> configured_watts;  // none: no budget of the operator's
  std::string feed_tag;                    // this server's feed; empty: it takes every feed's targets
  double share = 1.0;                      // of the feed's target, in (0, 1]
  std::optional<JwsVerifier> verifier;     // none: plain data accepted (lab use)
};

struct ConsumeResult {
  bool applied = false;
  std::string type;       // the event's type, when it parsed
  std::string id;         // the event's id, when it parsed
  std::string why;        // applied: what changed; ignored: why
  bool unsigned_data = false;
  std::optional<std::string> correlationid;  // to echo in the status that answers it
  std::optional<PowerBreachAlert> breach;     // a breach alert that was applied
};

class GridBudget {
 public:
  static constexpr size_t kRememberedIds = 4096;
  static constexpr int64_t kBreachLifetimeMs = 3600 * 1000;

  explicit GridBudget(GridBudgetOptions options);

  ConsumeResult Consume(std::string_view message, int64_t now_ms);

  // The budget in force at `now_ms`; nullopt: unlimited.
  std::optional<double> BudgetWatts(int64_t now_ms) const;
  // What sets it: "configured", "grid target <correlation id>",
  // "breach <breach id>" or "none".
  std::string BudgetSource(int64_t now_ms) const;

  // The operator's budget (admin API); nullopt removes it.
  void SetConfiguredWatts(std::optional<double> watts);
  std::optional<double> configured_watts() const;

  // This feed's state for grid.powerstate.status.v1.
  FeedState Snapshot(int64_t now_ms, double calculated_watts, const std::string& event) const;
  const std::string& feed_tag() const { return options_.feed_tag; }

 private:
  struct StoredTarget {
    LoadTarget target;
    std::string correlation_id;
  };

  ConsumeResult ApplyLoadTargets(const LoadTargetSet& set, const CloudEvent& event, int64_t now_ms);
  ConsumeResult ApplyBreach(const PowerBreachAlert& alert, int64_t now_ms);
  bool ForThisFeed(const std::vector<std::string>& tags) const;
  void Expire(int64_t now_ms) const;                            // under mutex_
  std::optional<double> TargetWatts(int64_t now_ms, std::string* source) const;  // under mutex_
  std::optional<double> BreachWatts(int64_t now_ms, std::string* source) const;  // under mutex_
  std::optional<double> Budget(int64_t now_ms, std::string* source) const;       // under mutex_

  GridBudgetOptions options_;
  mutable std::mutex mutex_;
  mutable std::vector<StoredTarget> targets_;                      // guarded by mutex_; oldest first
  mutable std::map<std::string, std::pair<PowerBreachAlert, int64_t>> breaches_;  // guarded; id → (alert, last seen)
  std::unordered_set<std::string> seen_ids_;                       // guarded by mutex_
  std::deque<std::string> seen_order_;                             // guarded by mutex_
};

}  // namespace fab::grid
