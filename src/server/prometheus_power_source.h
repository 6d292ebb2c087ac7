// PrometheusPowerSource: energy from a metric that an exporter operators
// already run publishes (Kepler, DCGM exporter, Scaphandre), scraped over
// plain http by a background thread every interval. A counter in joules is
// unwrapped across resets; a gauge in watts is integrated over time.
// Thread-safe: EnergyJoules may be called from any thread. The destructor
// stops the thread at once, or after the scrape in flight (a few seconds).
#pragma once

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "base/status.h"
#include "platform/power_source.h"
#include "server/http_client.h"

namespace fab::server {

struct PrometheusSourceOptions {
  enum class Kind {
    kCounterJoules,  // cumulative joules, e.g. kepler_node_package_joules_total
    kGaugeWatts,     // instantaneous watts, e.g. DCGM_FI_DEV_POWER_USAGE
  };
  std::string url;           // http://host:port/metrics
  std::string metric;        // e.g. kepler_node_package_joules_total
  std::string label_filter;  // optional: 'key="value"' pairs that every summed sample must carry
  Kind kind = Kind::kCounterJoules;
  std::chrono::milliseconds interval{1000};
};

class PrometheusPowerSource final : public PowerSource {
 public:
  // Scrapes once on the calling thread, then starts the background scrapes.
  // InvalidArgument for bad options (URL, metric name, filter, interval);
  // Unavailable when the exporter cannot be reached or answers an error;
  // NotFound when the page (HTTP 404) or the metric on it is missing.
  static StatusOr<std::unique_ptr<PrometheusPowerSource>> Start(PrometheusSourceOptions options);

  ~PrometheusPowerSource() override;
  PrometheusPowerSource(const PrometheusPowerSource&) = delete;
  PrometheusPowerSource& operator=(const PrometheusPowerSource&) = delete;

  // "prometheus".
  const std::string& label() const override;

  // Counter: the joules accumulated since the counter's origin, a reset (a
  // drop) counting the new value as the increase. Gauge: the integral of the
  // watts since Start, the last reading held until the next (also past a
  // failed scrape, which keeps the last value and is retried next interval).
  StatusOr<double> EnergyJoules() override;

 private:
  using Clock = std::chrono::steady_clock;

  PrometheusPowerSource(PrometheusSourceOptions options, std::string host, uint16_t port, std::string target);
  // One GET of the page and the metric's sum; called by one thread at a time.
  StatusOr<double> Scrape();
  // Folds a scraped value taken at `at` into the energy.
  void Record(double value, Clock::time_point at);
  void ScrapeLoop();

  const PrometheusSourceOptions options_;
  const std::string target_;  // the request target, e.g. "/metrics"
  HttpClient client_;         // Start's thread, then only the scrape thread

  std::mutex mutex_;
  std::condition_variable stop_requested_;
  bool stopping_ = false;                 // guarded by mutex_
  bool has_reading_ = false;              // guarded by mutex_
  double last_value_ = 0;                 // joules or watts at the last scrape; guarded by mutex_
  double energy_joules_ = 0;              // up to last_scrape_at_; guarded by mutex_
  Clock::time_point last_scrape_at_;      // guarded by mutex_
  std::thread scrape_thread_;
};

}  // namespace fab::server
