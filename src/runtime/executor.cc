#include "runtime/executor.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

namespace fab::runtime {
namespace {

constexpr int64_t kMaxTokensPerStep = int64_t{1} << 20;

std::string SequenceName(const ScheduledSequence& sequence) { return "sequence " + std::to_string(sequence.seq_id); }

}  // namespace

float LogProbability(std::span<const float> logits, TokenId token) {
  const float max = *std::max_element(logits.begin(), logits.end());
  double sum = 0.0;
  for (float logit : logits) sum += std::exp(static_cast<double>(logit) - max);
  return static_cast<float>(static_cast<double>(logits[static_cast<size_t>(token)]) - max - std::log(sum));
}

StatusOr<std::unique_ptr<Executor>> Executor::Create(const model::Model& model, ThreadPool& pool,
                                                     const ExecutorOptions& options) {
  if (options.max_tokens_per_step < 1 || options.max_tokens_per_step > kMaxTokensPerStep) {
    return InvalidArgumentError("max_tokens_per_step must be in [1, " + std::to_string(kMaxTokensPerStep) + "]");
  }
  const model::ModelHparams& hp = model.hparams();
  KvPagesShape shape{options.n_blocks, options.block_size, hp.n_layer, hp.n_head_kv, hp.head_dim};
  FAB_ASSIGN_OR_RETURN(KvPages pages, KvPages::Create(shape, options.kv_dtype));
  const int64_t n_ctx = options.n_ctx > 0 ? options.n_ctx : hp.n_ctx_train;
  return std::unique_ptr<Executor>(new Executor(model, pool, std::make_unique<KvPages>(std::move(pages)),
                                                options.max_tokens_per_step, n_ctx));
}

Executor::Executor(const model::Model& model, ThreadPool& pool, std::unique_ptr<KvPages> pages, int64_t max_tokens,
                   int64_t n_ctx)
    : model_(model), pages_(std::move(pages)), forward_(model, *pages_, pool, max_tokens, n_ctx) {}

Status Executor::ValidateSequence(const ScheduledSequence& sequence, int32_t block_size) const {
  const model::ModelHparams& hp = model_.hparams();
  const std::string name = SequenceName(sequence);
  if (sequence.tokens.empty()) return InvalidArgumentError(name + " feeds no tokens");
  if (sequence.first_position < 0) return InvalidArgumentError(name + " starts at a negative position");
  const int64_t end = sequence.first_position + sequence.n_tokens();
  if (end > hp.n_ctx_train) {
    return OutOfRangeError(name + " reaches position " + std::to_string(end) + ", past the model's context of " +
                           std::to_string(hp.n_ctx_train));
  }
  if (static_cast<int64_t>(sequence.history.size()) != end) {
    return InvalidArgumentError(name + " history holds " + std::to_string(sequence.history.size()) +
                                " tokens, expected " + std::to_string(end));
  }
  for (TokenId token : sequence.tokens) {
    if (token < 0 || token >= hp.n_vocab) {
      return InvalidArgumentError(name + ": token id " + std::to_string(token) + " is outside the vocabulary [0, " +
                                  std::to_string(hp.n_vocab) + ")");
    }
  }
  const int64_t n_blocks_needed = (end - 1) / block_size + 1;
  if (static_cast<int64_t>(sequence.block_ids.size()) < n_blocks_needed) {
    return InvalidArgumentError(name + " has " + std::to_string(sequence.block_ids.size()) +
                                " blocks for " + std::to_string(end) + " positions");
  }
  // Blocks that every fed position's window has passed may have been released
  // (models whose layers all slide).
  const int64_t first_attended =
      hp.AllLayersSlide() ? kernels::FirstAttendedPosition(model::AttentionShapeFor(hp, 0), sequence.first_position)
                          : 0;
  for (int64_t i = 0; i < n_blocks_needed; ++i) {
    const BlockId block = sequence.block_ids[static_cast<size_t>(i)];
    if (block == kReleasedBlock && (i + 1) * block_size <= first_attended) continue;
    if (block < 0 || block >= pages_->shape().n_blocks) {
      return InvalidArgumentError(name + " refers to block " + std::to_string(block) + " outside the pool");
    }
  }
  if (sequence.sample && sequence.sampling == nullptr) {
    return InvalidArgumentError(name + " samples without sampling parameters");
  }
  if (sequence.n_top_logprobs < 0 || sequence.n_top_logprobs > kMaxTopLogprobs) {
    return InvalidArgumentError(name + " asks for " + std::to_string(sequence.n_top_logprobs) +
                                " top logprobs, outside [0, " + std::to_string(kMaxTopLogprobs) + "]");
  }
  const int64_t n_scorable = sequence.n_tokens() - (sequence.sample ? 1 : 0);
  if (static_cast<int64_t>(sequence.score_next.size()) > n_scorable) {
    return InvalidArgumentError(name + " scores " + std::to_string(sequence.score_next.size()) +
                                " prompt tokens with " + std::to_string(n_scorable) + " rows to spare");
  }
  for (TokenId token : sequence.score_next) {
    if (token < 0 || token >= hp.n_vocab) {
      return InvalidArgumentError(name + ": scored token id " + std::to_string(token) +
                                  " is outside the vocabulary [0, " + std::to_string(hp.n_vocab) + ")");
    }
  }
  return OkStatus();
}

Status Executor::Validate(const StepPlan& plan) const {
  if (plan.block_size != pages_->shape().block_size) {
    return InvalidArgumentError("plan block size " + std::to_string(plan.block_size) + " differs from the pages' " +
                                std::to_string(pages_->shape().block_size));
  }
  int64_t n_tokens = 0;
  for (const ScheduledSequence& sequence : plan.sequences) {
    FAB_RETURN_IF_ERROR(ValidateSequence(sequence, plan.block_size));
    n_tokens += sequence.n_tokens();
  }
  if (n_tokens > forward_.max_tokens()) {
    return InvalidArgumentError("step of " + std::to_string(n_tokens) + " tokens exceeds max_tokens_per_step " +
                                std::to_string(forward_.max_tokens()));
  }
  return OkStatus();
}

StatusOr<Sampler*> Executor::SamplerFor(const ScheduledSequence& sequence) {
  auto found = samplers_.find(sequence.seq_id);
  if (found != samplers_.end()) return &found->second;
  FAB_RETURN_IF_ERROR(sequence.sampling->Validate());
  return &samplers_.emplace(sequence.seq_id, Sampler(*sequence.sampling)).first->second;
}

StatusOr<StepResult> Executor::Execute(const StepPlan& plan) {
  for (SeqId ended : plan.ended) samplers_.erase(ended);
  StepResult result;
  if (plan.empty()) return result;
  FAB_RETURN_IF_ERROR(Validate(plan));
  // Samplers are made (and their parameters checked) before any KV is written.
  std::vector<Sampler*> samplers;
  for (const ScheduledSequence& sequence : plan.sequences) {
    if (!sequence.sample) continue;
    FAB_ASSIGN_OR_RETURN(Sampler * sampler, SamplerFor(sequence));
    samplers.push_back(sampler);
  }
  std::vector<TokenConstraint*> constraints;
  for (const ScheduledSequence& sequence : plan.sequences) {
    if (sequence.sample && sequence.constraint != nullptr) constraints.push_back(sequence.constraint);
  }
  if (!constraints.empty()) masks_.Start(constraints, model_.hparams().n_vocab);
  forward_.Run(plan);
  if (!constraints.empty()) masks_.Wait();
  size_t constrained_idx = 0;
  int64_t sampled_idx = 0;
  int64_t first_row = 0;
  for (const ScheduledSequence& sequence : plan.sequences) {
    if (!sequence.score_next.empty()) ScorePrompt(sequence, first_row, result);
    first_row += sequence.n_tokens();
    if (!sequence.sample) continue;
    const std::span<const float> logits = forward_.logits_row(sampled_idx);
    SampledToken sampled;
    sampled.seq_id = sequence.seq_id;
    if (sequence.constraint != nullptr) {
      sampled.token = samplers[static_cast<size_t>(sampled_idx)]->Sample(
          Constrained(logits, masks_.mask(constrained_idx++)), sequence.history);
      sequence.constraint->Accept(sampled.token);
    } else {
      sampled.token = samplers[static_cast<size_t>(sampled_idx)]->Sample(logits, sequence.history);
    }
    // Log-probabilities are the model's own, before any constraint's mask.
    const float log_sum_exp = logprob_scratch_.LogSumExp(logits);
    sampled.logprob = logits[static_cast<size_t>(sampled.token)] - log_sum_exp;
    if (sequence.n_top_logprobs > 0) TopLogprobs(logits, log_sum_exp, sequence.n_top_logprobs, sampled.top);
    result.sampled.push_back(std::move(sampled));
    ++sampled_idx;
  }
  return result;
}

std::span<const float> Executor::Constrained(std::span<const float> logits, std::span<const uint32_t> allowed) {
  if (allowed.empty()) return logits;
  masked_.assign(logits.begin(), logits.end());
  for (size_t t = 0; t < masked_.size(); ++t) {
    if (!((allowed[t / 32] >> (t % 32)) & 1u)) masked_[t] = -std::numeric_limits<float>::infinity();
  }
  return masked_;
}

void Executor::ScorePrompt(const ScheduledSequence& sequence, int64_t first_row, StepResult& result) {
  const int64_t n_vocab = model_.hparams().n_vocab;
  const int64_t n_scored = static_cast<int64_t>(sequence.score_next.size());
  for (int64_t begin = 0; begin < n_scored; begin += BatchedForward::kMaxRowLogits) {
    const int64_t n_rows = std::min(BatchedForward::kMaxRowLogits, n_scored - begin);
    const std::span<const float> rows = forward_.RowLogits(first_row + begin, n_rows);
    for (int64_t i = 0; i < n_rows; ++i) {
      const std::span<const float> logits = rows.subspan(static_cast<size_t>(i * n_vocab), static_cast<size_t>(n_vocab));
      PromptScore score;
      score.seq_id = sequence.seq_id;
      score.position = sequence.first_position + begin + i + 1;
      score.token = sequence.score_next[static_cast<size_t>(begin + i)];
      const float log_sum_exp = logprob_scratch_.LogSumExp(logits);
      score.logprob = logits[static_cast<size_t>(score.token)] - log_sum_exp;
      if (sequence.n_top_logprobs > 0) TopLogprobs(logits, log_sum_exp, sequence.n_top_logprobs, score.top);
      result.prompt_scores.push_back(std::move(score));
    }
  }
}

}  // namespace fab::runtime
