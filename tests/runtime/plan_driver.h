// PlanDriver: a test-only stand-in for the scheduler that builds StepPlans by
// hand: decodes first, then prefill chunks of at most `chunk` tokens, within
// a per-step token budget; blocks handed out from a counter (or preset, to
// share a prefix). Also runs a prompt alone through model::Session as the
// reference the batched runtime must reproduce.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <unistd.h>

#include "model/model.h"
#include "model/session.h"
#include "model/small_shapes.h"
#include "model/synth.h"
#include "runtime/executor.h"
#include "runtime/sampler.h"

namespace fab::runtime {

struct Stream {
  SeqId id = 0;
  std::vector<TokenId> tokens;  // prompt, then generated
  int64_t n_prompt = 0;
  int64_t n_computed = 0;       // positions holding KV
  int32_t n_to_generate = 0;
  std::vector<BlockId> blocks;
  SamplingParams sampling;
  std::vector<TokenId> generated;

  bool done() const { return static_cast<int32_t>(generated.size()) >= n_to_generate; }
};

inline Stream MakeStream(SeqId id, std::vector<TokenId> prompt, int32_t n_to_generate) {
  Stream stream;
  stream.id = id;
  stream.n_prompt = static_cast<int64_t>(prompt.size());
  stream.tokens = std::move(prompt);
  stream.n_to_generate = n_to_generate;
  stream.sampling.temperature = 0.0f;  // greedy
  return stream;
}

class PlanDriver {
 public:
  PlanDriver(int32_t block_size, int64_t chunk, int64_t budget, BlockId first_free_block = 0)
      : block_size_(block_size), chunk_(chunk), budget_(budget), next_block_(first_free_block) {}

  // The next plan over the unfinished streams (empty when all are done).
  StepPlan Build(std::vector<Stream>& streams) {
    StepPlan plan;
    plan.block_size = block_size_;
    int64_t budget_left = budget_;
    for (int pass = 0; pass < 2; ++pass) {  // pass 0: decodes, pass 1: prefill chunks
      for (Stream& stream : streams) {
        const int64_t remaining = static_cast<int64_t>(stream.tokens.size()) - stream.n_computed;
        const bool decoding = remaining == 1 && stream.n_computed >= stream.n_prompt;
        if (stream.done() || remaining <= 0 || decoding != (pass == 0) || budget_left == 0) continue;
        const int64_t n = std::min({remaining, chunk_, budget_left});
        budget_left -= n;
        const int64_t end = stream.n_computed + n;
        while (static_cast<int64_t>(stream.blocks.size()) * block_size_ < end) stream.blocks.push_back(next_block_++);
        ScheduledSequence sequence;
        sequence.seq_id = stream.id;
        sequence.tokens = std::span<const TokenId>(stream.tokens).subspan(static_cast<size_t>(stream.n_computed),
                                                                          static_cast<size_t>(n));
        sequence.first_position = stream.n_computed;
        sequence.history = std::span<const TokenId>(stream.tokens).first(static_cast<size_t>(end));
        sequence.block_ids = stream.blocks;
        sequence.sample = end == static_cast<int64_t>(stream.tokens.size());
        sequence.sampling = &stream.sampling;
        plan.sequences.push_back(sequence);
      }
    }
    return plan;
  }

  // Commits a plan's KV and appends its sampled tokens.
  static void Apply(const StepPlan& plan, const StepResult& result, std::vector<Stream>& streams) {
    size_t sampled_idx = 0;
    for (const ScheduledSequence& sequence : plan.sequences) {
      Stream& stream = *std::find_if(streams.begin(), streams.end(),
                                     [&](const Stream& s) { return s.id == sequence.seq_id; });
      stream.n_computed = sequence.first_position + sequence.n_tokens();
      if (!sequence.sample) continue;
      ASSERT_LT(sampled_idx, result.sampled.size());
      ASSERT_EQ(result.sampled[sampled_idx].seq_id, sequence.seq_id);
      const TokenId token = result.sampled[sampled_idx++].token;
      stream.generated.push_back(token);
      if (!stream.done()) stream.tokens.push_back(token);
    }
    ASSERT_EQ(sampled_idx, result.sampled.size());
  }

  BlockId next_block() const { return next_block_; }

