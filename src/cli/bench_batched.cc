#include "cli/bench_batched.h"

#include <algorithm>
#include <cmath>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <vector>

#include "base/percentile.h"
#include "engine/engine.h"

namespace fab::cli {
namespace {

constexpr uint64_t kPrefixSeed = 7;
constexpr uint64_t kColdSalt = 1;
constexpr uint64_t kWarmSalt = 2;

void AppendRandomTokens(std::vector<TokenId>& tokens, int64_t n, int64_t n_vocab, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_int_distribution<TokenId> pick(0, static_cast<TokenId>(n_vocab - 1));
  for (int64_t i = 0; i < n; ++i) tokens.push_back(pick(rng));
}

// A greedy request: the shared prefix, then n_prompt - shared_prefix tokens drawn from `tail_seed`.
GenerationRequest MakeRequest(const BatchedRun& run, int64_t n_vocab, uint64_t tail_seed, int64_t n_gen,
                                      uint64_t cache_salt) {
  GenerationRequest request;
  AppendRandomTokens(request.prompt, run.shared_prefix, n_vocab, kPrefixSeed);
  AppendRandomTokens(request.prompt, run.n_prompt - run.shared_prefix, n_vocab, tail_seed);
  request.max_new_tokens = static_cast<int32_t>(n_gen);
  request.sampling.temperature = 0.0f;  // greedy
  request.cache_salt = cache_salt;
  return request;
}

// Collects the summaries of a run's requests (by index) and lets the bench
// thread wait for first tokens and ends. Thread-safe.
class RunCollector {
 public:
  explicit RunCollector(size_t n_requests) : first_token_(n_requests, false), summaries_(n_requests) {}

  std::shared_ptr<engine::RequestObserver> ObserverFor(size_t idx) { return std::make_shared<Observer>(this, idx); }

  void WaitForFirstToken(size_t idx) {
    std::unique_lock<std::mutex> lock(mutex_);
    changed_.wait(lock, [&] { return first_token_[idx] || summaries_[idx].has_value(); });
  }
  void WaitForAll() {
    std::unique_lock<std::mutex> lock(mutex_);
    changed_.wait(lock, [&] { return n_finished_ == summaries_.size(); });
  }
  // Every summary; call after WaitForAll.
  std::vector<engine::RequestSummary> summaries() const {
    std::lock_guard<std::mutex> lock(mutex_);
    std::vector<engine::RequestSummary> all;
    for (const auto& summary : summaries_) all.push_back(*summary);
    return all;
  }

 private:
  class Observer : public engine::RequestObserver {
   public:
    Observer(RunCollector* collector, size_t idx) : collector_(collector), idx_(idx) {}
    void OnToken(TokenId, float) override { collector_->MarkFirstToken(idx_); }
    void OnFinish(const engine::RequestSummary& summary) override { collector_->Finish(idx_, summary); }

   private:
    RunCollector* collector_;
    size_t idx_;
  };

  void MarkFirstToken(size_t idx) {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (first_token_[idx]) return;
      first_token_[idx] = true;
    }
    changed_.notify_all();
  }
  void Finish(size_t idx, const engine::RequestSummary& summary) {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      summaries_[idx] = summary;
      ++n_finished_;
    }
    changed_.notify_all();
  }

  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<bool> first_token_;
  std::vector<std::optional<engine::RequestSummary>> summaries_;
  size_t n_finished_ = 0;
};

double Seconds(engine::Clock::duration duration) { return std::chrono::duration<double>(duration).count(); }

// Blocks one sequence holds at its end: every prompt token and all generated but the last.
int64_t BlocksPerSequence(const BatchedRun& run) {
  return (run.n_prompt + run.n_gen - 1 + api::kBlockSize - 1) / api::kBlockSize;
}

StatusOr<std::unique_ptr<engine::Engine>> StartEngine(const model::Model& model, ThreadPool& pool,
                                                      const BatchedRun& run, int64_t default_pool_blocks) {
  tokenfab::EngineOptions flags = run.engine;
  flags.max_sequences = run.sequences;
  flags.max_waiting = std::max(flags.max_waiting, run.sequences);
  FAB_ASSIGN_OR_RETURN(engine::EngineConfig config,
                       api::MakeEngineConfig(model, flags, default_pool_blocks * api::kBlockSize));
  return engine::Engine::Create(model, pool, config);
}

