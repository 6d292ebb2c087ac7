#include "grid/cloud_event.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "grid/grid_test_events.h"

namespace fab::grid {
namespace {

namespace json = boost::json;

const int64_t kNow = 1796700000000;  // 2026-12-08

json::object ValidEvent() {
  return json::parse(grid_test::Event("grid.loadtarget.set.v1",
                                      grid_test::LoadTargetData(5, "kilowatt", "main-a", std::nullopt, std::nullopt), kNow))
      .as_object();
}

TEST(CloudEvent, ParsesAStructuredEventAndKeepsItsData) {
  json::object event = ValidEvent();
  event["correlationid"] = "0f8fad5b-d9cb-469f-a165-70867728950e";
  event["tracestate"] = "vendor=1";
  StatusOr<CloudEvent> parsed = ParseCloudEvent(json::serialize(event));
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ(parsed->type, "grid.loadtarget.set.v1");
  EXPECT_EQ(parsed->time_ms, kNow);
  EXPECT_EQ(parsed->correlationid, "0f8fad5b-d9cb-469f-a165-70867728950e");
  EXPECT_TRUE(parsed->data.is_object());
  // And back: serializing gives the same event.
  StatusOr<CloudEvent> again = ParseCloudEvent(SerializeCloudEvent(*parsed));
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->id, parsed->id);
  EXPECT_EQ(again->data, parsed->data);
}

TEST(CloudEvent, RefusesWhatTheContractDoesNotAllowNamingTheAttribute) {
  const struct {
    const char* key;
    json::value value;  // null: the attribute is removed
    const char* named;
  } cases[] = {
      {"specversion", "1.0", "specversion"},
      {"specversion", nullptr, "specversion"},
      {"id", "not-a-uuid", "id"},
      {"id", nullptr, "id"},
      {"source", "//grid/v1/utility/x", "source"},
      {"source", "//grid/v1/isv/a/b", "source"},
      {"type", nullptr, "type"},
      {"type", 7, "type"},
      {"time", "yesterday", "time"},
      {"time", "2026-13-01T00:00:00Z", "time"},
      {"time", "2026-12-01T00:00:00", "time"},
      {"datacontenttype", "text/plain", "datacontenttype"},
      {"subject", nullptr, "subject"},
      {"traceparent", "00-abc-def-01", "traceparent"},
      {"traceparent", nullptr, "traceparent"},
      {"correlationid", "nope", "correlationid"},
      {"data", nullptr, "data"},
      {"data", 5, "data"},
  };
  for (const auto& c : cases) {
    json::object event = ValidEvent();
    if (c.value.is_null()) {
      event.erase(c.key);
    } else {
      event[c.key] = c.value;
    }
    StatusOr<CloudEvent> parsed = ParseCloudEvent(json::serialize(event));
    ASSERT_FALSE(parsed.ok()) << c.key << " = " << json::serialize(c.value);
    EXPECT_NE(parsed.status().message().find(c.named), std::string::npos) << parsed.status().ToString();
  }
}

TEST(CloudEvent, RefusesNonJsonNonObjectsDeepNestingAndOversizedMessages) {
  EXPECT_FALSE(ParseCloudEvent("").ok());
  EXPECT_FALSE(ParseCloudEvent("{").ok());
  EXPECT_FALSE(ParseCloudEvent("[1]").ok());
  EXPECT_FALSE(ParseCloudEvent(std::string(100, '[') + std::string(100, ']')).ok());
  json::object event = ValidEvent();
  event["data"] = std::string(kMaxCloudEventBytes, 'x');
  StatusOr<CloudEvent> big = ParseCloudEvent(json::serialize(event));
  ASSERT_FALSE(big.ok());
  EXPECT_EQ(big.status().code(), StatusCode::kResourceExhausted);
}

TEST(Rfc3339, ReadsOffsetsAndFractionsAndWritesUtcWithMilliseconds) {
  EXPECT_EQ(ParseRfc3339("1970-01-01T00:00:00Z"), 0);
  EXPECT_EQ(ParseRfc3339("1970-01-01T00:00:01.5Z"), 1500);
  EXPECT_EQ(ParseRfc3339("1970-01-01T09:00:00+09:00"), 0);
  EXPECT_EQ(ParseRfc3339("1969-12-31T23:00:00-01:00"), 0);
  EXPECT_EQ(ParseRfc3339("2026-12-08T00:00:00Z"), 1796688000000);
  EXPECT_EQ(FormatRfc3339(1796688000123), "2026-12-08T00:00:00.123Z");
  for (int64_t ms : {int64_t{0}, int64_t{951782400000}, int64_t{1796700000999}, int64_t{4102444799000}}) {
    EXPECT_EQ(ParseRfc3339(FormatRfc3339(ms)), ms) << ms;
  }
  for (const char* bad : {"", "2026-12-08", "2026-12-08T25:00:00Z", "2026-12-08T00:00:00+0900", "2026-12-08T00:00:00Zjunk",
                          "2026-12-08T00:00:00.Z", "２026-12-08T00:00:00Z"}) {
    EXPECT_FALSE(ParseRfc3339(bad).has_value()) << bad;
  }
}

TEST(CloudEvent, MakesUuidsAndTraceparentsTheContractAccepts) {
  for (int i = 0; i < 100; ++i) {
    const std::string uuid = NewUuid();
    EXPECT_TRUE(IsUuid(uuid)) << uuid;
    EXPECT_EQ(uuid[14], '4');
    EXPECT_NE(std::string("89ab").find(uuid[19]), std::string::npos) << uuid;
    EXPECT_TRUE(IsTraceparent(NewTraceparent()));
  }
  EXPECT_NE(NewUuid(), NewUuid());
}

}  // namespace
}  // namespace fab::grid
