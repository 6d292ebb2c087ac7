// `tokenfab bench soak`: a memory soak of the serving engine. For
// --duration seconds, random prompts (random lengths and max_tokens) arrive
// as a Poisson process of --rate per second; a --cancel-fraction of them is
// cancelled from another thread at a random point of its stream (after a
// uniform number of tokens in [0, max_tokens)); what is still live at the
// end is cancelled. A sampler thread reads VmRSS from /proc/self/status;
// the serving peak (sampled, or VmHWM if it rose while serving) is set
// against the budget: (model file bytes + KV pool bytes) × 1.1. VmHWM at
// the start is reported apart: it is the peak of loading the model.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <deque>
#include <fstream>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <boost/json.hpp>

#include "cli/command_options.h"
#include "api/engine_setup.h"
#include "cli/model_loader.h"
#include "engine/engine.h"

namespace fab::cli {
namespace {

using engine::Clock;

constexpr double kBudgetSlack = 1.10;
constexpr auto kRssSampleInterval = std::chrono::milliseconds(50);
// The KV pool when --kv-cache is not given.
constexpr int64_t kDefaultSoakPoolTokens = 16384;

struct MemorySample {
  int64_t rss_bytes = 0;
  int64_t hwm_bytes = 0;
};

// VmRSS and VmHWM of this process; zeros where /proc is unavailable.
MemorySample ReadMemory() {
  MemorySample sample;
  std::ifstream status("/proc/self/status");
  std::string key;
  int64_t kib = 0;
  std::string unit;
  while (status >> key) {
    if (key == "VmRSS:" && status >> kib >> unit) sample.rss_bytes = kib * 1024;
    if (key == "VmHWM:" && status >> kib >> unit) sample.hwm_bytes = kib * 1024;
    status.ignore(4096, '\n');
  }
  return sample;
}

// Samples memory and the engine's KV use until stopped; keeps the peaks.
class PeakSampler {
 public:
  PeakSampler() : thread_([this] { Loop(); }) {}
  ~PeakSampler() { Stop(); }

  void Stop() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      stopping_ = true;
    }
    wake_.notify_all();
    if (thread_.joinable()) thread_.join();
  }
  MemorySample peak() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return peak_;
  }

 private:
  void Loop() {
    std::unique_lock<std::mutex> lock(mutex_);
    while (!stopping_) {
      lock.unlock();
      const MemorySample sample = ReadMemory();
      lock.lock();
      peak_.rss_bytes = std::max(peak_.rss_bytes, sample.rss_bytes);
      peak_.hwm_bytes = std::max(peak_.hwm_bytes, sample.hwm_bytes);
      wake_.wait_for(lock, kRssSampleInterval, [this] { return stopping_; });
    }
  }

  mutable std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  MemorySample peak_;
  std::thread thread_;
};

// A request to be cancelled; its id is set as soon as Submit returns.
struct CancelTicket {
  std::atomic<RequestId> id{0};
};

// Cancels requests from its own thread, in the order they are posted.
class Canceller {
 public:
  explicit Canceller(engine::Engine& engine) : engine_(engine), thread_([this] { Loop(); }) {}
  ~Canceller() { Stop(); }

  // Any thread (observers post from the engine's step thread).
  void Post(std::shared_ptr<CancelTicket> ticket) {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      posted_.push_back(std::move(ticket));
    }
    wake_.notify_all();
  }
  // Cancels what was posted, then returns once the thread has ended.
  void Stop() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      stopping_ = true;
    }
    wake_.notify_all();
    if (thread_.joinable()) thread_.join();
  }
  int64_t n_cancelled() const { return n_cancelled_; }  // posted, after Stop (a few still finish first)
  int64_t n_too_late() const { return n_too_late_; }    // had ended already

 private:
  void Loop() {
    std::unique_lock<std::mutex> lock(mutex_);
    while (true) {
      wake_.wait(lock, [this] { return stopping_ || !posted_.empty(); });
      if (posted_.empty()) return;
      std::shared_ptr<CancelTicket> ticket = std::move(posted_.front());
      posted_.pop_front();
      lock.unlock();
      while (ticket->id.load() == 0) std::this_thread::yield();  // Submit is returning
      const bool cancelled = engine_.Cancel(ticket->id.load()).ok();
      lock.lock();
      ++(cancelled ? n_cancelled_ : n_too_late_);
    }
  }

  engine::Engine& engine_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::shared_ptr<CancelTicket>> posted_;
  bool stopping_ = false;
  int64_t n_cancelled_ = 0;
  int64_t n_too_late_ = 0;
  std::thread thread_;
};

