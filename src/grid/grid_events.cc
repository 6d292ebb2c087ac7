#include "grid/grid_events.h"

#include <cmath>

namespace fab::grid {
namespace {

namespace json = boost::json;

constexpr size_t kMaxTargets = 256;
constexpr size_t kMaxFeedTags = 256;

Status Bad(const std::string& where, const std::string& why) { return InvalidArgumentError(where + ": " + why); }

const json::object* ObjectAt(const json::value& value) { return value.if_object(); }

StatusOr<std::string> RequiredString(const json::object& object, const char* key, const std::string& where) {
  const json::value* value = object.if_contains(key);
  if (value == nullptr) return Bad(where + "." + key, "is required");
  if (!value->is_string() || value->as_string().size() > 1024) return Bad(where + "." + key, "must be a string");
  return std::string(value->as_string());
}

StatusOr<std::optional<int64_t>> OptionalTime(const json::object& object, const char* key, const std::string& where) {
  const json::value* value = object.if_contains(key);
  if (value == nullptr || value->is_null()) return std::optional<int64_t>();
  if (!value->is_string()) return Bad(where + "." + key, "must be an RFC 3339 date-time");
  const std::optional<int64_t> ms = ParseRfc3339(value->as_string());
  if (!ms) return Bad(where + "." + key, "must be an RFC 3339 date-time");
  return ms;
}

StatusOr<std::string> EnumString(const json::object& object, const char* key, const std::string& where,
                                 std::initializer_list<const char*> allowed) {
  FAB_ASSIGN_OR_RETURN(std::string value, RequiredString(object, key, where));
  for (const char* option : allowed) {
    if (value == option) return value;
  }
  std::string list;
  for (const char* option : allowed) list += (list.empty() ? "" : ", ") + std::string(option);
  return Bad(where + "." + key, "must be one of " + list);
}

StatusOr<TimeInterval> ReadInterval(const json::value& value, const std::string& where) {
  const json::object* object = ObjectAt(value);
  if (object == nullptr) return Bad(where, "must be an object");
  TimeInterval interval;
  FAB_ASSIGN_OR_RETURN(interval.start_ms, OptionalTime(*object, "start_time", where));
  FAB_ASSIGN_OR_RETURN(interval.end_ms, OptionalTime(*object, "end_time", where));
  if (interval.start_ms && interval.end_ms && *interval.end_ms <= *interval.start_ms) {
    return Bad(where, "end_time must be after start_time");
  }
  return interval;
}

json::object IntervalJson(const TimeInterval& interval) {
  json::object out;
  if (interval.start_ms) out["start_time"] = FormatRfc3339(*interval.start_ms);
  if (interval.end_ms) out["end_time"] = FormatRfc3339(*interval.end_ms);
  return out;
}

}  // namespace

StatusOr<double> ReadPower(const json::value& power, const std::string& where) {
  const json::object* object = ObjectAt(power);
  if (object == nullptr) return Bad(where, "must be {value, unit}");
  const json::value* value = object->if_contains("value");
  if (value == nullptr || !value->is_number()) return Bad(where + ".value", "must be a number");
  const double number = value->to_number<double>();
  if (!std::isfinite(number) || number < 0) return Bad(where + ".value", "must be a finite number >= 0");
  FAB_ASSIGN_OR_RETURN(std::string unit, EnumString(*object, "unit", where, {"watt", "kilowatt", "megawatt"}));
  const double scale = unit == "watt" ? 1.0 : unit == "kilowatt" ? 1e3 : 1e6;
  if (number * scale > 1e15) return Bad(where + ".value", "is beyond any feed");
  return number * scale;
}

json::object PowerJson(double watts) { return json::object{{"value", watts}, {"unit", "watt"}}; }

StatusOr<LoadTargetSet> ParseLoadTargetSet(const json::value& data) {
  const json::object* object = ObjectAt(data);
  if (object == nullptr) return Bad("data", "must be an object");
  const json::value* targets = object->if_contains("targets");
  if (targets == nullptr || !targets->is_array()) return Bad("data.targets", "is required and must be an array");
  if (targets->as_array().empty()) return Bad("data.targets", "must hold at least one target");
  if (targets->as_array().size() > kMaxTargets) return Bad("data.targets", "holds too many targets");
  LoadTargetSet out;
  for (size_t i = 0; i < targets->as_array().size(); ++i) {
    const std::string where = "data.targets[" + std::to_string(i) + "]";
    const json::object* target = ObjectAt(targets->as_array()[i]);
    if (target == nullptr) return Bad(where, "must be an object");
    LoadTarget parsed;
    const json::value* interval = target->if_contains("interval");
    if (interval == nullptr) return Bad(where + ".interval", "is required");
    FAB_ASSIGN_OR_RETURN(parsed.interval, ReadInterval(*interval, where + ".interval"));
    if (!target->contains("load_constraint")) return Bad(where + ".load_constraint", "is required (null removes it)");
    const json::value& constraint = target->at("load_constraint");
    if (!constraint.is_null()) {
      FAB_ASSIGN_OR_RETURN(const double watts, ReadPower(constraint, where + ".load_constraint"));
      parsed.constraint_watts = watts;
    }
    if (const json::value* tags = target->if_contains("feed_tags")) {
      if (!tags->is_array() || tags->as_array().size() > kMaxFeedTags) return Bad(where + ".feed_tags", "must be an array of strings");
      for (const json::value& tag : tags->as_array()) {
        if (!tag.is_string() || tag.as_string().size() > 256) return Bad(where + ".feed_tags", "must be an array of strings");
        parsed.feed_tags.emplace_back(tag.as_string());
      }
    }
    if (const json::value* strategy = target->if_contains("strategy")) {
      if (!strategy->is_object()) return Bad(where + ".strategy", "must be an object");
      if (const json::value* best = strategy->as_object().if_contains("best_effort")) {
        if (!best->is_bool()) return Bad(where + ".strategy.best_effort", "must be a boolean");
        parsed.best_effort = best->as_bool();
      }
    }
    out.targets.push_back(std::move(parsed));
  }
  return out;
}

StatusOr<PowerBreachAlert> ParsePowerBreachAlert(const json::value& data) {
  const json::object* object = ObjectAt(data);
  if (object == nullptr) return Bad("data", "must be an object");
  PowerBreachAlert out;
  FAB_ASSIGN_OR_RETURN(out.feed_tag, RequiredString(*object, "feed_tag", "data"));
  FAB_ASSIGN_OR_RETURN(out.status, EnumString(*object, "status", "data", {"active", "escalated", "resolved"}));
  FAB_ASSIGN_OR_RETURN(out.severity, EnumString(*object, "severity", "data", {"warning", "critical"}));
  const json::value* breach = object->if_contains("breach");
  if (breach == nullptr || !breach->is_object()) return Bad("data.breach", "is required and must be an object");
  FAB_ASSIGN_OR_RETURN(out.breach_id, RequiredString(breach->as_object(), "breach_id", "data.breach"));
  if (!IsUuid(out.breach_id)) return Bad("data.breach.breach_id", "must be a UUID");
  FAB_ASSIGN_OR_RETURN(std::optional<int64_t> detected, OptionalTime(breach->as_object(), "detected_at", "data.breach"));
  if (!detected) return Bad("data.breach.detected_at", "is required");
  out.detected_ms = *detected;
  FAB_ASSIGN_OR_RETURN(out.resolved_ms, OptionalTime(breach->as_object(), "resolved_at", "data.breach"));
  const json::value* target = object->if_contains("target");
  if (target == nullptr || !target->is_object()) return Bad("data.target", "is required and must be an object");
  FAB_ASSIGN_OR_RETURN(out.target_correlation_id, RequiredString(target->as_object(), "correlation_id", "data.target"));
  if (!IsUuid(out.target_correlation_id)) return Bad("data.target.correlation_id", "must be a UUID");
  const json::value* constraint = target->as_object().if_contains("load_constraint");
  if (constraint == nullptr) return Bad("data.target.load_constraint", "is required");
  FAB_ASSIGN_OR_RETURN(out.target_watts, ReadPower(*constraint, "data.target.load_constraint"));
  const json::value* measured = object->if_contains("measured_load");
  if (measured == nullptr) return Bad("data.measured_load", "is required");
  FAB_ASSIGN_OR_RETURN(out.measured_watts, ReadPower(*measured, "data.measured_load"));
  const json::value* actions = object->if_contains("infrastructure_actions");
  if (actions == nullptr || !actions->is_array()) return Bad("data.infrastructure_actions", "is required and must be an array");
  for (const json::value& action : actions->as_array()) {
    const bool known = action.is_string() &&
                       (action.as_string() == "SHUTDOWN_NODES" || action.as_string() == "SHUTDOWN_RACKS" ||
                        action.as_string() == "CUT_DATA_FEEDS" || action.as_string() == "TRIP_BREAKERS");
    if (!known) return Bad("data.infrastructure_actions", "holds an unknown action");
  }
  if (const json::value* hints = object->if_contains("shed_hints")) {
    if (!hints->is_array()) return Bad("data.shed_hints", "must be an array");
    for (size_t i = 0; i < hints->as_array().size(); ++i) {
      const std::string where = "data.shed_hints[" + std::to_string(i) + "]";
      const json::object* hint = ObjectAt(hints->as_array()[i]);
      if (hint == nullptr) return Bad(where, "must be an object");
      FAB_RETURN_IF_ERROR(RequiredString(*hint, "resource_id", where).status());
      FAB_RETURN_IF_ERROR(EnumString(*hint, "resource_type", where, {"node", "gpu", "chassis"}).status());
      FAB_RETURN_IF_ERROR(EnumString(*hint, "action", where, {"power_cap", "throttle", "suspend"}).status());
      const json::value* priority = hint->if_contains("priority");
      if (priority == nullptr || !priority->is_int64() || priority->as_int64() < 1) {
        return Bad(where + ".priority", "must be an integer >= 1");
      }
    }
  }
  return out;
}

json::object PowerStateStatusData(int64_t snapshot_ms, const std::string& feed_tag, const FeedState& feed) {
  json::array targets;
  for (const FeedTargetState& target : feed.targets) {
    targets.push_back(json::object{{"active", target.active},
                                   {"load_constraint", PowerJson(target.constraint_watts)},
                                   {"interval", IntervalJson(target.interval)},
                                   {"strategy", json::object{{"best_effort", target.best_effort}}},
                                   {"correlation_id", target.correlation_id}});
  }
  json::object state{{"metadata", json::object{{"power_minimum", PowerJson(feed.power_minimum_watts)},
                                               {"power_maximum", PowerJson(feed.power_maximum_watts)},
                                               {"default_constraint", PowerJson(feed.default_constraint_watts)}}},
                     {"targets", std::move(targets)},
                     {"calculated_load", PowerJson(feed.calculated_load_watts)},
                     {"in_flight", feed.in_flight},
                     {"event", feed.event},
                     {"compliant", feed.compliant}};
  if (feed.power_event_start_ms) state["power_event_start_time"] = FormatRfc3339(*feed.power_event_start_ms);
  return json::object{{"snapshot_time", FormatRfc3339(snapshot_ms)},
                      {"feeds", json::object{{feed_tag, std::move(state)}}}};
}

json::object PowerBreachEnforcementData(const Enforcement& e) {
  json::array slowed, deferred;
  for (const std::string& tier : e.tiers_slowed) slowed.push_back(json::string(tier));
  for (const std::string& tier : e.tiers_deferred) deferred.push_back(json::string(tier));
  json::object node_result{{"resource_id", e.node_id},
                           {"resource_type", "node"},
                           {"requested_action", "throttle"},
                           {"code", e.code == "error" ? "failed" : "applied"}};
  if (!e.diag_msg.empty()) node_result["message"] = e.diag_msg;
  json::object out{{"breach_id", e.breach_id},
                   {"feed_tag", e.feed_tag},
                   {"action", e.action},
                   {"code", e.code},
                   {"results", json::array{std::move(node_result)}},
                   {"timestamp", FormatRfc3339(e.timestamp_ms)},
                   {"tokenfab", json::object{{"tiers_slowed", std::move(slowed)},
                                             {"tiers_deferred", std::move(deferred)},
                                             {"requests_deferred", e.requests_deferred},
                                             {"watts_before", e.watts_before},
                                             {"watts_after", e.watts_after},
                                             {"watts_saved", std::max(0.0, e.watts_before - e.watts_after)}}}};
  if (!e.diag_msg.empty()) out["diag_msg"] = e.diag_msg;
  return out;
}

CloudEvent MakeEvent(const std::string& type, const std::string& source, const std::string& subject, json::value data,
                     int64_t now_ms, std::optional<std::string> correlationid) {
  CloudEvent event;
  event.id = NewUuid();
  event.source = source;
  event.type = type;
  event.time = FormatRfc3339(now_ms);
  event.time_ms = now_ms;
  event.subject = subject;
  event.traceparent = NewTraceparent();
  event.correlationid = std::move(correlationid);
  event.data = std::move(data);
  return event;
}

}  // namespace fab::grid