 private:
  int32_t block_size_;
  int64_t chunk_;
  int64_t budget_;
  BlockId next_block_;
};

// Runs every stream to completion through `executor`.
inline void RunAll(Executor& executor, PlanDriver& driver, std::vector<Stream>& streams) {
  for (int step = 0; step < 10000; ++step) {
    const StepPlan plan = driver.Build(streams);
    if (plan.empty()) return;
    StatusOr<StepResult> result = executor.Execute(plan);
    ASSERT_TRUE(result.ok()) << result.status().ToString();
    PlanDriver::Apply(plan, *result, streams);
  }
  FAIL() << "streams did not finish";
}

// Greedy tokens of `prompt` run alone through model::Session.
inline std::vector<TokenId> GreedyAlone(const model::Model& model, ThreadPool& pool, std::span<const TokenId> prompt,
                                        int32_t n_to_generate) {
  model::Session session(model, pool);
  std::vector<TokenId> generated;
  EXPECT_TRUE(session.Eval(prompt).ok());
  for (int32_t i = 0; i < n_to_generate; ++i) {
    const TokenId token = ArgMax(session.logits());
    generated.push_back(token);
    if (i + 1 < n_to_generate) {
      EXPECT_TRUE(session.Eval(std::span<const TokenId>(&token, 1)).ok());
    }
  }
  return generated;
}

// log softmax of every row of Session's logits for `prompt`, in double:
// [n_prompt][n_vocab]. The reference for prompt scores.
inline std::vector<std::vector<double>> SessionLogSoftmax(const model::Model& model, ThreadPool& pool,
                                                          std::span<const TokenId> prompt) {
  model::Session session(model, pool);
  EXPECT_TRUE(session.Eval(prompt, /*all_logits=*/true).ok());
  const size_t n_vocab = static_cast<size_t>(model.hparams().n_vocab);
  std::vector<std::vector<double>> rows;
  for (size_t row = 0; row < prompt.size(); ++row) {
    const std::span<const float> logits = session.logits().subspan(row * n_vocab, n_vocab);
    double max = -INFINITY;
    for (float logit : logits) max = std::max(max, static_cast<double>(logit));
    double sum = 0.0;
    for (float logit : logits) sum += std::exp(logit - max);
    std::vector<double> log_softmax(n_vocab);
    for (size_t i = 0; i < n_vocab; ++i) log_softmax[i] = logits[i] - max - std::log(sum);
    rows.push_back(std::move(log_softmax));
  }
  return rows;
}

// A small model of family `arch` ("llama", "qwen2" or "qwen3"), synthesized once per process.
inline const model::Model& SmallModel(const std::string& arch) {
  static std::map<std::string, std::unique_ptr<model::Model>> models;
  std::unique_ptr<model::Model>& slot = models[arch];
  if (slot == nullptr) {
    static std::vector<std::unique_ptr<model::SynthShape>> shapes;
    shapes.push_back(std::make_unique<model::SynthShape>(model::SmallShapeOf(arch)));
    ThreadPool pool(2);
    model::SynthOptions options;
    options.shape = shapes.back().get();
    options.quant = DType::kF32;  // no int8 activations: exact comparisons hold on every ISA
    options.out_path = (std::filesystem::temp_directory_path() /
                        ("tokenfab_runtime_test_" + std::to_string(getpid()) + "_" + arch + ".gguf"))
                           .string();
    Status written = model::SynthesizeModel(options, pool);
    FAB_CHECK(written.ok()) << written.ToString();
    auto loaded = model::Model::Load(options.out_path);
    FAB_CHECK(loaded.ok()) << loaded.status().ToString();
    std::filesystem::remove(options.out_path);
    slot = std::move(loaded).value();
  }
  return *slot;
}

// Prompt tokens in [1, 600), different per seed.
inline std::vector<TokenId> MakePrompt(int64_t n_tokens, uint32_t seed) {
  std::vector<TokenId> prompt(static_cast<size_t>(n_tokens));
  for (size_t i = 0; i < prompt.size(); ++i) {
    prompt[i] = static_cast<TokenId>(1 + (seed * 7919u + i * 104729u + i * i * 31u) % 599u);
  }
  return prompt;
}

}  // namespace fab::runtime
