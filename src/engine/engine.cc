#include "engine/engine.h"

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include <pthread.h>

#include "base/check.h"
#include "platform/model_power_source.h"
#include "request/context_window.h"
#include "request/limits.h"
#include "runtime/executor.h"

namespace fab::engine {
namespace {

class RuntimeExecutor : public StepExecutor {
 public:
  explicit RuntimeExecutor(std::unique_ptr<runtime::Executor> executor) : executor_(std::move(executor)) {}
  StatusOr<StepResult> Execute(const StepPlan& plan) override { return executor_->Execute(plan); }

 private:
  std::unique_ptr<runtime::Executor> executor_;
};

}  // namespace

StatusOr<std::unique_ptr<Engine>> Engine::Create(const model::Model& model, ThreadPool& pool,
                                                 const EngineConfig& config) {
  FAB_RETURN_IF_ERROR(config.Validate());
  const int64_t n_ctx_train = model.hparams().n_ctx_train;
  FAB_RETURN_IF_ERROR(CheckContextOption(config.n_ctx, n_ctx_train));
  const ModelLimits limits{model.hparams().n_vocab, config.n_ctx > 0 ? config.n_ctx : n_ctx_train};
  runtime::ExecutorOptions executor_options = config.executor;
  executor_options.n_ctx = limits.n_ctx;
  FAB_ASSIGN_OR_RETURN(std::unique_ptr<runtime::Executor> executor,
                       runtime::Executor::Create(model, pool, executor_options));
  EngineConfig windowed = config;
  if (model.hparams().AllLayersSlide()) windowed.scheduler.kv_cache.sliding_window = model.hparams().sliding_window;
  return CreateWithExecutor(limits, windowed, std::make_unique<RuntimeExecutor>(std::move(executor)), &pool);
}

StatusOr<std::unique_ptr<Engine>> Engine::CreateWithExecutor(const ModelLimits& limits, const EngineConfig& config,
                                                             std::unique_ptr<StepExecutor> executor,
                                                             const ThreadPool* pool) {
  FAB_RETURN_IF_ERROR(config.Validate());
  if (limits.n_vocab < 1 || limits.n_ctx < 1) return InvalidArgumentError("engine model limits must be positive");
  FAB_CHECK(executor != nullptr);
  FAB_ASSIGN_OR_RETURN(scheduler::Scheduler scheduler, scheduler::Scheduler::Create(config.scheduler));
  std::unique_ptr<Engine> engine(new Engine(limits, config, std::move(scheduler), std::move(executor), pool));
  engine->PublishStats();
  engine->step_thread_ = std::thread([raw = engine.get()] { raw->Run(); });
  return engine;
}

Engine::Engine(const ModelLimits& limits, const EngineConfig& config, scheduler::Scheduler scheduler,
               std::unique_ptr<StepExecutor> executor, const ThreadPool* pool)
    : limits_(limits),
      config_(config),
      inbox_(config.max_waiting),
      scheduler_(std::move(scheduler)),
      executor_(std::move(executor)),
      power_(config.power_source) {
  if (power_ == nullptr) {
    // Read on the step thread only, so "this thread" is the step thread.
    power_ = std::make_shared<ModelPowerSource>(config.energy_model, [pool] {
      return ThreadCpuSeconds(pthread_self()) + (pool != nullptr ? pool->WorkersCpuSeconds() : 0.0);
    });
  }
  tracker_.SetEnergySource(power_->label());
}

Engine::~Engine() { Shutdown(Clock::now()); }

Status Engine::Validate(const GenerationRequest& request) const {
  const int64_t n_vocab = limits_.n_vocab;
  const int64_t n_ctx = limits_.n_ctx;
  const int64_t n_prompt = static_cast<int64_t>(request.prompt.size());
  if (n_prompt == 0) return InvalidArgumentError("prompt is empty");
  if (request.max_new_tokens < 1) {
    return InvalidArgumentError("max_new_tokens " + std::to_string(request.max_new_tokens) + " is below 1");
  }
  // The rule on the tokens that take a position: the last generated token is
  // never fed back, so a scoring request (one token, dropped) may fill n_ctx.
  if (!FitsContext(n_prompt, request.max_new_tokens - 1, n_ctx)) {
    return InvalidArgumentError("prompt (" + std::to_string(n_prompt) + " tokens) + max_new_tokens (" +
                                std::to_string(request.max_new_tokens) + ") - 1 exceed the model's context of " +
                                std::to_string(n_ctx));
  }
  const int64_t capacity = int64_t{config_.scheduler.kv_cache.n_blocks()} * config_.scheduler.kv_cache.block_size;
  if (n_prompt > capacity) {
    return InvalidArgumentError("prompt of " + std::to_string(n_prompt) + " tokens exceeds the KV cache pool of " +
                                std::to_string(capacity) + " tokens");
  }
  for (size_t i = 0; i < request.prompt.size(); ++i) {
    if (request.prompt[i] < 0 || request.prompt[i] >= n_vocab) {
      return InvalidArgumentError("prompt token " + std::to_string(request.prompt[i]) + " at index " +
                                  std::to_string(i) + " is outside the vocabulary [0, " + std::to_string(n_vocab) + ")");
    }
  }
  if (static_cast<int>(request.priority) >= kNumPriorities) {
    return InvalidArgumentError("priority " + std::to_string(static_cast<int>(request.priority)) +
                                " is not one of interactive (0) or batch (1)");
  }
  if (request.stop_tokens.size() > kMaxStopTokens) {
    return InvalidArgumentError("stop_tokens holds " + std::to_string(request.stop_tokens.size()) +
                                " tokens, more than " + std::to_string(kMaxStopTokens));
  }
  if (request.n_top_logprobs < 0 || request.n_top_logprobs > kMaxTopLogprobs) {
    return InvalidArgumentError("n_top_logprobs " + std::to_string(request.n_top_logprobs) + " is outside [0, " +
                                std::to_string(kMaxTopLogprobs) + "]");
  }
  FAB_RETURN_IF_ERROR(CheckLogitBias(request.sampling.logit_bias, n_vocab).WithContext("sampling"));
  return request.sampling.Validate().WithContext("sampling");
}

StatusOr<RequestId> Engine::Submit(GenerationRequest request, std::shared_ptr<RequestObserver> observer) {
  std::vector<GenerationRequest> requests;
  requests.push_back(std::move(request));
  std::vector<std::shared_ptr<RequestObserver>> observers;
  observers.push_back(std::move(observer));
  FAB_ASSIGN_OR_RETURN(std::vector<RequestId> ids, SubmitAll(std::move(requests), std::move(observers)));
  return ids.front();
}

StatusOr<std::vector<RequestId>> Engine::SubmitAll(std::vector<GenerationRequest> requests,
                                                   std::vector<std::shared_ptr<RequestObserver>> observers) {
  if (requests.size() != observers.size()) {
    return InvalidArgumentError(std::to_string(requests.size()) + " requests but " +
                                std::to_string(observers.size()) + " observers");
  }
  for (size_t i = 0; i < requests.size(); ++i) {
    Status valid = Validate(requests[i]);
    if (!valid.ok()) return requests.size() == 1 ? valid : valid.WithContext("request " + std::to_string(i));
  }
  return inbox_.Post(std::move(requests), std::move(observers));
}

Status Engine::Cancel(RequestId id) { return inbox_.PostCancel(id); }

EngineStats Engine::Stats() const {
  std::lock_guard<std::mutex> lock(stats_mutex_);
  return stats_;
}

void Engine::Shutdown(Clock::time_point deadline) {
  inbox_.BeginShutdown(deadline);
  std::lock_guard<std::mutex> lock(join_mutex_);
  if (step_thread_.joinable()) step_thread_.join();
}

void Engine::Run() {
  while (TakeMail()) {
    StepGate* gate = step_gate_.load(std::memory_order_acquire);
    if (gate != nullptr) gate->Enter();
    const Clock::time_point began = Clock::now();
    step_began_.store(began.time_since_epoch().count(), std::memory_order_release);
    last_plan_empty_ = !Step();
    step_began_.store(0, std::memory_order_release);
    if (gate != nullptr) gate->Leave();
    LimitPower(Clock::now() - began);
    SummarizePrefixes(Clock::now(), /*force=*/scheduler_.empty());  // idle next: what it holds now stays
  }
  step_thread_ended_.store(true, std::memory_order_release);
}

Status Engine::CheckStepping() const {
  if (step_thread_ended_.load(std::memory_order_acquire)) return UnavailableError("the engine has stopped");
  const Clock::rep began = step_began_.load(std::memory_order_acquire);
  if (began == 0) return OkStatus();
  const auto running = Clock::now() - Clock::time_point(Clock::duration(began));
  if (running < config_.stall_limit) return OkStatus();
  const auto ms = [](auto d) { return std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(d).count()); };
  return UnavailableError("the engine step in progress has run " + ms(running) + " ms, over the stall limit of " +
                          ms(config_.stall_limit) + " ms");
}