// OK when every request generated all its tokens.
Status CheckAllCompleted(const std::vector<engine::RequestSummary>& summaries) {
  for (const engine::RequestSummary& summary : summaries) {
    if (summary.reason == FinishReason::kMaxTokens) continue;
    std::string why = FinishReasonName(summary.reason);
    if (!summary.error.ok()) why += " (" + summary.error.ToString() + ")";
    return InternalError("bench request " + std::to_string(summary.id) + " ended early: " + why);
  }
  return OkStatus();
}

}  // namespace

Status ValidateBatched(const model::Model& model, const BatchedRun& run) {
  if (run.sequences < 1 || run.sequences > kMaxBenchSequences) {
    return InvalidArgumentError("concurrency " + std::to_string(run.sequences) + " is outside [1, " +
                                std::to_string(kMaxBenchSequences) + "]");
  }
  if (run.n_prompt < 1) return InvalidArgumentError("batched runs need a prompt of at least 1 token (-p)");
  if (run.n_gen < 1) return InvalidArgumentError("batched runs need at least 1 generated token (-n)");
  if (run.shared_prefix < 0 || run.shared_prefix > run.n_prompt) {
    return InvalidArgumentError("shared prefix " + std::to_string(run.shared_prefix) +
                                " is longer than the prompt (" + std::to_string(run.n_prompt) + " tokens)");
  }
  const int64_t n_ctx = model.hparams().n_ctx_train;
  if (run.n_prompt + run.n_gen > n_ctx) {
    return InvalidArgumentError("prompt + generated tokens (" + std::to_string(run.n_prompt + run.n_gen) +
                                ") exceed the model's context of " + std::to_string(n_ctx));
  }
  return OkStatus();
}

StatusOr<BatchedFigures> RunBatched(const model::Model& model, ThreadPool& pool, const BatchedRun& run) {
  FAB_RETURN_IF_ERROR(ValidateBatched(model, run));
  FAB_ASSIGN_OR_RETURN(std::unique_ptr<engine::Engine> engine,
                       StartEngine(model, pool, run, run.sequences * (BlocksPerSequence(run) + 1)));
  if (run.power_budget_watts) engine->SetPowerBudget(run.power_budget_watts);
  const size_t n = static_cast<size_t>(run.sequences);
  RunCollector collector(n);
  std::vector<GenerationRequest> requests;
  std::vector<std::shared_ptr<engine::RequestObserver>> observers;
  for (size_t i = 0; i < n; ++i) {
    requests.push_back(MakeRequest(run, model.hparams().n_vocab, 1000 + i, run.n_gen, kWarmSalt));
    observers.push_back(collector.ObserverFor(i));
  }
  const engine::EngineStats stats_before = engine->Stats();
  const engine::Clock::time_point start = engine::Clock::now();
  FAB_RETURN_IF_ERROR(engine->SubmitAll(std::move(requests), std::move(observers)).status());
  collector.WaitForAll();
  const engine::EngineStats stats_after = engine->Stats();
  engine->Shutdown(engine::Clock::now());
  const std::vector<engine::RequestSummary> summaries = collector.summaries();
  FAB_RETURN_IF_ERROR(CheckAllCompleted(summaries));

  std::vector<double> ttft, user_tps;
  engine::Clock::time_point end = start;
  BatchedFigures figures;
  for (const engine::RequestSummary& summary : summaries) {
    ttft.push_back(Seconds(*summary.timings.first_token - start));
    end = std::max(end, summary.timings.finished);
    figures.n_preemptions += summary.counters.n_preemptions;
    const double decoding = Seconds(summary.timings.finished - *summary.timings.first_token);
    if (run.n_gen > 1 && decoding > 0) user_tps.push_back(static_cast<double>(run.n_gen - 1) / decoding);
  }
  std::sort(user_tps.begin(), user_tps.end());
  if (!user_tps.empty()) figures.user_tps_p50 = Percentile(user_tps, 50);
  const double joules = (stats_after.attributed_joules + stats_after.idle_joules) -
                        (stats_before.attributed_joules + stats_before.idle_joules);
  figures.watts = joules / std::max(1e-9, Seconds(end - start));
  figures.joules_per_output_token = joules / static_cast<double>(run.sequences * run.n_gen);
  figures.energy_source = stats_after.energy_source;
  std::sort(ttft.begin(), ttft.end());
  const double last_first_token = ttft.back();
  const double total = Seconds(end - start);
  figures.sequences = run.sequences;
  figures.pp_tps = static_cast<double>(run.sequences) * static_cast<double>(run.n_prompt) / last_first_token;
  if (run.n_gen > 1 && total > last_first_token) {
    figures.tg_tps = static_cast<double>(run.sequences) * static_cast<double>(run.n_gen - 1) / (total - last_first_token);
  }
  figures.ttft_p50_s = Percentile(ttft, 50);
  figures.ttft_p99_s = Percentile(ttft, 99);
  return figures;
}

