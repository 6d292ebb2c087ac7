// Helpers for the engine tests: a small synthesized model (shared with the
// runtime tests), configs, and a RecordingObserver that keeps every callback
// and lets the test thread wait for a request's end. Waits are bounded by a
// generous timeout so that a bug fails the test instead of hanging it; no
// assertion depends on how long anything took.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "../runtime/plan_driver.h"
#include "engine/engine.h"

namespace fab::engine {

inline constexpr std::chrono::seconds kTestTimeout{120};

inline EngineConfig MakeTestConfig(int64_t capacity_tokens = 16 * 256, int32_t max_sequences = 16,
                                   int32_t max_waiting = 64, int64_t prefill_chunk = 16) {
  scheduler::SchedulerConfig scheduler;
  scheduler.max_tokens_per_step = 64;
  scheduler.max_sequences = max_sequences;
  scheduler.prefill_chunk = prefill_chunk;
  scheduler.kv_cache.capacity_tokens = capacity_tokens;
  scheduler.kv_cache.block_size = 16;
  scheduler.kv_cache.hash_seed = 5;
  return MakeEngineConfig(scheduler, runtime::KvDType::kF32, max_waiting);  // F32: exact against Session
}

inline std::unique_ptr<Engine> MakeEngine(ThreadPool& pool, const EngineConfig& config = MakeTestConfig()) {
  StatusOr<std::unique_ptr<Engine>> engine = Engine::Create(runtime::SmallModel("llama"), pool, config);
  FAB_CHECK(engine.ok()) << engine.status().ToString();
  return std::move(engine).value();
}

inline GenerationRequest GreedyRequest(std::vector<TokenId> prompt, int32_t max_new_tokens) {
  GenerationRequest request;
  request.prompt = std::move(prompt);
  request.max_new_tokens = max_new_tokens;
  request.sampling.temperature = 0.0f;
  return request;
}

// Records one request's callbacks; thread-safe. `on_token` (optional) runs
// on the step thread inside OnToken, after the token is recorded.
class RecordingObserver : public RequestObserver {
 public:
  RecordingObserver() = default;
  explicit RecordingObserver(std::function<void(int n_tokens)> on_token) : on_token_(std::move(on_token)) {}

  void OnToken(TokenId token, float logprob) override {
    int n_tokens = 0;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      EXPECT_FALSE(summary_.has_value()) << "token after OnFinish";
      calls_.push_back('k');
      tokens_.push_back(token);
      logprobs_.push_back(logprob);
      n_tokens = static_cast<int>(tokens_.size());
    }
    changed_.notify_all();
    if (on_token_) on_token_(n_tokens);
  }

  void OnTopLogprobs(std::span<const TokenLogprob> top) override {
    std::lock_guard<std::mutex> lock(mutex_);
    calls_.push_back('t');
    top_.emplace_back(top.begin(), top.end());
  }

  void OnPromptLogprobs(std::span<const PromptTokenLogprob> prompt) override {
    std::lock_guard<std::mutex> lock(mutex_);
    calls_.push_back('p');
    prompt_.assign(prompt.begin(), prompt.end());
  }

  void OnFinish(const RequestSummary& summary) override {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      ++n_finish_calls_;
      summary_ = summary;
    }
    changed_.notify_all();
  }

  // The summary, once OnFinish ran (nullopt after kTestTimeout).
  std::optional<RequestSummary> WaitForFinish() {
    std::unique_lock<std::mutex> lock(mutex_);
    changed_.wait_for(lock, kTestTimeout, [this] { return summary_.has_value(); });
    return summary_;
  }
  // Whether n tokens arrived within kTestTimeout.
  bool WaitForTokens(size_t n) {
    std::unique_lock<std::mutex> lock(mutex_);
    return changed_.wait_for(lock, kTestTimeout, [&] { return tokens_.size() >= n || summary_.has_value(); }) &&
           tokens_.size() >= n;
  }
  std::vector<TokenId> tokens() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return tokens_;
  }
  std::vector<float> logprobs() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return logprobs_;
  }
  // One letter per logprob or token callback, in order: 'p' OnPromptLogprobs,
  // 't' OnTopLogprobs, 'k' OnToken.
  std::string calls() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return calls_;
  }
  // One entry per OnTopLogprobs call.
  std::vector<std::vector<TokenLogprob>> top() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return top_;
  }
  // The last OnPromptLogprobs call's entries.
  std::vector<PromptTokenLogprob> prompt() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return prompt_;
  }
  int n_finish_calls() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return n_finish_calls_;
  }

 private:
  std::function<void(int)> on_token_;
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<TokenId> tokens_;
  std::vector<float> logprobs_;
  std::string calls_;
  std::vector<std::vector<TokenLogprob>> top_;
  std::vector<PromptTokenLogprob> prompt_;
  std::optional<RequestSummary> summary_;
  int n_finish_calls_ = 0;
};

// A one-shot gate: Open() releases every Wait() (bounded by kTestTimeout).
class Gate {
 public:
  void Open() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      open_ = true;
    }
    opened_.notify_all();
  }
  bool Wait() {
    std::unique_lock<std::mutex> lock(mutex_);
    return opened_.wait_for(lock, kTestTimeout, [this] { return open_; });
  }

 private:
  std::mutex mutex_;
  std::condition_variable opened_;
  bool open_ = false;
};

// An observer that, at its n-th token, opens `reached` and parks the step
// thread (inside the step) until `resume` opens.
inline std::shared_ptr<RecordingObserver> ParkAt(int n_tokens, Gate& reached, Gate& resume) {
  return std::make_shared<RecordingObserver>([n_tokens, &reached, &resume](int n) {
    if (n != n_tokens) return;
    reached.Open();
    EXPECT_TRUE(resume.Wait());
  });
}

}  // namespace fab::engine