void Engine::SetPowerBudget(std::optional<double> watts) {
  // budget_mutex_ then stats_mutex_, as PublishStats takes them.
  std::lock_guard<std::mutex> budget_lock(budget_mutex_);
  new_budget_ = watts;
  std::lock_guard<std::mutex> stats_lock(stats_mutex_);  // seen at once, even while idle
  stats_.power_budget_watts = watts.value_or(-1.0);
}

std::shared_ptr<const Engine::PrefixSummary> Engine::prefix_summary() const {
  std::lock_guard<std::mutex> lock(prefix_mutex_);
  return prefix_summary_;
}

void Engine::SummarizePrefixes(Clock::time_point now, bool force) {
  if (!force && prefix_summary_ != nullptr && now - prefix_summary_at_ < std::chrono::seconds(1)) return;
  prefix_summary_at_ = now;
  auto summary = std::make_shared<PrefixSummary>();
  const kvcache::KvCacheManager& kv_cache = scheduler_.kv_cache();
  summary->block_size = kv_cache.block_size();
  summary->hash_seed = config_.scheduler.kv_cache.hash_seed;
  summary->n_cached_blocks = kv_cache.pool().n_cached();
  summary->blocks = kv_cache.pool().CachedHashes(kMaxPrefixSummaryBlocks);
  summary->taken_at_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
  std::lock_guard<std::mutex> lock(prefix_mutex_);
  prefix_summary_ = std::move(summary);
}