// Posts its request's ticket to the canceller once the request has streamed
// `cancel_after_tokens` tokens (a random point of its life).
class CancellingObserver : public engine::RequestObserver {
 public:
  CancellingObserver(Canceller& canceller, std::shared_ptr<CancelTicket> ticket, int32_t cancel_after_tokens)
      : canceller_(canceller), ticket_(std::move(ticket)), cancel_after_tokens_(cancel_after_tokens) {}
  void OnToken(TokenId, float) override {
    if (++n_tokens_ == cancel_after_tokens_) canceller_.Post(ticket_);
  }
  void OnFinish(const engine::RequestSummary&) override {}

 private:
  Canceller& canceller_;
  std::shared_ptr<CancelTicket> ticket_;
  int32_t cancel_after_tokens_;
  int32_t n_tokens_ = 0;
};

struct SoakCounts {
  int64_t n_submitted = 0;
  int64_t n_rejected = 0;  // queue full
};

// Random prompts and lengths for the arrivals.
class RequestMaker {
 public:
  // Prompts fit the model's context and the KV pool (`pool_tokens`).
  RequestMaker(const BenchSoakOptions& options, const model::Model& model, int64_t pool_tokens)
      : rng_(options.seed),
        n_vocab_(model.hparams().n_vocab),
        max_prompt_(std::min({options.max_prompt, model.hparams().n_ctx_train / 2, pool_tokens})),
        max_gen_(std::min<int64_t>(options.max_gen, model.hparams().n_ctx_train / 2)) {}

  GenerationRequest Make() {
    GenerationRequest request;
    const int64_t n_prompt = Uniform(1, max_prompt_);
    std::uniform_int_distribution<TokenId> token(0, static_cast<TokenId>(n_vocab_ - 1));
    for (int64_t i = 0; i < n_prompt; ++i) request.prompt.push_back(token(rng_));
    request.max_new_tokens = static_cast<int32_t>(Uniform(1, max_gen_));
    request.sampling.seed = rng_();
    return request;
  }
  int64_t Uniform(int64_t low, int64_t high) { return std::uniform_int_distribution<int64_t>(low, high)(rng_); }
  double Unit() { return std::uniform_real_distribution<double>(0.0, 1.0)(rng_); }
  double Exponential(double rate) { return std::exponential_distribution<double>(rate)(rng_); }

 private:
  std::mt19937_64 rng_;
  int64_t n_vocab_;
  int64_t max_prompt_;
  int64_t max_gen_;
};

// Submits Poisson arrivals until the duration is over.
StatusOr<SoakCounts> RunArrivals(const BenchSoakOptions& options, const model::Model& model, engine::Engine& engine,
                                 Canceller& canceller) {
  const kvcache::KvCacheConfig& kv_cache = engine.config().scheduler.kv_cache;
  RequestMaker maker(options, model, int64_t{kv_cache.n_blocks()} * kv_cache.block_size);
  SoakCounts counts;
  const Clock::time_point end = Clock::now() + std::chrono::duration_cast<Clock::duration>(
                                                   std::chrono::duration<double>(options.duration_s));
  Clock::time_point next = Clock::now();
  while (true) {
    next += std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(maker.Exponential(options.rate)));
    if (next >= end) break;
    std::this_thread::sleep_until(next);
    GenerationRequest request = maker.Make();
    std::shared_ptr<CancelTicket> ticket;
    std::shared_ptr<engine::RequestObserver> observer;
    int64_t cancel_after_tokens = -1;
    if (maker.Unit() < options.cancel_fraction) {
      ticket = std::make_shared<CancelTicket>();
      cancel_after_tokens = maker.Uniform(0, request.max_new_tokens - 1);  // 0: while queued or prefilling
      observer = std::make_shared<CancellingObserver>(canceller, ticket, static_cast<int32_t>(cancel_after_tokens));
    }
    StatusOr<RequestId> id = engine.Submit(std::move(request), std::move(observer));
    if (!id.ok()) {
      if (id.status().code() != StatusCode::kResourceExhausted) return id.status();
      ++counts.n_rejected;
      continue;
    }
    ++counts.n_submitted;
    if (ticket == nullptr) continue;
    ticket->id.store(*id);
    if (cancel_after_tokens == 0) canceller.Post(ticket);
  }
  std::this_thread::sleep_until(end);
  return counts;
}

