#include "grid/grid_test_events.h"

#include <openssl/evp.h>
#include <openssl/pem.h>

#include "grid/cloud_event.h"

namespace fab::grid_test {
namespace {

KeyPair Export(EVP_PKEY* key) {
  KeyPair pair;
  BIO* bio = BIO_new(BIO_s_mem());
  PEM_write_bio_PrivateKey(bio, key, nullptr, nullptr, 0, nullptr, nullptr);
  char* data = nullptr;
  long length = BIO_get_mem_data(bio, &data);
  pair.private_pem.assign(data, static_cast<size_t>(length));
  BIO_free(bio);
  bio = BIO_new(BIO_s_mem());
  PEM_write_bio_PUBKEY(bio, key);
  length = BIO_get_mem_data(bio, &data);
  pair.public_pem.assign(data, static_cast<size_t>(length));
  BIO_free(bio);
  EVP_PKEY_free(key);
  return pair;
}

}  // namespace

KeyPair NewEcKeyPair() { return Export(EVP_EC_gen("P-256")); }
KeyPair NewRsaKeyPair() { return Export(EVP_RSA_gen(2048)); }

boost::json::object LoadTargetData(double value, const std::string& unit, const std::string& feed,
                                   std::optional<int64_t> start_ms, std::optional<int64_t> end_ms) {
  boost::json::object interval;
  if (start_ms) interval["start_time"] = grid::FormatRfc3339(*start_ms);
  if (end_ms) interval["end_time"] = grid::FormatRfc3339(*end_ms);
  boost::json::object target{{"interval", interval}};
  target["load_constraint"] = value < 0 ? boost::json::value(nullptr)
                                        : boost::json::value(boost::json::object{{"value", value}, {"unit", unit}});
  if (!feed.empty()) target["feed_tags"] = boost::json::array{boost::json::string(feed)};
  return boost::json::object{{"targets", boost::json::array{target}}};
}

boost::json::object BreachAlertData(const std::string& feed, const std::string& status, const std::string& breach_id,
                                    double target_watts, double measured_watts, int64_t detected_ms) {
  boost::json::object breach{{"breach_id", breach_id}, {"detected_at", grid::FormatRfc3339(detected_ms)}};
  if (status == "resolved") breach["resolved_at"] = grid::FormatRfc3339(detected_ms + 1000);
  boost::json::object data{
      {"feed_tag", feed},
      {"status", status},
      {"severity", "critical"},
      {"breach", breach},
      {"target", boost::json::object{{"correlation_id", grid::NewUuid()},
                                     {"load_constraint", boost::json::object{{"value", target_watts}, {"unit", "watt"}}}}},
      {"measured_load", boost::json::object{{"value", measured_watts}, {"unit", "watt"}}},
      {"infrastructure_actions", boost::json::array{}}};
  if (status != "resolved") {
    data["shed_hints"] = boost::json::array{boost::json::object{
        {"resource_id", "node-1"}, {"resource_type", "node"}, {"action", "throttle"}, {"priority", 1}}};
    data["infrastructure_actions"] = boost::json::array{"SHUTDOWN_NODES"};
  }
  return data;
}

std::string Event(const std::string& type, const boost::json::value& data, int64_t time_ms, const std::string& id,
                  const std::string& correlationid) {
  grid::CloudEvent event;
  event.id = id.empty() ? grid::NewUuid() : id;
  event.source = type == "grid.loadtarget.set.v1" ? "//grid/v1/isv/test-utility" : "//grid/v1/dsx-flex-agent/test-agent";
  event.type = type;
  event.time = grid::FormatRfc3339(time_ms);
  event.subject = type == "grid.loadtarget.set.v1" ? "loadtarget" : "powerbreach";
  event.traceparent = grid::NewTraceparent();
  if (!correlationid.empty()) event.correlationid = correlationid;
  event.data = data;
  return grid::SerializeCloudEvent(event);
}

}  // namespace fab::grid_test
