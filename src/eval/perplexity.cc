#include "eval/perplexity.h"

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "model/session.h"

namespace fab::eval {
namespace {

// log Σ exp(row), in double.
double LogSumExp(std::span<const float> row) {
  const double top = *std::max_element(row.begin(), row.end());
  double sum = 0.0;
  for (float x : row) sum += std::exp(static_cast<double>(x) - top);
  return top + std::log(sum);
}

struct Running {
  double sum = 0.0, sum_squares = 0.0;
  int64_t n = 0;
  void Add(double x) {
    sum += x;
    sum_squares += x * x;
    ++n;
  }
  double mean() const { return n > 0 ? sum / static_cast<double>(n) : 0.0; }
  double standard_error() const {
    if (n < 2) return 0.0;
    const double m = mean();
    const double variance = std::max(0.0, (sum_squares - static_cast<double>(n) * m * m) / static_cast<double>(n - 1));
    return std::sqrt(variance / static_cast<double>(n));
  }
};

}  // namespace

StatusOr<PerplexityResult> MeasurePerplexity(const model::Model& model, std::span<const TokenId> tokens,
                                             ThreadPool& pool, const PerplexityOptions& options,
                                             const model::Model* reference) {
  const int64_t n_ctx = options.n_ctx;
  const int64_t limit = std::min(model.hparams().n_ctx_train,
                                 reference != nullptr ? reference->hparams().n_ctx_train : INT64_MAX);
  if (n_ctx < 16 || n_ctx > limit) {
    return InvalidArgumentError("the chunk size must be from 16 to the context (" + std::to_string(limit) +
                                ") tokens, not " + std::to_string(n_ctx));
  }
  const int64_t n_vocab = model.hparams().n_vocab;
  if (reference != nullptr && reference->hparams().n_vocab != n_vocab) {
    return InvalidArgumentError("the reference has " + std::to_string(reference->hparams().n_vocab) +
                                " tokens in its vocabulary, the model " + std::to_string(n_vocab));
  }
  int64_t n_chunks = static_cast<int64_t>(tokens.size()) / n_ctx;
  if (options.max_chunks > 0) n_chunks = std::min(n_chunks, options.max_chunks);
  if (n_chunks == 0) {
    return InvalidArgumentError("the text has " + std::to_string(tokens.size()) + " tokens, fewer than one chunk of " +
                                std::to_string(n_ctx));
  }
  model::SessionOptions session_options{.n_ctx = n_ctx, .max_batch = std::min<int64_t>(n_ctx, 512)};
  model::Session session(model, pool, session_options);
  std::optional<model::Session> reference_session;
  if (reference != nullptr) reference_session.emplace(*reference, pool, session_options);

  const TokenId bos = tokens.front();
  Running nll, kl, agree;
  std::vector<float> reference_logits;
  for (int64_t chunk = 0; chunk < n_chunks; ++chunk) {
    std::vector<TokenId> ids(tokens.begin() + chunk * n_ctx, tokens.begin() + (chunk + 1) * n_ctx);
    ids[0] = bos;
    session.Truncate(0);
    FAB_RETURN_IF_ERROR(session.Eval(ids, /*all_logits=*/true));
    if (reference_session) {
      reference_session->Truncate(0);
      FAB_RETURN_IF_ERROR(reference_session->Eval(ids, /*all_logits=*/true));
      reference_logits.assign(reference_session->logits().begin(), reference_session->logits().end());
    }
    const std::span<const float> logits = session.logits();
    for (int64_t position = n_ctx / 2; position + 1 < n_ctx; ++position) {
      const auto row = logits.subspan(static_cast<size_t>(position * n_vocab), static_cast<size_t>(n_vocab));
      const double lse = LogSumExp(row);
      const TokenId next = ids[static_cast<size_t>(position + 1)];
      nll.Add(lse - static_cast<double>(row[static_cast<size_t>(next)]));
      if (!reference_session) continue;
      const std::span<const float> ref_row(reference_logits.data() + position * n_vocab, static_cast<size_t>(n_vocab));
      const double ref_lse = LogSumExp(ref_row);
      double divergence = 0.0;
      for (int64_t t = 0; t < n_vocab; ++t) {
        const double log_p = static_cast<double>(ref_row[static_cast<size_t>(t)]) - ref_lse;
        const double log_q = static_cast<double>(row[static_cast<size_t>(t)]) - lse;
        divergence += std::exp(log_p) * (log_p - log_q);
      }
      kl.Add(std::max(0.0, divergence));
      const auto argmax = [](std::span<const float> r) { return std::max_element(r.begin(), r.end()) - r.begin(); };
      agree.Add(argmax(row) == argmax(ref_row) ? 1.0 : 0.0);
    }
  }
  PerplexityResult result;
  result.n_chunks = n_chunks;
  result.n_scored = nll.n;
  result.mean_nll = nll.mean();
  result.perplexity = std::exp(result.mean_nll);
  result.perplexity_error = result.perplexity * nll.standard_error();
  if (reference_session) {
    result.against_reference = Divergence{kl.mean(), kl.standard_error(), agree.mean(), agree.standard_error()};
  }
  return result;
}

}  // namespace fab::eval