void Engine::LimitPower(Clock::duration step_time) {
  {
    std::lock_guard<std::mutex> lock(budget_mutex_);
    if (new_budget_) power_limiter_.SetBudget(*new_budget_);
    new_budget_.reset();
  }
  const EnergyReading now = ReadEnergy();
  const PowerPlan plan = power_limiter_.Observe(now.joules, now.time);
  if (!(scheduler_.throttle() == plan.throttle)) scheduler_.SetThrottle(plan.throttle);
  if (plan.duty < 1.0 && !last_plan_empty_) {
    // Rest so that stepping takes `duty` of the time (at most a second at once).
    const auto rest = std::chrono::duration_cast<Clock::duration>(step_time * ((1.0 - plan.duty) / plan.duty));
    std::this_thread::sleep_for(std::min<Clock::duration>(rest, std::chrono::seconds(1)));
  }
}

bool Engine::TakeMail() {
  // With live requests that the throttle holds back, wake now and then to
  // look again rather than spin on empty plans.
  const bool all_deferred = last_plan_empty_ && !scheduler_.empty() && scheduler_.n_deferred() > 0;
  Mail mail = inbox_.Take(/*wait=*/scheduler_.empty() || all_deferred,
                          all_deferred ? std::optional<Clock::duration>(std::chrono::milliseconds(20)) : std::nullopt);
  tracker_.CountSubmitted(static_cast<int64_t>(mail.submissions.size()));
  for (Submission& submission : mail.submissions) AddRequest(std::move(submission));
  for (RequestId id : mail.cancels) CancelRequest(id, FinishReason::kCancelled);
  if (!deadlines_.empty()) ExpireDeadlines(Clock::now());
  if (mail.shutting_down && Clock::now() >= mail.deadline) CancelAll();
  inbox_.SetWaitingInScheduler(scheduler_.n_waiting());
  PublishStats();
  tracker_.FlushEvents();
  return !(mail.shutting_down && scheduler_.empty());
}

bool Engine::Step() {
  const StepPlan plan = scheduler_.Schedule();
  n_kv_blocks_used_peak_ = std::max(n_kv_blocks_used_peak_, scheduler_.kv_cache().pool().n_used());
  tracker_.MarkStarted(plan, Clock::now(), [this](RequestId id) { return scheduler_.Snapshot(id)->counters; });
  if (!plan.empty()) tracker_.CountStep();
  const EnergyReading before = ReadEnergy();
  StatusOr<StepResult> result = executor_->Execute(plan);
  BookStepEnergy(plan, before, ReadEnergy());
  if (result.ok()) {
    tracker_.AddPromptScores(result->prompt_scores);
    Deliver(scheduler_.Update(*result));
  } else {
    FailStep(plan, result.status());
  }
  inbox_.SetWaitingInScheduler(scheduler_.n_waiting());
  PublishStats();
  tracker_.FlushEvents();
  return !plan.empty();
}

Engine::EnergyReading Engine::ReadEnergy() {
  const StatusOr<double> joules = power_->EnergyJoules();
  return {joules.ok() ? std::optional<double>(*joules) : std::nullopt, Clock::now()};
}

