// GridLink: one connection to the event bus that carries grid events —
// MQTT 3.1.1 at QoS 1 (libmosquitto) or NATS core (libnats) — that hands
// every message on its subscription to a callback and publishes events.
//   mqtt://HOST[:1883]/TOPIC   MQTT; TOPIC may hold '/' and the '+'/'#' wildcards
//   nats://HOST[:4222]/SUBJECT NATS; a subject given with '/' is read with '.'
// A link reconnects by itself (with back-off) when the broker goes away;
// messages over grid::kMaxCloudEventBytes are dropped unread. The callback
// runs on the link's own network thread and must not block for long.
// Thread-safe: Publish from any thread.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "base/status.h"

namespace fab::power {

struct GridUrl {
  enum class Scheme { kMqtt, kNats };
  Scheme scheme = Scheme::kMqtt;
  std::string host;
  uint16_t port = 0;
  std::string topic;  // MQTT topic, or NATS subject ('/' read as '.')
};

// InvalidArgument naming what is wrong (scheme, host, port, empty topic).
StatusOr<GridUrl> ParseGridUrl(std::string_view url);

class GridLink {
 public:
  using OnMessage = std::function<void(std::string_view payload)>;

  // Connects (asynchronously: a broker that is not up yet is retried) and
  // subscribes to url.topic when `on_message` is set. Unavailable when the
  // client library cannot be set up.
  static StatusOr<std::unique_ptr<GridLink>> Open(const GridUrl& url, const std::string& client_id, OnMessage on_message);

  virtual ~GridLink() = default;
  // `topic` in this link's convention (MQTT topic or NATS subject; '/' is
  // read as '.' on NATS). QoS 1 on MQTT. Unavailable while disconnected.
  virtual Status Publish(const std::string& topic, const std::string& payload) = 0;
  virtual bool connected() const = 0;
  virtual const GridUrl& url() const = 0;
};

}  // namespace fab::power
