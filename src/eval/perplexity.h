// Perplexity of a model over a text, and how far its next-token
// distributions are from a reference model's on the same text (what a
// quantization loses), measured as llama.cpp's `llama-perplexity` and its
// `--kl-divergence` mode measure them:
//   - the tokens (BOS first) are cut into chunks of n_ctx; each chunk starts
//     with BOS and is evaluated alone, and only the second half of its
//     positions is scored (every scored token has at least n_ctx / 2 of
//     context);
//   - perplexity = exp(mean negative log-likelihood of the scored tokens);
//   - KL(reference ‖ model) per scored position, over the whole vocabulary,
//     and top-1 agreement: the share of positions where both models' most
//     likely next token is the same.
// Uncertainties are one standard error of the mean (perplexity's through
// exp). Both models must share the vocabulary. Not thread-safe per call
// (kernels fan out over `pool`).
#pragma once

#include <cstdint>
#include <optional>
#include <span>

#include "base/status.h"
#include "base/types.h"
#include "model/model.h"
#include "platform/thread_pool.h"

namespace fab::eval {

struct PerplexityOptions {
  int64_t n_ctx = 512;      // tokens per chunk, ≥ 16 and ≤ the models' context
  int64_t max_chunks = 0;   // 0: every whole chunk of the text
};

struct Divergence {
  double mean_kl = 0.0;          // nats
  double mean_kl_error = 0.0;
  double top1_agreement = 0.0;   // share in [0, 1]
  double top1_agreement_error = 0.0;
};

struct PerplexityResult {
  int64_t n_chunks = 0;
  int64_t n_scored = 0;          // tokens whose probability was counted
  double perplexity = 0.0;
  double perplexity_error = 0.0;
  double mean_nll = 0.0;         // nats per token
  std::optional<Divergence> against_reference;
};

// `tokens`: the text's ids, BOS first. InvalidArgument when the text holds
// fewer than one chunk, n_ctx is out of range, or the vocabularies differ.
StatusOr<PerplexityResult> MeasurePerplexity(const model::Model& model, std::span<const TokenId> tokens,
                                             ThreadPool& pool, const PerplexityOptions& options,
                                             const model::Model* reference = nullptr);

}  // namespace fab::eval
