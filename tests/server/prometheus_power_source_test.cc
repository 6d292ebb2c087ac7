// PrometheusPowerSource against a fake exporter: a loopback HTTP server
// (tests/server/loopback_server.h) whose metrics page the test changes
// between scrapes.
#include "server/prometheus_power_source.h"

#include <chrono>
#include <cmath>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <utility>

#include <gtest/gtest.h>

#include "server/loopback_server.h"

namespace fab::server {
namespace {

using namespace std::chrono_literals;
using Kind = PrometheusSourceOptions::Kind;
using Clock = std::chrono::steady_clock;

constexpr double kJoulesTolerance = 1e-9;
constexpr double kGaugeRelativeTolerance = 0.05;  // timer jitter on a loaded machine
constexpr auto kWaitLimit = 10s;

// The source's reading, or NaN (and a test failure) on an error.
double Joules(PowerSource& source) {
  StatusOr<double> joules = source.EnergyJoules();
  EXPECT_TRUE(joules.ok()) << joules.status().ToString();
  return joules.ok() ? *joules : std::nan("");
}

// Serves `page` with `status` to every GET, counting the requests.
class FakeExporter {
 public:
  FakeExporter() : server_([this](int fd, int) { Serve(fd); }) {}

  std::string url() const { return "http://127.0.0.1:" + std::to_string(server_.port()) + "/metrics"; }

  // Every request after this call gets the new page; returns the count so far.
  int SetPage(std::string page, int status = 200) {
    std::lock_guard<std::mutex> lock(mutex_);
    page_ = std::move(page);
    status_ = status;
    return n_requests_;
  }
  // Waits until the request count reaches n; the source scrapes one at a
  // time, so request n + 1 means request n's reply has been recorded.
  bool WaitForRequestCount(int n) {
    std::unique_lock<std::mutex> lock(mutex_);
    return request_arrived_.wait_for(lock, kWaitLimit, [&] { return n_requests_ >= n; });
  }
  // Changes the page, then waits until a scrape of it has been recorded.
  void ChangePageAndWaitForScrape(std::string page, int status = 200) {
    const int n_before = SetPage(std::move(page), status);
    ASSERT_TRUE(WaitForRequestCount(n_before + 2)) << "no scrape within " << kWaitLimit.count() << " s";
  }
  std::string last_request_line() {
    std::lock_guard<std::mutex> lock(mutex_);
    return last_request_line_;
  }

 private:
  void Serve(int fd) {
    while (true) {
      const std::string request = test::ReadRequest(fd);
      if (request.empty()) return;
      std::string response;
      {
        std::lock_guard<std::mutex> lock(mutex_);
        last_request_line_ = request.substr(0, request.find("\r\n"));
        response = "HTTP/1.1 " + std::to_string(status_) + " X\r\nContent-Type: text/plain; version=0.0.4\r\n" +
                   "Content-Length: " + std::to_string(page_.size()) + "\r\n\r\n" + page_;
        ++n_requests_;
      }
      request_arrived_.notify_all();
      test::SendAll(fd, response);
    }
  }