double MiB(int64_t bytes) { return static_cast<double>(bytes) / (1024.0 * 1024.0); }

struct SoakReport {
  double duration_s = 0.0;
  SoakCounts counts;
  int64_t n_cancels_sent = 0;
  int64_t n_cancels_too_late = 0;
  int64_t n_cancelled_at_end = 0;  // still live when the arrivals stopped
  engine::EngineStats stats;
  int64_t model_bytes = 0;
  int64_t kv_pool_bytes = 0;
  MemorySample start;  // after loading the model: hwm_bytes is the load's peak
  MemorySample peak;   // sampled while serving
  MemorySample end;

  int64_t budget_bytes() const { return static_cast<int64_t>(kBudgetSlack * static_cast<double>(model_bytes + kv_pool_bytes)); }
  // The sampled peak, or VmHWM when it rose while serving (a peak between samples).
  int64_t serving_peak_bytes() const {
    return std::max(peak.rss_bytes, end.hwm_bytes > start.hwm_bytes ? end.hwm_bytes : int64_t{0});
  }
  bool within_budget() const { return serving_peak_bytes() <= budget_bytes(); }
};

void PrintJson(const BenchSoakOptions& options, const SoakReport& r) {
  boost::json::object finished;
  for (int reason = 0; reason < kNumFinishReasons; ++reason) {
    finished[FinishReasonName(static_cast<FinishReason>(reason))] =
        r.stats.n_finished_by_reason[static_cast<size_t>(reason)];
  }
  boost::json::object out{{"model", options.model_path}, {"duration_s", r.duration_s}, {"rate", options.rate},
                          {"cancel_fraction", options.cancel_fraction}, {"submitted", r.counts.n_submitted},
                          {"rejected", r.counts.n_rejected}, {"finished", std::move(finished)},
                          {"cancels_sent", r.n_cancels_sent}, {"cancels_too_late", r.n_cancels_too_late},
                          {"cancelled_at_end", r.n_cancelled_at_end},
                          {"prompt_tokens", r.stats.n_prompt_tokens}, {"generated_tokens", r.stats.n_generated_tokens},
                          {"preemptions", r.stats.n_preemptions}, {"steps", r.stats.n_steps},
                          {"kv_blocks_total", r.stats.n_kv_blocks_total}, {"kv_blocks_peak", r.stats.n_kv_blocks_used_peak},
                          {"model_bytes", r.model_bytes}, {"kv_pool_bytes", r.kv_pool_bytes},
                          {"budget_bytes", r.budget_bytes()}, {"rss_start_bytes", r.start.rss_bytes},
                          {"rss_peak_bytes", r.serving_peak_bytes()}, {"rss_end_bytes", r.end.rss_bytes},
                          {"load_hwm_bytes", r.start.hwm_bytes}, {"within_budget", r.within_budget()}};
  std::printf("%s\n", boost::json::serialize(out).c_str());
}