StatusOr<PrefixFigures> RunPrefixArrivals(const model::Model& model, ThreadPool& pool, const BatchedRun& run) {
  FAB_RETURN_IF_ERROR(ValidateBatched(model, run));
  if (run.shared_prefix < 1 || run.sequences < 2) {
    return InvalidArgumentError("prefix arrivals need --shared-prefix >= 1 and at least 2 sequences");
  }
  FAB_ASSIGN_OR_RETURN(std::unique_ptr<engine::Engine> engine,
                       StartEngine(model, pool, run, (run.sequences + 1) * (BlocksPerSequence(run) + 1)));
  const int64_t n_vocab = model.hparams().n_vocab;

  // (a) The prompt alone, on a cold cache (its own salt: nothing else can match it).
  RunCollector cold(1);
  FAB_RETURN_IF_ERROR(engine->Submit(MakeRequest(run, n_vocab, 999, 1, kColdSalt), cold.ObserverFor(0)).status());
  cold.WaitForAll();
  const std::vector<engine::RequestSummary> cold_summary = cold.summaries();
  FAB_RETURN_IF_ERROR(CheckAllCompleted(cold_summary));

  // (b) N arrivals, each once the previous one has its first token (the
  // earlier ones decode meanwhile, so a warm TTFT includes their steps).
  const size_t n = static_cast<size_t>(run.sequences);
  RunCollector warm(n);
  for (size_t i = 0; i < n; ++i) {
    FAB_RETURN_IF_ERROR(
        engine->Submit(MakeRequest(run, n_vocab, 1000 + i, run.n_gen, kWarmSalt), warm.ObserverFor(i)).status());
    warm.WaitForFirstToken(i);
  }
  warm.WaitForAll();
  const engine::EngineStats stats = engine->Stats();  // before (c), whose blocks are all cached but one

  // (c) One more sharer on the idle engine.
  RunCollector idle(1);
  FAB_RETURN_IF_ERROR(
      engine->Submit(MakeRequest(run, n_vocab, 1000 + n, 1, kWarmSalt), idle.ObserverFor(0)).status());
  idle.WaitForAll();
  engine->Shutdown(engine::Clock::now());
  const std::vector<engine::RequestSummary> summaries = warm.summaries();
  FAB_RETURN_IF_ERROR(CheckAllCompleted(summaries));
  const std::vector<engine::RequestSummary> idle_summary = idle.summaries();
  FAB_RETURN_IF_ERROR(CheckAllCompleted(idle_summary));

  PrefixFigures figures;
  figures.sequences = run.sequences;
  figures.shared_prefix = run.shared_prefix;
  figures.n_prompt = run.n_prompt;
  figures.cold_ttft_s = *cold_summary[0].timings.time_to_first_token_seconds();
  std::vector<double> ttft;
  for (size_t i = 1; i < n; ++i) {
    ttft.push_back(*summaries[i].timings.time_to_first_token_seconds());
    figures.cached_prompt_tokens += summaries[i].counters.n_cached_prompt_tokens;
  }
  std::sort(ttft.begin(), ttft.end());
  figures.warm_ttft_p50_s = Percentile(ttft, 50);
  figures.warm_ttft_p99_s = Percentile(ttft, 99);
  figures.warm_to_cold = figures.warm_ttft_p50_s / figures.cold_ttft_s;
  figures.warm_idle_ttft_s = *idle_summary[0].timings.time_to_first_token_seconds();
  figures.warm_idle_to_cold = figures.warm_idle_ttft_s / figures.cold_ttft_s;
  figures.block_size = stats.kv_block_size;
  figures.kv_blocks_peak = stats.n_kv_blocks_used_peak;
  figures.kv_blocks_unshared = run.sequences * BlocksPerSequence(run);
  figures.prefix_blocks = run.shared_prefix / api::kBlockSize;
  return figures;
}

}  // namespace fab::cli
