// A reader of the Prometheus text exposition format (version 0.0.4), just
// enough to total one metric from an exporter's /metrics page. Pure and
// thread-safe; any bytes are safe input (a line that does not parse is
// skipped, sizes are bounded), so it is fuzzed and tested alone.
#pragma once

#include <cstddef>
#include <string_view>

#include "base/status.h"

namespace fab::server {

constexpr size_t kMaxPrometheusPageBytes = size_t{32} << 20;
constexpr size_t kMaxPrometheusLineBytes = size_t{64} << 10;  // longer lines are skipped
constexpr size_t kMaxPrometheusLabels = 128;                  // per sample and in a filter

// The sum of every sample of exactly `metric` (so "x_total" is not
// "x_total_bucket") whose labels include each `name="value"` pair of
// `label_filter` (comma-separated, optionally in braces; "" matches every
// sample). Samples whose value is NaN or ±Inf are left out.
// Errors: InvalidArgument for a bad metric name or filter; ResourceExhausted
// for a page over kMaxPrometheusPageBytes; NotFound when no finite sample of
// the metric matches; OutOfRange when the sum overflows a double.
StatusOr<double> SumPrometheusSamples(std::string_view page, std::string_view metric,
                                      std::string_view label_filter);

}  // namespace fab::server