void PrintText(const SoakReport& r) {
  const engine::EngineStats& s = r.stats;
  auto finished = [&](FinishReason reason) { return static_cast<long long>(s.n_finished_by_reason[static_cast<size_t>(reason)]); };
  std::printf("soak: %.0f s, %lld requests submitted, %lld refused (queue full)\n", r.duration_s,
              static_cast<long long>(r.counts.n_submitted), static_cast<long long>(r.counts.n_rejected));
  std::printf("finished: %lld max_tokens, %lld stop, %lld cancelled (%lld cancels sent, %lld too late; %lld live "
              "at the end), %lld kv_cache_full, %lld error\n",
              finished(FinishReason::kMaxTokens), finished(FinishReason::kStopToken),
              finished(FinishReason::kCancelled), static_cast<long long>(r.n_cancels_sent),
              static_cast<long long>(r.n_cancels_too_late), static_cast<long long>(r.n_cancelled_at_end),
              finished(FinishReason::kKvCacheFull), finished(FinishReason::kError));
  std::printf("tokens: %lld prompt, %lld generated; %lld preemptions; %lld steps; KV blocks peak %d of %d\n",
              static_cast<long long>(s.n_prompt_tokens), static_cast<long long>(s.n_generated_tokens),
              static_cast<long long>(s.n_preemptions), static_cast<long long>(s.n_steps), s.n_kv_blocks_used_peak,
              s.n_kv_blocks_total);
  std::printf("memory: peak RSS while serving %.1f MiB (start %.1f MiB, end %.1f MiB) vs budget %.1f MiB = 1.1 x "
              "(model %.1f MiB + KV pool %.1f MiB): %s; peak while loading the model %.1f MiB\n",
              MiB(r.serving_peak_bytes()), MiB(r.start.rss_bytes), MiB(r.end.rss_bytes), MiB(r.budget_bytes()),
              MiB(r.model_bytes), MiB(r.kv_pool_bytes), r.within_budget() ? "within budget" : "OVER BUDGET",
              MiB(r.start.hwm_bytes));
}

}  // namespace

int RunBenchSoak(const BenchSoakOptions& options) {
  auto loaded = LoadModelForCli(options.model_path, /*show_progress=*/!options.json);
  if (!loaded.ok()) return ReportError(loaded.status());
  const model::Model& model = *loaded->model;
  tokenfab::EngineOptions flags;
  flags.kv_cache = options.kv_cache;
  flags.kv_dtype = options.kv_dtype;
  flags.max_sequences = options.max_sequences;
  flags.max_waiting = options.max_waiting;
  auto config = api::MakeEngineConfig(model, flags, kDefaultSoakPoolTokens);
  if (!config.ok()) return ReportError(config.status());
  ThreadPool pool(options.n_threads > 0 ? options.n_threads : DefaultThreadCount());
  auto engine = engine::Engine::Create(model, pool, *config);
  if (!engine.ok()) return ReportError(engine.status());

  SoakReport report;
  report.model_bytes = static_cast<int64_t>(model.gguf().size());
  report.kv_pool_bytes = api::KvPoolBytes(model, *config);
  report.start = ReadMemory();
  PeakSampler sampler;
  Canceller canceller(**engine);
  const Clock::time_point start = Clock::now();
  StatusOr<SoakCounts> counts = RunArrivals(options, model, **engine, canceller);
  canceller.Stop();
  const int64_t n_cancelled_before =
      (*engine)->Stats().n_finished_by_reason[static_cast<size_t>(FinishReason::kCancelled)];
  (*engine)->Shutdown(Clock::now());
  report.duration_s = std::chrono::duration<double>(Clock::now() - start).count();
  sampler.Stop();
  report.end = ReadMemory();
  if (!counts.ok()) return ReportError(counts.status());
  report.counts = *counts;
  report.n_cancels_sent = canceller.n_cancelled();
  report.n_cancels_too_late = canceller.n_too_late();
  report.stats = (*engine)->Stats();
  report.n_cancelled_at_end =
      report.stats.n_finished_by_reason[static_cast<size_t>(FinishReason::kCancelled)] - n_cancelled_before;
  report.peak = sampler.peak();
  if (options.json) {
    PrintJson(options, report);
  } else {
    PrintText(report);
  }
  return 0;
}

}  // namespace fab::cli
