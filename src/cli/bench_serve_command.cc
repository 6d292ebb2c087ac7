// `tokenfab bench serve`: for each run of the sweep, sends --num-prompts
// streaming requests arriving as a Poisson process (or all at once), with at
// most --max-concurrency in flight (one worker thread and keep-alive
// connection per slot; a request waits for a free slot and its clock starts
// when it is sent), then prints the run's metrics; at the end writes the
// JSON and SVG reports. Threads: the calling thread dispatches arrivals and
// draws the progress bar; workers only send and record.
#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <deque>
#include <fstream>
#include <mutex>
#include <optional>
#include <thread>

#include <boost/json.hpp>

#include "cli/bench_serve_options.h"
#include "cli/bench_serve_report.h"
#include "server/prometheus_text.h"
#include "cli/bench_serve_request.h"
#include "cli/bench_serve_svg.h"
#include "cli/progress_bar.h"
#include "server/http_url.h"

namespace fab::cli {
namespace {

using SteadyClock = std::chrono::steady_clock;

constexpr int64_t kProbeMaxTokens = 2;
constexpr int64_t kProbeRunIndex = -1;
constexpr auto kProgressInterval = std::chrono::milliseconds(100);

// What every run shares.
struct BenchTarget {
  server::HttpUrl url;
  std::string target;  // path of the endpoint
  RequestBodySpec body_spec;
  server::HttpClientOptions client_options;
  server::HttpHeaderList headers;  // Authorization, when --api-key is given
};

// The server's energy, cost and metered-token totals (all tenants), when
// its /metrics has them.
struct MeterReading {
  double joules = 0.0;
  double cost = 0.0;
  double tokens = 0.0;
  std::string currency;
};

std::optional<MeterReading> ReadMeters(const BenchTarget& target) {
  server::HttpClient client(target.url.host, target.url.port, target.client_options);
  StatusOr<server::HttpReply> reply = client.Get(server::JoinTarget(target.url, "/metrics"), target.headers);
  if (!reply.ok() || reply->status != 200) return std::nullopt;
  StatusOr<double> joules = server::SumPrometheusSamples(reply->body, "tokenfab:energy_joules_total", "");
  StatusOr<double> cost = server::SumPrometheusSamples(reply->body, "tokenfab:cost_total", "");
  StatusOr<double> tokens = server::SumPrometheusSamples(reply->body, "tokenfab:metered_tokens_total", "");
  MeterReading reading;
  reading.joules = joules.ok() ? *joules : 0.0;  // no sample yet: nothing metered
  reading.cost = cost.ok() ? *cost : 0.0;
  reading.tokens = tokens.ok() ? *tokens : 0.0;
  const size_t at = reply->body.find("tokenfab:cost_total{");
  const size_t currency = at == std::string::npos ? at : reply->body.find("currency=\"", at);
  if (currency != std::string::npos && currency < reply->body.find('\n', at)) {
    const size_t begin = currency + 10;
    reading.currency = reply->body.substr(begin, std::min<size_t>(16, reply->body.find('"', begin) - begin));
  }
  // A server without these families is not a tokenfab server with meters.
  if (reply->body.find("tokenfab:energy_joules_total") == std::string::npos) return std::nullopt;
  return reading;
}

void AddMeters(RunMetrics& metrics, const std::optional<MeterReading>& before, const std::optional<MeterReading>& after) {
  if (!before || !after) return;
  metrics.joules = after->joules - before->joules;
  metrics.cost = after->cost - before->cost;
  metrics.metered_tokens = after->tokens - before->tokens;
  metrics.currency = after->currency;
}

// Arrivals handed from the dispatcher to the workers, and completions back.
class WorkQueue {
 public:
  void Push(size_t index) {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      ready_.push_back(index);
    }
    wake_workers_.notify_one();
  }
  // Blocks for the next index; nullopt once closed and drained.
  std::optional<size_t> Pop() {
    std::unique_lock<std::mutex> lock(mutex_);
    wake_workers_.wait(lock, [this] { return closed_ || !ready_.empty(); });
    if (ready_.empty()) return std::nullopt;
    const size_t index = ready_.front();
    ready_.pop_front();
    return index;
  }
  void Close() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      closed_ = true;
    }
    wake_workers_.notify_all();
  }
  void MarkDone() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      ++n_done_;
    }
    wake_dispatcher_.notify_all();
  }
  // Waits until `deadline` or a completion; returns the number done.
  size_t WaitDone(SteadyClock::time_point deadline) {
    std::unique_lock<std::mutex> lock(mutex_);
    const size_t before = n_done_;
    wake_dispatcher_.wait_until(lock, deadline, [&] { return n_done_ != before; });
    return n_done_;
  }

 private:
  std::mutex mutex_;
  std::condition_variable wake_workers_;
  std::condition_variable wake_dispatcher_;
  std::deque<size_t> ready_;
  size_t n_done_ = 0;
  bool closed_ = false;
};