void Engine::BookStepEnergy(const StepPlan& plan, const EnergyReading& before, const EnergyReading& after) {
  // A meter that could not be read leaves that stretch unbooked.
  if (last_energy_.joules && before.joules) tracker_.AddIdleEnergy(std::max(0.0, *before.joules - *last_energy_.joules));
  if (before.joules && after.joules) {
    const double joules = std::max(0.0, *after.joules - *before.joules);
    if (plan.empty()) {
      tracker_.AddIdleEnergy(joules);
    } else {
      tracker_.AddStepEnergy(plan, joules, std::chrono::duration<double>(after.time - before.time).count());
    }
  }
  last_energy_ = after;
}

void Engine::ExpireDeadlines(Clock::time_point now) {
  for (auto it = deadlines_.begin(); it != deadlines_.end();) {
    if (!scheduler_.Snapshot(it->first)) {
      it = deadlines_.erase(it);  // ended already
    } else if (it->second <= now) {
      const RequestId id = it->first;
      it = deadlines_.erase(it);
      CancelRequest(id, FinishReason::kError,
                    DeadlineExceededError("the request's deadline (metadata.deadline) passed before it finished"));
    } else {
      ++it;
    }
  }
}

void Engine::AddRequest(Submission submission) {
  const RequestId id = submission.id;
  if (submission.request.deadline) deadlines_[id] = *submission.request.deadline;
  scheduler::Request request{std::move(submission.request), id};
  RequestCounters counters;
  counters.n_prompt_tokens = static_cast<int64_t>(request.prompt.size());
  tracker_.Track(std::move(submission), counters.n_prompt_tokens);
  Status added = scheduler_.Add(std::move(request));
  if (added.ok()) return;
  tracker_.Finish(id, FinishReason::kError, counters, Clock::now(), added);  // Validate should have caught it
  inbox_.Ended(id);
}

void Engine::CancelRequest(RequestId id, FinishReason reason, const Status& error) {
  const std::optional<scheduler::RequestSnapshot> snapshot = scheduler_.Snapshot(id);
  if (!snapshot) return;  // ended before the cancellation arrived
  FAB_CHECK(scheduler_.Cancel(id).ok());
  tracker_.Finish(id, reason, snapshot->counters, Clock::now(), error);
  inbox_.Ended(id);
}

void Engine::CancelAll() {
  std::vector<RequestId> ids = scheduler_.RunningIds();
  const std::vector<RequestId> waiting = scheduler_.WaitingIds();
  ids.insert(ids.end(), waiting.begin(), waiting.end());
  for (RequestId id : ids) CancelRequest(id, FinishReason::kCancelled);
}

void Engine::FailStep(const StepPlan& plan, const Status& error) {
  std::vector<RequestId> ids;
  for (const ScheduledSequence& sequence : plan.sequences) ids.push_back(sequence.seq_id);
  Deliver(scheduler_.AbortStep());
  for (RequestId id : ids) CancelRequest(id, FinishReason::kError, error);
}

void Engine::Deliver(const scheduler::StepOutputs& outputs) {
  const Clock::time_point now = Clock::now();
  tracker_.AddPreemptions(static_cast<int64_t>(outputs.preempted.size()));
  tracker_.AddTokens(outputs.tokens, now);
  for (const scheduler::FinishedRequest& finished : outputs.finished) {
    tracker_.Finish(finished.id, finished.reason, finished.counters, now);
    inbox_.Ended(finished.id);
  }
}

void Engine::PublishStats() {
  EngineStats stats = tracker_.totals();
  const kvcache::KvCacheManager& kv_cache = scheduler_.kv_cache();
  stats.n_running = scheduler_.n_running();
  stats.n_waiting = scheduler_.n_waiting();
  stats.n_kv_blocks_used = kv_cache.pool().n_used();
  n_kv_blocks_used_peak_ = std::max(n_kv_blocks_used_peak_, stats.n_kv_blocks_used);
  stats.n_kv_blocks_used_peak = n_kv_blocks_used_peak_;
  stats.n_kv_blocks_total = kv_cache.n_blocks();
  stats.kv_block_size = kv_cache.block_size();
  stats.kv_usage = kv_cache.utilization();
  // Held until stats_ is written, so a budget set meanwhile is not overwritten with the old one.
  std::lock_guard<std::mutex> budget_lock(budget_mutex_);
  stats.power_budget_watts = (new_budget_ ? *new_budget_ : power_limiter_.budget()).value_or(-1.0);
  stats.power_watts = power_limiter_.watts().value_or(-1.0);
  stats.power_level = power_limiter_.plan().level;
  stats.power_duty = power_limiter_.plan().duty;
  stats.n_deferred = scheduler_.n_deferred();
  std::lock_guard<std::mutex> lock(stats_mutex_);
  stats_ = stats;
}

}  // namespace fab::engine
