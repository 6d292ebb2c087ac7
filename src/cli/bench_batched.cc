#include "cli/bench_batched.h"

#include <algorithm>
#include <cmath>
#include <random>
#include <string>
#include <unordered_map>
#include <vector>

#include "base/clock.h"
#include "runtime/executor.h"
#include "scheduler/scheduler.h"

namespace fab::cli {
namespace {

constexpr int32_t kBlockSize = 16;
constexpr int64_t kMinStepTokens = 512;
constexpr int64_t kMaxPrefillChunk = 512;

void AppendRandomTokens(std::vector<TokenId>& tokens, int64_t n, int64_t n_vocab, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_int_distribution<TokenId> pick(0, static_cast<TokenId>(n_vocab - 1));
  for (int64_t i = 0; i < n; ++i) tokens.push_back(pick(rng));
}

std::vector<scheduler::Request> MakeRequests(int sequences, int64_t n_prompt, int64_t n_gen, int64_t shared_prefix,
                                             int64_t n_vocab) {
  std::vector<TokenId> prefix;
  AppendRandomTokens(prefix, shared_prefix, n_vocab, 7);
  std::vector<scheduler::Request> requests(static_cast<size_t>(sequences));
  for (int i = 0; i < sequences; ++i) {
    scheduler::Request& request = requests[static_cast<size_t>(i)];
    request.id = i + 1;
    request.prompt = prefix;
    AppendRandomTokens(request.prompt, n_prompt - shared_prefix, n_vocab, 1000 + static_cast<uint64_t>(i));
    request.max_new_tokens = static_cast<int32_t>(n_gen);
    request.sampling.temperature = 0.0f;  // greedy
  }
  return requests;
}

scheduler::SchedulerConfig MakeConfig(int sequences, int64_t n_prompt, int64_t n_gen) {
  scheduler::SchedulerConfig config;
  config.max_tokens_per_step = std::max<int64_t>(kMinStepTokens, sequences);
  config.max_sequences = sequences;
  config.prefill_chunk = std::min(kMaxPrefillChunk, config.max_tokens_per_step);
  const int64_t blocks_per_sequence = (n_prompt + n_gen + kBlockSize - 1) / kBlockSize + 1;
  config.kv_cache.capacity_tokens = sequences * blocks_per_sequence * kBlockSize;
  config.kv_cache.block_size = kBlockSize;
  config.kv_cache.hash_seed = 1;
  return config;
}

// Nearest-rank percentile of sorted, non-empty `values`; p in (0, 1].
double Percentile(const std::vector<double>& sorted, double p) {
  const size_t rank = static_cast<size_t>(std::ceil(p * static_cast<double>(sorted.size())));
  return sorted[std::clamp<size_t>(rank, 1, sorted.size()) - 1];
}

}  // namespace

Status ValidateBatched(const model::Model& model, int sequences, int64_t n_prompt, int64_t n_gen,
                       int64_t shared_prefix) {
  if (sequences < 1 || sequences > kMaxBenchSequences) {
    return InvalidArgumentError("concurrency " + std::to_string(sequences) + " is outside [1, " +
                                std::to_string(kMaxBenchSequences) + "]");
  }
  if (n_prompt < 1) return InvalidArgumentError("batched runs need a prompt of at least 1 token (-p)");
  if (n_gen < 1) return InvalidArgumentError("batched runs need at least 1 generated token (-n)");
  if (shared_prefix < 0 || shared_prefix > n_prompt) {
    return InvalidArgumentError("shared prefix " + std::to_string(shared_prefix) +
                                " is longer than the prompt (" + std::to_string(n_prompt) + " tokens)");
  }
  const int64_t n_ctx = model.hparams().n_ctx_train;
  if (n_prompt + n_gen > n_ctx) {
    return InvalidArgumentError("prompt + generated tokens (" + std::to_string(n_prompt + n_gen) +
                                ") exceed the model's context of " + std::to_string(n_ctx));
  }
  return OkStatus();
}

StatusOr<BatchedFigures> RunBatched(const model::Model& model, ThreadPool& pool, int sequences, int64_t n_prompt,
                                    int64_t n_gen, int64_t shared_prefix) {
  FAB_RETURN_IF_ERROR(ValidateBatched(model, sequences, n_prompt, n_gen, shared_prefix));
  const scheduler::SchedulerConfig config = MakeConfig(sequences, n_prompt, n_gen);
  FAB_ASSIGN_OR_RETURN(scheduler::Scheduler scheduler, scheduler::Scheduler::Create(config));
  runtime::ExecutorOptions options;
  options.n_blocks = config.kv_cache.n_blocks();
  options.block_size = config.kv_cache.block_size;
  options.max_tokens_per_step = config.max_tokens_per_step;
  options.kv_dtype = runtime::KvDType::kF16;
  FAB_ASSIGN_OR_RETURN(std::unique_ptr<runtime::Executor> executor, runtime::Executor::Create(model, pool, options));
  for (scheduler::Request& request : MakeRequests(sequences, n_prompt, n_gen, shared_prefix,
                                                  model.hparams().n_vocab)) {
    FAB_RETURN_IF_ERROR(scheduler.Add(std::move(request)));
  }

  std::unordered_map<scheduler::RequestId, double> first_token_s;
  const double t0 = NowSeconds();
  // Each step feeds at least one token, so n_prompt + n_gen steps per sequence bound the loop.
  const int64_t max_steps = sequences * (n_prompt + n_gen) + 1;
  for (int64_t step = 0; step < max_steps && !scheduler.empty(); ++step) {
    const runtime::StepPlan plan = scheduler.Schedule();
    FAB_ASSIGN_OR_RETURN(runtime::StepResult result, executor->Execute(plan));
    const scheduler::StepOutputs outputs = scheduler.Update(result);
    const double now = NowSeconds() - t0;
    for (const scheduler::GeneratedToken& token : outputs.tokens) first_token_s.try_emplace(token.id, now);
  }
  const double end = NowSeconds() - t0;
  if (!scheduler.empty() || first_token_s.size() != static_cast<size_t>(sequences)) {
    return InternalError("batched run ended before every sequence produced its tokens");
  }

  std::vector<double> ttft;
  ttft.reserve(first_token_s.size());
  for (const auto& [id, seconds] : first_token_s) ttft.push_back(seconds);
  std::sort(ttft.begin(), ttft.end());
  const double last_first_token = ttft.back();
  BatchedFigures figures;
  figures.sequences = sequences;
  figures.pp_tps = static_cast<double>(sequences) * static_cast<double>(n_prompt) / last_first_token;
  if (n_gen > 1 && end > last_first_token) {
    figures.tg_tps = static_cast<double>(sequences) * static_cast<double>(n_gen - 1) / (end - last_first_token);
  }
  figures.ttft_p50_s = Percentile(ttft, 0.50);
  figures.ttft_p99_s = Percentile(ttft, 0.99);
  return figures;
}

}  // namespace fab::cli
