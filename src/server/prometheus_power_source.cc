#include "server/prometheus_power_source.h"

#include <algorithm>
#include <utility>

#include "server/http_url.h"
#include "server/prometheus_text.h"

namespace fab::server {
namespace {

using Kind = PrometheusSourceOptions::Kind;

// A scrape waits at least a second and at most five for the exporter: long
// enough for a slow page, short enough for the destructor to stay prompt.
constexpr std::chrono::milliseconds kMinScrapeTimeout{1000};
constexpr std::chrono::milliseconds kMaxScrapeTimeout{5000};

HttpClientOptions ScrapeClientOptions(std::chrono::milliseconds interval) {
  HttpClientOptions client_options;
  client_options.connect_timeout = std::clamp(interval, kMinScrapeTimeout, kMaxScrapeTimeout);
  client_options.read_timeout = client_options.connect_timeout;
  client_options.max_body_bytes = kMaxPrometheusPageBytes;
  return client_options;
}

// The checks that need no exporter: interval, metric name and filter.
Status CheckOptions(const PrometheusSourceOptions& options) {
  if (options.interval <= std::chrono::milliseconds::zero()) {
    return InvalidArgumentError("the Prometheus scrape interval must be positive");
  }
  const StatusOr<double> on_empty_page = SumPrometheusSamples("", options.metric, options.label_filter);
  if (on_empty_page.status().code() == StatusCode::kInvalidArgument) return on_empty_page.status();
  return OkStatus();
}

double Seconds(std::chrono::steady_clock::duration duration) {
  return std::chrono::duration<double>(duration).count();
}

}  // namespace

PrometheusPowerSource::PrometheusPowerSource(PrometheusSourceOptions options, std::string host, uint16_t port,
                                             std::string target)
    : options_(std::move(options)),
      target_(std::move(target)),
      client_(std::move(host), port, ScrapeClientOptions(options_.interval)) {}

PrometheusPowerSource::~PrometheusPowerSource() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  stop_requested_.notify_all();
  if (scrape_thread_.joinable()) scrape_thread_.join();
}

StatusOr<std::unique_ptr<PrometheusPowerSource>> PrometheusPowerSource::Start(PrometheusSourceOptions options) {
  FAB_RETURN_IF_ERROR(CheckOptions(options));
  FAB_ASSIGN_OR_RETURN(const HttpUrl url, ParseHttpUrl(options.url));
  std::string target = url.path_prefix.empty() ? "/" : url.path_prefix;
  std::unique_ptr<PrometheusPowerSource> source(
      new PrometheusPowerSource(std::move(options), url.host, url.port, std::move(target)));
  FAB_ASSIGN_OR_RETURN(const double first_value, source->Scrape());
  source->Record(first_value, Clock::now());
  source->scrape_thread_ = std::thread([raw_source = source.get()] { raw_source->ScrapeLoop(); });
  return source;
}

const std::string& PrometheusPowerSource::label() const {
  static const std::string kLabel = "prometheus";
  return kLabel;
}

StatusOr<double> PrometheusPowerSource::EnergyJoules() {
  std::lock_guard<std::mutex> lock(mutex_);
  if (options_.kind == Kind::kCounterJoules) return energy_joules_;
  return energy_joules_ + last_value_ * Seconds(Clock::now() - last_scrape_at_);
}

StatusOr<double> PrometheusPowerSource::Scrape() {
  StatusOr<HttpReply> reply = client_.Get(target_);
  if (!reply.ok()) return UnavailableError("cannot scrape " + options_.url + ": " + reply.status().message());
  if (reply->status == 404) return NotFoundError(options_.url + " answered HTTP 404: no metrics page there");
  if (reply->status / 100 != 2) {
    return UnavailableError(options_.url + " answered HTTP " + std::to_string(reply->status));
  }
  StatusOr<double> value = SumPrometheusSamples(reply->body, options_.metric, options_.label_filter);
  if (!value.ok()) return value.status().WithContext(options_.url);
  if (*value < 0) {
    return InvalidArgumentError(options_.url + ": " + options_.metric + " is negative (" + std::to_string(*value) +
                                "), not an energy or a power");
  }
  return value;
}

void PrometheusPowerSource::Record(double value, Clock::time_point at) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (!has_reading_) {
    energy_joules_ = options_.kind == Kind::kCounterJoules ? value : 0;
  } else if (options_.kind == Kind::kCounterJoules) {
    energy_joules_ += value >= last_value_ ? value - last_value_ : value;  // a drop is a reset
  } else {
    energy_joules_ += last_value_ * Seconds(at - last_scrape_at_);
  }
  has_reading_ = true;
  last_value_ = value;
  last_scrape_at_ = at;
}

void PrometheusPowerSource::ScrapeLoop() {
  std::unique_lock<std::mutex> lock(mutex_);
  while (!stop_requested_.wait_for(lock, options_.interval, [this] { return stopping_; })) {
    lock.unlock();
    // A failed scrape leaves the last value in place; the next interval retries.
    const StatusOr<double> value = Scrape();
    if (value.ok()) Record(*value, Clock::now());
    lock.lock();
  }
}

}  // namespace fab::server
