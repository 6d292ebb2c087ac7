#include "power/grid_link.h"

#include <mosquitto.h>
#include <nats/nats.h>

#include <atomic>
#include <charconv>
#include <mutex>

#include "grid/cloud_event.h"

namespace fab::power {
namespace {

std::string NatsSubject(std::string topic) {
  for (char& c : topic) {
    if (c == '/') c = '.';
  }
  return topic;
}

class MqttLink final : public GridLink {
 public:
  MqttLink(GridUrl url, OnMessage on_message) : url_(std::move(url)), on_message_(std::move(on_message)) {}

  ~MqttLink() override {
    if (client_ != nullptr) {
      mosquitto_disconnect(client_);
      mosquitto_loop_stop(client_, /*force=*/false);  // disconnected above: the loop ends by itself
      mosquitto_destroy(client_);
    }
  }

  Status Start(const std::string& client_id) {
    static std::once_flag init;
    std::call_once(init, [] { mosquitto_lib_init(); });
    client_ = mosquitto_new(client_id.c_str(), /*clean_session=*/true, this);
    if (client_ == nullptr) return UnavailableError("libmosquitto cannot make a client");
    mosquitto_int_option(client_, MOSQ_OPT_PROTOCOL_VERSION, MQTT_PROTOCOL_V311);
    mosquitto_reconnect_delay_set(client_, 1, 30, /*exponential=*/true);
    mosquitto_connect_callback_set(client_, [](mosquitto* client, void* self, int rc) {
      auto* link = static_cast<MqttLink*>(self);
      link->connected_.store(rc == 0, std::memory_order_release);
      if (rc == 0 && link->on_message_) mosquitto_subscribe(client, nullptr, link->url_.topic.c_str(), 1);
    });
    mosquitto_disconnect_callback_set(client_, [](mosquitto*, void* self, int) {
      static_cast<MqttLink*>(self)->connected_.store(false, std::memory_order_release);
    });
    mosquitto_message_callback_set(client_, [](mosquitto*, void* self, const mosquitto_message* message) {
      auto* link = static_cast<MqttLink*>(self);
      if (!link->on_message_ || message->payloadlen <= 0 ||
          static_cast<size_t>(message->payloadlen) > grid::kMaxCloudEventBytes) {
        return;
      }
      link->on_message_(std::string_view(static_cast<const char*>(message->payload), static_cast<size_t>(message->payloadlen)));
    });
    // connect_async: a broker that is not up yet is retried by the loop thread.
    const int rc = mosquitto_connect_async(client_, url_.host.c_str(), url_.port, /*keepalive=*/30);
    if (rc != MOSQ_ERR_SUCCESS && rc != MOSQ_ERR_ERRNO) {
      return UnavailableError("MQTT " + url_.host + ":" + std::to_string(url_.port) + ": " + mosquitto_strerror(rc));
    }
    if (mosquitto_loop_start(client_) != MOSQ_ERR_SUCCESS) return UnavailableError("libmosquitto cannot start its thread");
    return OkStatus();
  }

  Status Publish(const std::string& topic, const std::string& payload) override {
    const int rc = mosquitto_publish(client_, nullptr, topic.c_str(), static_cast<int>(payload.size()), payload.data(),
                                     /*qos=*/1, /*retain=*/false);
    if (rc != MOSQ_ERR_SUCCESS) return UnavailableError(std::string("MQTT publish: ") + mosquitto_strerror(rc));
    return OkStatus();
  }

  bool connected() const override { return connected_.load(std::memory_order_acquire); }
  const GridUrl& url() const override { return url_; }

 private:
  const GridUrl url_;
  const OnMessage on_message_;
  mosquitto* client_ = nullptr;
  std::atomic<bool> connected_{false};
};

class NatsLink final : public GridLink {
 public:
  NatsLink(GridUrl url, OnMessage on_message) : url_(std::move(url)), on_message_(std::move(on_message)) {}

  ~NatsLink() override {
    if (subscription_ != nullptr) natsSubscription_Destroy(subscription_);
    if (connection_ != nullptr) {
      natsConnection_Close(connection_);
      natsConnection_Destroy(connection_);
    }
    if (options_ != nullptr) natsOptions_Destroy(options_);
  }

