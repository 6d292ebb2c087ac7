// libFuzzer target for the grid events a server consumes from a broker it
// does not control (src/grid/): any bytes as a message must parse as a
// CloudEvent or be refused with a Status; what parses serializes and parses
// back to the same event; and any bytes fed to a GridBudget (twice: the
// second time is a replay) must leave a budget that is absent or a finite,
// non-negative number no higher than the operator's, never crash or hang.
// Oversized messages are refused before they are parsed.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_support.h"
#include "grid/cloud_event.h"
#include "grid/grid_budget.h"
#include "grid/jws.h"

namespace {

using fab::fuzz::Require;
namespace grid = fab::grid;

constexpr int64_t kNow = 1796700000000;
constexpr double kConfigured = 500.0;

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view message(reinterpret_cast<const char*>(data), size);
  fab::StatusOr<grid::CloudEvent> event = grid::ParseCloudEvent(message);
  if (event.ok()) {
    Require(grid::IsUuid(event->id), "a parsed event has a UUID id");
    Require(event->data.is_string() || event->data.is_object(), "a parsed event's data is a string or an object");
    fab::StatusOr<grid::CloudEvent> again = grid::ParseCloudEvent(grid::SerializeCloudEvent(*event));
    Require(again.ok() && again->id == event->id && again->data == event->data && again->time_ms == event->time_ms,
            "an event serializes and parses back to itself");
  }
  if (size > grid::kMaxCloudEventBytes) Require(!event.ok(), "oversized messages are refused");

  grid::GridBudgetOptions options;
  options.configured_watts = kConfigured;
  options.feed_tag = size % 2 == 0 ? "main-a" : "";
  options.share = 0.5;
  grid::GridBudget budget(std::move(options));
  const grid::ConsumeResult first = budget.Consume(message, kNow);
  const grid::ConsumeResult replay = budget.Consume(message, kNow + 1);
  Require(!replay.applied || !first.applied, "a message applies at most once");
  for (int64_t at : {kNow, kNow + 1, kNow + 3600 * 1000, kNow + 86400 * 1000}) {
    const std::optional<double> watts = budget.BudgetWatts(at);
    Require(watts.has_value(), "the operator's budget stays in force");
    Require(std::isfinite(*watts) && *watts >= 0.0 && *watts <= kConfigured, "the budget is finite, >= 0, <= the operator's");
  }
  // The same bytes as a JWS must verify or be refused.
  (void)grid::Base64UrlDecode(message);
  return 0;
}
