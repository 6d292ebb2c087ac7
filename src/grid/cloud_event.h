// CloudEvents 1.0.2 in structured JSON mode, as NVIDIA's DSX Flex contract
// (tests/data/dsx-flex/dsx-flex.yaml, BaseCloudEvent) carries them on MQTT
// and NATS: one JSON object per message holding every attribute and `data`.
// Parsing checks what that schema requires — specversion "1.0.2", a UUID
// id, a //grid/v1/<role>/<identifier> source, an RFC 3339 time,
// datacontenttype "application/json", a subject, a W3C traceparent, an
// optional UUID correlationid — and bounds the size; `data` is kept as it
// came (a JWS compact string or a plain object; grid_events.h reads it).
// Pure, thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <boost/json.hpp>

#include "base/status.h"

namespace fab::grid {

inline constexpr size_t kMaxCloudEventBytes = size_t{256} << 10;

struct CloudEvent {
  std::string id;
  std::string source;
  std::string type;
  std::string time;                        // RFC 3339, as sent
  int64_t time_ms = 0;                     // the same, Unix milliseconds
  std::string subject;
  std::string traceparent;
  std::optional<std::string> tracestate;
  std::optional<std::string> correlationid;
  boost::json::value data;                 // a string (JWS) or an object
};

// InvalidArgument naming the attribute for anything the contract does not
// allow; ResourceExhausted past kMaxCloudEventBytes.
StatusOr<CloudEvent> ParseCloudEvent(std::string_view payload);

// The event as one compact JSON object (specversion and datacontenttype
// added). `data` must be a string or an object.
std::string SerializeCloudEvent(const CloudEvent& event);

// Checks of the contract's formats, shared with the event payloads.
bool IsUuid(std::string_view text);
bool IsTraceparent(std::string_view text);
// RFC 3339 date-time ("2026-12-08T01:02:03Z", fractions and offsets
// allowed) → Unix milliseconds; nullopt when it is not one.
std::optional<int64_t> ParseRfc3339(std::string_view text);
// Unix milliseconds → "2026-12-08T01:02:03.456Z".
std::string FormatRfc3339(int64_t unix_ms);
// A new random UUIDv4 and a new traceparent ("00-<32 hex>-<16 hex>-01").
std::string NewUuid();
std::string NewTraceparent();

}  // namespace fab::grid