  Status Start(const std::string& client_id) {
    const std::string server = "nats://" + url_.host + ":" + std::to_string(url_.port);
    if (natsOptions_Create(&options_) != NATS_OK || natsOptions_SetURL(options_, server.c_str()) != NATS_OK ||
        natsOptions_SetName(options_, client_id.c_str()) != NATS_OK ||
        natsOptions_SetRetryOnFailedConnect(options_, true, nullptr, nullptr) != NATS_OK ||
        natsOptions_SetMaxReconnect(options_, -1) != NATS_OK || natsOptions_SetReconnectWait(options_, 1000) != NATS_OK) {
      return UnavailableError("libnats cannot be set up");
    }
    const natsStatus connected = natsConnection_Connect(&connection_, options_);
    if (connected != NATS_OK && connected != NATS_NOT_YET_CONNECTED) {
      return UnavailableError("NATS " + server + ": " + natsStatus_GetText(connected));
    }
    if (on_message_) {
      const std::string subject = NatsSubject(url_.topic);
      const natsStatus subscribed = natsConnection_Subscribe(
          &subscription_, connection_, subject.c_str(),
          [](natsConnection*, natsSubscription*, natsMsg* message, void* self) {
            auto* link = static_cast<NatsLink*>(self);
            const int length = natsMsg_GetDataLength(message);
            if (length > 0 && static_cast<size_t>(length) <= grid::kMaxCloudEventBytes) {
              link->on_message_(std::string_view(natsMsg_GetData(message), static_cast<size_t>(length)));
            }
            natsMsg_Destroy(message);
          },
          this);
      if (subscribed != NATS_OK) return UnavailableError("NATS subscribe " + subject + ": " + natsStatus_GetText(subscribed));
    }
    return OkStatus();
  }

  Status Publish(const std::string& topic, const std::string& payload) override {
    const natsStatus sent = natsConnection_Publish(connection_, NatsSubject(topic).c_str(), payload.data(),
                                                   static_cast<int>(payload.size()));
    if (sent != NATS_OK) return UnavailableError(std::string("NATS publish: ") + natsStatus_GetText(sent));
    return OkStatus();
  }

  bool connected() const override { return natsConnection_Status(connection_) == NATS_CONN_STATUS_CONNECTED; }
  const GridUrl& url() const override { return url_; }

 private:
  const GridUrl url_;
  const OnMessage on_message_;
  natsOptions* options_ = nullptr;
  natsConnection* connection_ = nullptr;
  natsSubscription* subscription_ = nullptr;
};

}  // namespace

StatusOr<GridUrl> ParseGridUrl(std::string_view text) {
  GridUrl url;
  std::string_view rest;
  if (text.rfind("mqtt://", 0) == 0) {
    url.scheme = GridUrl::Scheme::kMqtt;
    url.port = 1883;
    rest = text.substr(7);
  } else if (text.rfind("nats://", 0) == 0) {
    url.scheme = GridUrl::Scheme::kNats;
    url.port = 4222;
    rest = text.substr(7);
  } else {
    return InvalidArgumentError("a grid URL is mqtt://HOST[:PORT]/TOPIC or nats://HOST[:PORT]/SUBJECT, not '" +
                                std::string(text.substr(0, 64)) + "'");
  }
  const size_t slash = rest.find('/');
  if (slash == std::string_view::npos || slash + 1 >= rest.size()) {
    return InvalidArgumentError("the grid URL '" + std::string(text.substr(0, 64)) + "' names no topic after the host");
  }
  std::string_view authority = rest.substr(0, slash);
  url.topic = std::string(rest.substr(slash + 1));
  const size_t colon = authority.rfind(':');
  if (colon != std::string_view::npos && authority.find(']') == std::string_view::npos) {
    const std::string_view port = authority.substr(colon + 1);
    unsigned value = 0;
    const auto [end, error] = std::from_chars(port.data(), port.data() + port.size(), value);
    if (error != std::errc() || end != port.data() + port.size() || value < 1 || value > 65535) {
      return InvalidArgumentError("the grid URL's port must be 1 to 65535");
    }
    url.port = static_cast<uint16_t>(value);
    authority = authority.substr(0, colon);
  }
  if (authority.empty()) return InvalidArgumentError("the grid URL names no host");
  url.host = std::string(authority);
  if (url.topic.size() > 1024 || url.topic.find('\0') != std::string::npos) {
    return InvalidArgumentError("the grid URL's topic is not a topic");
  }
  return url;
}

StatusOr<std::unique_ptr<GridLink>> GridLink::Open(const GridUrl& url, const std::string& client_id, OnMessage on_message) {
  if (url.scheme == GridUrl::Scheme::kMqtt) {
    auto link = std::make_unique<MqttLink>(url, std::move(on_message));
    FAB_RETURN_IF_ERROR(link->Start(client_id));
    return std::unique_ptr<GridLink>(std::move(link));
  }
  auto link = std::make_unique<NatsLink>(url, std::move(on_message));
  FAB_RETURN_IF_ERROR(link->Start(client_id));
  return std::unique_ptr<GridLink>(std::move(link));
}

}  // namespace fab::power
