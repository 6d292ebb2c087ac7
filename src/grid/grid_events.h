// The DSX Flex events tokenfab consumes and publishes (NVIDIA dsx-exchange,
// schemas/asyncapi/dsx-flex/dsx-flex.yaml, kept in tests/data/dsx-flex/):
//   consumed  grid.loadtarget.set.v1 (SetLoadTargetData)
//             grid.powerbreach.alert.v1 (PowerBreachAlertData)
//   published grid.powerstate.status.v1 (PowerStateStatusData)
//             grid.powerbreach.enforcement.v1 (PowerBreachEnforcementData)
// Readers check every field the schema requires, its enums, minimums and
// formats (UUIDs, RFC 3339), and convert power to watts. Pure, thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <boost/json.hpp>

#include "base/status.h"
#include "grid/cloud_event.h"

namespace fab::grid {

inline constexpr const char* kLoadTargetSetType = "grid.loadtarget.set.v1";
inline constexpr const char* kPowerBreachAlertType = "grid.powerbreach.alert.v1";
inline constexpr const char* kPowerStateStatusType = "grid.powerstate.status.v1";
inline constexpr const char* kPowerBreachEnforcementType = "grid.powerbreach.enforcement.v1";

// {value >= 0, unit: watt | kilowatt | megawatt} → watts.
StatusOr<double> ReadPower(const boost::json::value& power, const std::string& where);
// Watts → {value, unit: "watt"}.
boost::json::object PowerJson(double watts);

struct TimeInterval {
  std::optional<int64_t> start_ms;  // absent: now
  std::optional<int64_t> end_ms;    // absent: until replaced
};

struct LoadTarget {
  TimeInterval interval;
  std::vector<std::string> feed_tags;       // empty: every feed
  std::optional<double> constraint_watts;   // nullopt: the constraint is removed
  bool best_effort = false;
};

struct LoadTargetSet {
  std::vector<LoadTarget> targets;  // at least one
};

struct PowerBreachAlert {
  std::string feed_tag;
  std::string status;     // active | escalated | resolved
  std::string severity;   // warning | critical
  std::string breach_id;  // UUID, the same over the breach's life
  int64_t detected_ms = 0;
  std::optional<int64_t> resolved_ms;
  std::string target_correlation_id;
  double target_watts = 0.0;
  double measured_watts = 0.0;
};

// InvalidArgument naming the field (as a JSON path) for data the schema refuses.
StatusOr<LoadTargetSet> ParseLoadTargetSet(const boost::json::value& data);
StatusOr<PowerBreachAlert> ParsePowerBreachAlert(const boost::json::value& data);

// One feed's state for grid.powerstate.status.v1 (FeedState).
struct FeedTargetState {
  bool active = false;
  double constraint_watts = 0.0;
  TimeInterval interval;
  bool best_effort = false;
  std::string correlation_id;  // UUID
};
struct FeedState {
  double power_minimum_watts = 0.0;
  double power_maximum_watts = 0.0;
  double default_constraint_watts = 0.0;
  std::vector<FeedTargetState> targets;
  double calculated_load_watts = 0.0;
  bool in_flight = false;
  std::string event;  // target_set | start_ramp_down | end_ramp_down | start_ramp_up | end_ramp_up | periodic
  std::optional<int64_t> power_event_start_ms;
  bool compliant = true;
};

boost::json::object PowerStateStatusData(int64_t snapshot_ms, const std::string& feed_tag, const FeedState& feed);

// What tokenfab applied for a breach. The schema's result kinds are
// hardware's (node, gpu, chassis; power_cap, throttle, suspend): the node is
// reported as throttled, and what the serving engine did goes in the
// extension object "tokenfab": {"tiers_slowed", "tiers_deferred",
// "requests_deferred", "watts_before", "watts_after", "watts_saved"}.
struct Enforcement {
  std::string breach_id;
  std::string feed_tag;
  std::string action;  // applied | reverted
  std::string code;    // success | partial | error
  std::string diag_msg;
  std::string node_id;
  std::vector<std::string> tiers_slowed;
  std::vector<std::string> tiers_deferred;
  int64_t requests_deferred = 0;
  double watts_before = 0.0;
  double watts_after = 0.0;
  int64_t timestamp_ms = 0;
};

boost::json::object PowerBreachEnforcementData(const Enforcement& enforcement);

// A CloudEvent of `type` from `source` carrying `data`, with a new id and
// traceparent, `time` = now, and `correlationid` when given.
CloudEvent MakeEvent(const std::string& type, const std::string& source, const std::string& subject,
                     boost::json::value data, int64_t now_ms, std::optional<std::string> correlationid = std::nullopt);

}  // namespace fab::grid
