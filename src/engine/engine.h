// Engine: the serving loop over one model. One step thread owns the
// scheduler and the executor and runs Schedule → Execute → Update while
// there is work, sleeping on a condition variable when there is none. Other
// threads talk to it through Submit, Cancel, Stats and Shutdown (all
// thread-safe); results stream back through each request's RequestObserver,
// called on the step thread. The thread pool belongs to the engine while it
// runs: no one else may call pool.Run meanwhile. An Execute error ends the
// requests of that step with FinishReason::kError; the engine keeps serving.
// Energy: each step reads the power source (EngineConfig::power_source)
// before and after Execute and shares the difference among the step's
// requests by tokens fed (engine/step_energy.h); energy between steps is
// idle. Requests carry their share in RequestSummary::joules.
#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "engine/power_limiter.h"
#include "engine/step_gate.h"
#include "base/status.h"
#include "engine/engine_config.h"
#include "engine/engine_inbox.h"
#include "engine/engine_stats.h"
#include "request/generation_request.h"
#include "engine/request_observer.h"
#include "engine/request_tracker.h"
#include "engine/step_executor.h"
#include "model/model.h"
#include "platform/thread_pool.h"
#include "scheduler/scheduler.h"

namespace fab::engine {

class Engine {
 public:
  // `model` and `pool` must outlive the engine. InvalidArgument for a bad
  // config (EngineConfig::Validate), errors of Executor::Create as they are.
  // Starts the step thread.
  static StatusOr<std::unique_ptr<Engine>> Create(const model::Model& model, ThreadPool& pool,
                                                  const EngineConfig& config);
  // The same over any executor (config.executor is then only validated).
  // `pool`, when given, is whose worker threads' CPU time the default
  // energy model counts (with the step thread's).
  static StatusOr<std::unique_ptr<Engine>> CreateWithExecutor(const ModelLimits& limits, const EngineConfig& config,
                                                              std::unique_ptr<StepExecutor> executor,
                                                              const ThreadPool* pool = nullptr);
  // Shutdown(now): cancels whatever is still live.
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  // Queues `request`; `observer` (may be null) receives its tokens and its
  // end. InvalidArgument naming the field for a bad request; ResourceExhausted
  // at once when max_waiting requests are already waiting; Unavailable once
  // Shutdown began. On error nothing is queued and the observer is never called.
  StatusOr<RequestId> Submit(GenerationRequest request, std::shared_ptr<RequestObserver> observer);
  // Submit for several requests at once, all or none (one admission check,
  // and the step thread sees them together).
  StatusOr<std::vector<RequestId>> SubmitAll(std::vector<GenerationRequest> requests,
                                             std::vector<std::shared_ptr<RequestObserver>> observers);
  // Ends request `id` before the next step: its blocks are freed and its
  // observer gets OnFinish(kCancelled), exactly once however often Cancel is
  // called. NotFound when `id` is unknown or has already ended. OK means the
  // cancellation is posted: a request that the step running now finishes
  // keeps its own finish reason.
  Status Cancel(RequestId id);
  // A snapshot as of the last step (see EngineStats).
  EngineStats Stats() const;
  // Refuses new requests, lets live ones run until `deadline`, then cancels
  // the rest; returns when every request has ended and the step thread has
  // stopped. Idempotent; the earliest deadline given wins. Never call it
  // from an observer callback (it would wait for itself).
  void Shutdown(Clock::time_point deadline);
  // True once Shutdown began (a server's readiness probe: draining).
  bool shutting_down() const { return inbox_.shutting_down(); }
  // Whether the engine is stepping (a readiness probe): OK while the step
  // thread runs and the step in progress, if any, began less than
  // config.stall_limit ago; Unavailable saying which is not so otherwise.
  // Any thread; never waits for the step thread.
  Status CheckStepping() const;

  // From the next step on, each step holds `gate` (not owned; it must
  // outlive the engine): the engines of one process sharing it take turns.
  // Null: no gate. Any thread.
  void SetStepGate(StepGate* gate) { step_gate_.store(gate, std::memory_order_release); }