std::vector<BenchPrompt> MakePrompts(const BenchServeOptions& o, const std::vector<std::string>& dataset,
                                     uint64_t seed, int64_t run_index, int64_t n_prompts) {
  const RandomPromptSpec spec{o.random_input_len, o.random_output_len, o.random_range_ratio,
                              o.random_token_range[0], o.random_token_range[1]};
  if (!dataset.empty()) return MakeDatasetPrompts(dataset, spec, seed, run_index, n_prompts);
  return MakeRandomPrompts(spec, seed, run_index, n_prompts);
}

std::string RunLabel(const BenchServeRun& run, size_t run_number, size_t n_runs) {
  return "run " + std::to_string(run_number) + "/" + std::to_string(n_runs) + " concurrency " +
         FormatConcurrency(run.max_concurrency) + " rate " + FormatRequestRate(run.request_rate);
}

// Sends every prompt of one run and returns the records, indexed like prompts.
std::vector<RequestRecord> DriveRun(const BenchTarget& target, const std::vector<BenchPrompt>& prompts,
                                    const std::vector<double>& arrivals_s, int max_concurrency,
                                    ProgressBar& progress, double* duration_s) {
  const size_t n = prompts.size();
  const size_t n_workers =
      std::min(n, static_cast<size_t>(max_concurrency > 0 ? max_concurrency : kMaxBenchWorkers));
  std::vector<RequestRecord> records(n);
  WorkQueue queue;
  const SteadyClock::time_point start = SteadyClock::now();
  std::vector<std::thread> workers;
  for (size_t w = 0; w < n_workers; ++w) {
    workers.emplace_back([&] {
      server::HttpClient client(target.url.host, target.url.port, target.client_options);
      while (const std::optional<size_t> index = queue.Pop()) {
        const BenchPrompt& prompt = prompts[*index];
        records[*index] = SendBenchRequest(client, target.target, BuildRequestBody(prompt, target.body_spec),
                                           prompt.n_prompt_tokens, start, target.headers);
        queue.MarkDone();
      }
    });
  }
  size_t n_sent = 0, n_done = 0;
  while (n_done < n) {
    const SteadyClock::time_point now = SteadyClock::now();
    while (n_sent < n && start + std::chrono::duration<double>(arrivals_s[n_sent]) <= now) queue.Push(n_sent++);
    SteadyClock::time_point deadline = now + kProgressInterval;
    if (n_sent < n) {
      const auto next = start + std::chrono::duration_cast<SteadyClock::duration>(
                                    std::chrono::duration<double>(arrivals_s[n_sent]));
      deadline = std::min(deadline, next);
    }
    n_done = queue.WaitDone(deadline);
    progress.Update(static_cast<double>(n_done) / static_cast<double>(n));
  }
  queue.Close();
  for (std::thread& worker : workers) worker.join();
  *duration_s = 0;
  for (const RequestRecord& r : records) *duration_s = std::max(*duration_s, r.end_s);
  return records;
}

// --model, else the first id of GET /v1/models, else none (servers of one model accept that).
std::string ResolveModel(const BenchServeOptions& o, const server::HttpUrl& url,
                         const server::HttpClientOptions& client_options) {
  if (!o.model.empty()) return o.model;
  server::HttpClient client(url.host, url.port, client_options);
  const server::HttpHeaderList headers =
      o.api_key.empty() ? server::HttpHeaderList{} : server::HttpHeaderList{{"Authorization", "Bearer " + o.api_key}};
  StatusOr<server::HttpReply> reply = client.Get(server::JoinTarget(url, "/v1/models"), headers);
  if (!reply.ok() || reply->status != 200) return "";
  boost::system::error_code ec;
  const boost::json::value models = boost::json::parse(reply->body, ec);
  const boost::json::value* data = ec || !models.is_object() ? nullptr : models.as_object().if_contains("data");
  if (data == nullptr || !data->is_array() || data->as_array().empty()) return "";
  const boost::json::object* first = data->as_array()[0].if_object();
  const boost::json::value* id = first != nullptr ? first->if_contains("id") : nullptr;
  return id != nullptr && id->is_string() ? std::string(id->as_string()) : "";
}