  std::mutex mutex_;
  std::condition_variable request_arrived_;
  std::string page_;
  int status_ = 200;
  int n_requests_ = 0;
  std::string last_request_line_;
  test::LoopbackServer server_;  // last: its threads use the members above
};

PrometheusSourceOptions Options(const std::string& url, const std::string& metric, Kind kind) {
  PrometheusSourceOptions options;
  options.url = url;
  options.metric = metric;
  options.kind = kind;
  options.interval = 20ms;
  return options;
}

// A loopback port with nothing listening on it.
uint16_t ClosedPort() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof(address);
  ::bind(fd, reinterpret_cast<sockaddr*>(&address), length);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
  ::close(fd);
  return ntohs(address.sin_port);
}

double Seconds(Clock::duration duration) { return std::chrono::duration<double>(duration).count(); }

TEST(PrometheusPowerSource, CounterAccumulatesAndUnwrapsAReset) {
  FakeExporter exporter;
  exporter.SetPage("# TYPE j_total counter\nj_total{pkg=\"0\"} 60\nj_total{pkg=\"1\"} 40\nj_total_bucket 9\n");
  auto source = PrometheusPowerSource::Start(Options(exporter.url(), "j_total", Kind::kCounterJoules));
  ASSERT_TRUE(source.ok()) << source.status().ToString();
  EXPECT_EQ((*source)->label(), "prometheus");
  EXPECT_EQ(exporter.last_request_line(), "GET /metrics HTTP/1.1");
  EXPECT_NEAR(Joules(**source), 100.0, kJoulesTolerance);

  exporter.ChangePageAndWaitForScrape("j_total{pkg=\"0\"} 90\nj_total{pkg=\"1\"} 60\n");
  EXPECT_NEAR(Joules(**source), 150.0, kJoulesTolerance);
  exporter.ChangePageAndWaitForScrape("j_total{pkg=\"0\"} 20\nj_total{pkg=\"1\"} 10\n");  // the exporter restarted
  EXPECT_NEAR(Joules(**source), 180.0, kJoulesTolerance);
}

TEST(PrometheusPowerSource, GaugeIsIntegratedOverTimeAndGrowsBetweenScrapes) {
  FakeExporter exporter;
  exporter.SetPage("DCGM_FI_DEV_POWER_USAGE{gpu=\"0\"} 60\nDCGM_FI_DEV_POWER_USAGE{gpu=\"1\"} 40\n");
  PrometheusSourceOptions options = Options(exporter.url(), "DCGM_FI_DEV_POWER_USAGE", Kind::kGaugeWatts);
  options.interval = 50ms;
  auto source = PrometheusPowerSource::Start(options);
  ASSERT_TRUE(source.ok()) << source.status().ToString();
  PowerSource& meter = **source;

  // Measures the mean watts over `span`, checking that the readings never drop.
  const auto mean_watts = [&meter](Clock::duration span) {
    const Clock::time_point start = Clock::now();
    const double start_joules = Joules(meter);
    double last_joules = start_joules;
    while (Clock::now() - start < span) {
      const double joules = Joules(meter);
      EXPECT_GE(joules, last_joules);
      last_joules = joules;
      std::this_thread::sleep_for(7ms);  // not a multiple of the interval
    }
    return (Joules(meter) - start_joules) / Seconds(Clock::now() - start);
  };
  EXPECT_NEAR(mean_watts(500ms), 100.0, 100.0 * kGaugeRelativeTolerance);
  exporter.ChangePageAndWaitForScrape(
      "DCGM_FI_DEV_POWER_USAGE{gpu=\"0\"} 200\nDCGM_FI_DEV_POWER_USAGE{gpu=\"1\"} 100\n");
  EXPECT_NEAR(mean_watts(500ms), 300.0, 300.0 * kGaugeRelativeTolerance);
}

TEST(PrometheusPowerSource, SumsOnlyTheSamplesTheFilterSelects) {
  FakeExporter exporter;
  exporter.SetPage("e_total{mode=\"dynamic\"} 5\ne_total{mode=\"idle\"} 7\n");
  PrometheusSourceOptions options = Options(exporter.url(), "e_total", Kind::kCounterJoules);
  options.label_filter = "mode=\"idle\"";
  auto source = PrometheusPowerSource::Start(options);
  ASSERT_TRUE(source.ok()) << source.status().ToString();
  EXPECT_NEAR(Joules(**source), 7.0, kJoulesTolerance);
}

TEST(PrometheusPowerSource, FailedScrapesKeepTheLastValueAndAreRetried) {
  FakeExporter exporter;
  exporter.SetPage("j_total 100\n");
  auto source = PrometheusPowerSource::Start(Options(exporter.url(), "j_total", Kind::kCounterJoules));
  ASSERT_TRUE(source.ok());
  exporter.ChangePageAndWaitForScrape("overloaded", 503);
  EXPECT_NEAR(Joules(**source), 100.0, kJoulesTolerance);
  exporter.ChangePageAndWaitForScrape("j_total garbage\n");
  EXPECT_NEAR(Joules(**source), 100.0, kJoulesTolerance);
  exporter.ChangePageAndWaitForScrape("j_total 120\n");
  EXPECT_NEAR(Joules(**source), 120.0, kJoulesTolerance);
}

TEST(PrometheusPowerSource, MissingMetricFailsToStart) {
  FakeExporter exporter;
  exporter.SetPage("# HELP other_joules_total x\nother_joules_total 5\n");
  auto source = PrometheusPowerSource::Start(Options(exporter.url(), "kepler_node_package_joules_total",
                                                     Kind::kCounterJoules));
  ASSERT_FALSE(source.ok());
  EXPECT_EQ(source.status().code(), StatusCode::kNotFound);
  EXPECT_NE(source.status().message().find("kepler_node_package_joules_total"), std::string::npos);
}

TEST(PrometheusPowerSource, MissingPageFailsToStart) {
  FakeExporter exporter;
  exporter.SetPage("not here", 404);
  auto source = PrometheusPowerSource::Start(Options(exporter.url(), "j_total", Kind::kCounterJoules));
  ASSERT_FALSE(source.ok());
  EXPECT_EQ(source.status().code(), StatusCode::kNotFound);
  EXPECT_NE(source.status().message().find("404"), std::string::npos);
}

TEST(PrometheusPowerSource, UnreachableExporterFailsToStart) {
  const std::string url = "http://127.0.0.1:" + std::to_string(ClosedPort()) + "/metrics";
  auto source = PrometheusPowerSource::Start(Options(url, "j_total", Kind::kCounterJoules));
  ASSERT_FALSE(source.ok());
  EXPECT_EQ(source.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(source.status().message().find(url), std::string::npos) << source.status().message();
}

TEST(PrometheusPowerSource, RejectsBadOptionsBeforeConnecting) {
  const std::string url = "http://127.0.0.1:" + std::to_string(ClosedPort()) + "/metrics";
  PrometheusSourceOptions options = Options(url, "j_total", Kind::kCounterJoules);
  options.interval = 0ms;
  EXPECT_EQ(PrometheusPowerSource::Start(options).status().code(), StatusCode::kInvalidArgument);
  options = Options(url, "not a metric", Kind::kCounterJoules);
  EXPECT_EQ(PrometheusPowerSource::Start(options).status().code(), StatusCode::kInvalidArgument);
  options = Options(url, "j_total", Kind::kCounterJoules);
  options.label_filter = "mode=idle";
  EXPECT_EQ(PrometheusPowerSource::Start(options).status().code(), StatusCode::kInvalidArgument);
  options = Options("ftp://127.0.0.1/metrics", "j_total", Kind::kCounterJoules);
  EXPECT_EQ(PrometheusPowerSource::Start(options).status().code(), StatusCode::kInvalidArgument);
}

TEST(PrometheusPowerSource, StopsPromptlyWhenDestroyed) {
  FakeExporter exporter;
  exporter.SetPage("j_total 1\n");
  PrometheusSourceOptions options = Options(exporter.url(), "j_total", Kind::kCounterJoules);
  options.interval = 60s;
  auto source = PrometheusPowerSource::Start(options);
  ASSERT_TRUE(source.ok());
  const Clock::time_point start = Clock::now();
  std::unique_ptr<PrometheusPowerSource> owned = std::move(*source);
  owned.reset();
  EXPECT_LT(Clock::now() - start, 1s);
}

}  // namespace
}  // namespace fab::server