  // What a router needs to score prefix affinity: the prefix hashes of the
  // KV blocks this engine holds (kvcache/block_hash.h's chain, under
  // `hash_seed`), most useful first, at most kMaxPrefixSummaryBlocks, taken
  // on the step thread at most once a second while it steps and whenever it
  // runs out of work. Null before the first step. Any thread.
  struct PrefixSummary {
    int32_t block_size = 0;
    uint64_t hash_seed = 0;
    int64_t n_cached_blocks = 0;          // all of them; `blocks` may be fewer
    std::vector<kvcache::BlockHash> blocks;
    int64_t taken_at_ms = 0;              // Unix ms; 0: none taken yet
  };
  static constexpr size_t kMaxPrefixSummaryBlocks = 4096;
  std::shared_ptr<const PrefixSummary> prefix_summary() const;

  // The power budget the engine keeps its draw under (engine/power_limiter.h)
  // from the next step on; nullopt: none. Any thread.
  void SetPowerBudget(std::optional<double> watts);

  const EngineConfig& config() const { return config_; }
  // The label of the power source every request's joules come from
  // ("model", "rapl", …); fixed for the engine's life. Any thread.
  const std::string& energy_source() const { return power_->label(); }

 private:
  Engine(const ModelLimits& limits, const EngineConfig& config, scheduler::Scheduler scheduler,
         std::unique_ptr<StepExecutor> executor, const ThreadPool* pool);

  struct EnergyReading {
    std::optional<double> joules;  // nullopt: the meter could not be read
    Clock::time_point time;
  };
  EnergyReading ReadEnergy();
  // Books the energy from the previous step's end to `before` as idle, and
  // from `before` to `after` to the plan's requests (idle if it is empty).
  void BookStepEnergy(const StepPlan& plan, const EnergyReading& before, const EnergyReading& after);

  Status Validate(const GenerationRequest& request) const;
  // The step thread's body.
  void Run();
  // Takes the inbox's mail (waiting for some when idle) and applies it;
  // false once shut down with nothing left to run.
  bool TakeMail();
  // Returns whether the plan computed anything.
  bool Step();
  // After a step: the limiter reads the meter, the scheduler gets its
  // throttle, and the engine rests for the duty it sets.
  void LimitPower(Clock::duration step_time);
  void AddRequest(Submission submission);
  void CancelRequest(RequestId id, FinishReason reason, const Status& error = OkStatus());
  void CancelAll();
  // Ends every live request whose deadline has passed (kError, DeadlineExceeded).
  void ExpireDeadlines(Clock::time_point now);
  // The plan failed: its requests end with kError.
  void FailStep(const StepPlan& plan, const Status& error);
  void Deliver(const scheduler::StepOutputs& outputs);
  void PublishStats();
  // Refreshes prefix_summary_ when the last one is a second old, or when forced.
  void SummarizePrefixes(Clock::time_point now, bool force);

  const ModelLimits limits_;
  const EngineConfig config_;
  EngineInbox inbox_;

  // Step thread only.
  scheduler::Scheduler scheduler_;
  std::unique_ptr<StepExecutor> executor_;
  RequestTracker tracker_;
  std::shared_ptr<PowerSource> power_;  // read on the step thread only
  EnergyReading last_energy_;           // the end of the previous step
  PowerLimiter power_limiter_;
  std::unordered_map<RequestId, Clock::time_point> deadlines_;  // of live requests that have one
  bool last_plan_empty_ = false;        // every live request deferred: wait instead of spinning
  int32_t n_kv_blocks_used_peak_ = 0;

  // Written by the step thread, read by CheckStepping: when the step in
  // progress began (steady-clock ticks since its epoch; 0 between steps),
  // and whether the step thread has returned.
  std::atomic<Clock::rep> step_began_{0};
  std::atomic<bool> step_thread_ended_{false};

  mutable std::mutex stats_mutex_;
  EngineStats stats_;  // guarded by stats_mutex_

  std::mutex join_mutex_;
  std::thread step_thread_;  // guarded by join_mutex_ once started
  std::atomic<StepGate*> step_gate_{nullptr};
  mutable std::mutex prefix_mutex_;
  std::shared_ptr<const PrefixSummary> prefix_summary_;  // guarded by prefix_mutex_
  Clock::time_point prefix_summary_at_{};                // step thread
  std::mutex budget_mutex_;
  std::optional<std::optional<double>> new_budget_;  // guarded by budget_mutex_: set, not yet taken

};

}  // namespace fab::engine