// One short request, so that a wrong URL, model or prompt fails at once.
Status Probe(const BenchTarget& target, const BenchServeOptions& o, const std::vector<std::string>& dataset,
             uint64_t seed) {
  BenchPrompt prompt = MakePrompts(o, dataset, seed, kProbeRunIndex, 1)[0];
  prompt.max_tokens = kProbeMaxTokens;
  server::HttpClient client(target.url.host, target.url.port, target.client_options);
  const RequestRecord record = SendBenchRequest(client, target.target, BuildRequestBody(prompt, target.body_spec),
                                                prompt.n_prompt_tokens, SteadyClock::now(), target.headers);
  if (!record.success) return UnavailableError("test request failed: " + record.error);
  return OkStatus();
}

Status WriteTextFile(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
  out.close();
  if (!out) return InternalError("cannot write '" + path + "'");
  return OkStatus();
}

Status RunSweep(const BenchServeOptions& o, const std::vector<BenchServeRun>& runs) {
  FAB_ASSIGN_OR_RETURN(const server::HttpUrl url, server::ParseHttpUrl(o.base_url));
  std::vector<std::string> dataset;
  if (!o.dataset_path.empty()) {
    FAB_ASSIGN_OR_RETURN(dataset, ReadDatasetPrompts(o.dataset_path));
  }
  const uint64_t seed = o.seed_given ? o.seed : static_cast<uint64_t>(SteadyClock::now().time_since_epoch().count());
  BenchTarget target;
  target.url = url;
  target.target = server::JoinTarget(url, o.endpoint);
  target.client_options.read_timeout =
      std::chrono::milliseconds(static_cast<int64_t>(o.timeout_s * 1000.0));
  if (!o.api_key.empty()) target.headers.emplace_back("Authorization", "Bearer " + o.api_key);
  target.body_spec = RequestBodySpec{ResolveModel(o, url, target.client_options),
                                     o.endpoint == "/v1/chat/completions", o.ignore_eos, {}};
  if (!o.extra_body.empty()) target.body_spec.extra = boost::json::parse(o.extra_body).as_object();  // checked
  std::fprintf(stderr, "bench serve: %s%s, model '%s', seed %llu\n", o.base_url.c_str(), target.target.c_str(),
               target.body_spec.model.c_str(), static_cast<unsigned long long>(seed));
  FAB_RETURN_IF_ERROR(Probe(target, o, dataset, seed));
  const SloSpec slo{o.ttft_slo_ms / 1e3, o.tpot_slo_ms / 1e3};
  std::vector<BenchServeResult> results;
  for (size_t i = 0; i < runs.size(); ++i) {
    const int64_t run_index = static_cast<int64_t>(i);
    const std::vector<BenchPrompt> prompts = MakePrompts(o, dataset, seed, run_index, o.num_prompts);
    const std::vector<double> arrivals = PoissonArrivals(o.num_prompts, runs[i].request_rate, seed, run_index);
    double duration_s = 0;
    std::vector<RequestRecord> records;
    const std::optional<MeterReading> before = ReadMeters(target);
    {
      ProgressBar progress(RunLabel(runs[i], i + 1, runs.size()), o.show_progress);
      records = DriveRun(target, prompts, arrivals, runs[i].max_concurrency, progress, &duration_s);
    }
    results.push_back(BenchServeResult{runs[i], target.body_spec.model, seed,
                                       ComputeRunMetrics(records, duration_s, slo)});
    AddMeters(results.back().metrics, before, ReadMeters(target));
    std::printf("%s", FormatRunTable(results.back(), slo).c_str());
    std::fflush(stdout);
  }
  if (results.size() > 1) std::printf("\n%s", FormatSweepSummary(results).c_str());
  if (!o.json_path.empty()) FAB_RETURN_IF_ERROR(WriteTextFile(o.json_path, FormatRunsJson(results, o)));
  if (!o.svg_path.empty()) {
    const std::string title = "tokenfab bench serve: " + o.base_url + " " + target.body_spec.model;
    FAB_RETURN_IF_ERROR(WriteTextFile(o.svg_path, RenderSweepSvg(results, title)));
  }
  for (const BenchServeResult& r : results) {
    if (r.metrics.n_completed == 0) return UnavailableError("every request of a run failed");
  }
  return OkStatus();
}

}  // namespace

int RunBenchServe(const BenchServeOptions& options) {
  StatusOr<std::vector<BenchServeRun>> runs = PlanBenchServeRuns(options);
  Status status = runs.ok() ? RunSweep(options, *runs) : runs.status();
  if (!status.ok()) {
    std::fprintf(stderr, "tokenfab bench serve: %s\n", status.message().c_str());
    return 1;
  }
  return 0;
}

}  // namespace fab::cli
