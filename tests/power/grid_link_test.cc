#include "power/grid_link.h"

#include <gtest/gtest.h>

namespace fab::power {
namespace {

TEST(ParseGridUrl, ReadsSchemeHostPortAndTopicWithDefaultPorts) {
  StatusOr<GridUrl> mqtt = ParseGridUrl("mqtt://broker.example:18830/grid/v1/isv/acme/loadtarget/set");
  ASSERT_TRUE(mqtt.ok()) << mqtt.status().ToString();
  EXPECT_EQ(mqtt->scheme, GridUrl::Scheme::kMqtt);
  EXPECT_EQ(mqtt->host, "broker.example");
  EXPECT_EQ(mqtt->port, 18830);
  EXPECT_EQ(mqtt->topic, "grid/v1/isv/acme/loadtarget/set");
  EXPECT_EQ(ParseGridUrl("mqtt://h/grid/v1/+/+/loadtarget/set")->port, 1883);
  StatusOr<GridUrl> nats = ParseGridUrl("nats://127.0.0.1/grid.v1.isv.acme.loadtarget.set");
  ASSERT_TRUE(nats.ok());
  EXPECT_EQ(nats->scheme, GridUrl::Scheme::kNats);
  EXPECT_EQ(nats->port, 4222);
}

TEST(ParseGridUrl, RefusesOtherSchemesMissingTopicsAndBadPorts) {
  for (const char* bad : {"http://h/t", "mqtt://h", "mqtt://h/", "mqtt:///topic", "mqtt://h:0/t", "mqtt://h:70000/t",
                          "mqtt://h:12ab/t", "", "nats//h/t"}) {
    EXPECT_FALSE(ParseGridUrl(bad).ok()) << bad;
  }
}

}  // namespace
}  // namespace fab::power
