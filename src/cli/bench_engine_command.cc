// `tokenfab bench engine`: prompt processing (one batch of p tokens) and
// generation (n single-token steps) speed, measured like llama-bench, plus
// the memory-bandwidth roofline of generation and the fraction reached;
// with --concurrency, batched runs through the engine too, and with
// --shared-prefix the prefix-cache arrivals (see cli/bench_batched.h).
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <numeric>
#include <optional>
#include <random>
#include <vector>

#include <boost/json.hpp>

#include "base/clock.h"
#include "cli/bench_batched.h"
#include "cli/command_options.h"
#include "cli/model_loader.h"
#include "kernels/dispatch.h"
#include "model/session.h"
#include "platform/memory_bandwidth.h"

namespace fab::cli {
namespace {

struct MeanSd {
  double mean = 0.0;
  double sd = 0.0;
};

MeanSd Summarize(const std::vector<double>& values) {
  MeanSd s;
  if (values.empty()) return s;
  s.mean = std::accumulate(values.begin(), values.end(), 0.0) / values.size();
  if (values.size() > 1) {
    double sq = 0.0;
    for (double v : values) sq += (v - s.mean) * (v - s.mean);
    s.sd = std::sqrt(sq / (values.size() - 1));
  }
  return s;
}

std::vector<TokenId> RandomTokens(int64_t n, int64_t n_vocab, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_int_distribution<TokenId> pick(0, static_cast<TokenId>(n_vocab - 1));
  std::vector<TokenId> tokens(static_cast<size_t>(n));
  for (TokenId& t : tokens) t = pick(rng);
  return tokens;
}

// Tokens per second of one prompt batch from an empty cache.
StatusOr<double> TimePrompt(model::Session& session, const std::vector<TokenId>& tokens) {
  session.Truncate(0);
  const double start = NowSeconds();
  FAB_RETURN_IF_ERROR(session.Eval(tokens));
  return tokens.size() / (NowSeconds() - start);
}

// Tokens per second of n single-token steps from an empty cache.
StatusOr<double> TimeGeneration(model::Session& session, const std::vector<TokenId>& tokens) {
  session.Truncate(0);
  const double start = NowSeconds();
  for (TokenId token : tokens) FAB_RETURN_IF_ERROR(session.Eval(std::span<const TokenId>(&token, 1)));
  return tokens.size() / (NowSeconds() - start);
}

BatchedRun MakeBatchedRun(const BenchEngineOptions& options, int sequences) {
  BatchedRun run;
  run.sequences = sequences;
  run.n_prompt = options.n_prompt;
  run.n_gen = options.n_gen;
  run.shared_prefix = options.shared_prefix;
  run.engine.kv_cache = options.kv_cache;
  run.engine.kv_dtype = options.kv_dtype;
  return run;
}

boost::json::object PrefixJson(const PrefixFigures& f) {
  return boost::json::object{{"sequences", f.sequences},
                             {"shared_prefix", f.shared_prefix},
                             {"n_prompt", f.n_prompt},
                             {"cold_ttft_s", f.cold_ttft_s},
                             {"warm_ttft_p50_s", f.warm_ttft_p50_s},
                             {"warm_ttft_p99_s", f.warm_ttft_p99_s},
                             {"warm_to_cold", f.warm_to_cold},
                             {"warm_idle_ttft_s", f.warm_idle_ttft_s},
                             {"warm_idle_to_cold", f.warm_idle_to_cold},
                             {"cached_prompt_tokens", f.cached_prompt_tokens},
                             {"block_size", f.block_size},
                             {"kv_blocks_peak", f.kv_blocks_peak},
                             {"kv_blocks_unshared", f.kv_blocks_unshared},
                             {"prefix_blocks", f.prefix_blocks}};
}

void PrintPrefix(const PrefixFigures& f) {
  std::printf("prefix x%d (shared %lld of %lld prompt tokens, arriving one after another): cold TTFT %.3f s; "
              "warm TTFT p50 %.3f s, p99 %.3f s (p50 = %.1f%% of cold)\n",
              f.sequences, static_cast<long long>(f.shared_prefix), static_cast<long long>(f.n_prompt), f.cold_ttft_s,
              f.warm_ttft_p50_s, f.warm_ttft_p99_s, f.warm_to_cold * 100.0);
  std::printf("prefix, one more sharer on the idle engine: TTFT %.3f s (%.1f%% of cold)\n", f.warm_idle_ttft_s,
              f.warm_idle_to_cold * 100.0);
  std::printf("prefix KV: %d blocks in use at peak vs %lld for %d unshared copies (prefix: %lld blocks of %d tokens)\n",
              f.kv_blocks_peak, static_cast<long long>(f.kv_blocks_unshared), f.sequences,
              static_cast<long long>(f.prefix_blocks), f.block_size);
}

}  // namespace

int RunBenchEngine(const BenchEngineOptions& options) {
  auto loaded = LoadModelForCli(options.model_path, /*show_progress=*/!options.json);
  if (!loaded.ok()) return ReportError(loaded.status());
  const model::Model& model = *loaded->model;
  for (int sequences : options.concurrency) {
    if (Status s = ValidateBatched(model, MakeBatchedRun(options, sequences)); !s.ok()) return ReportError(s);
  }
  if (auto config = api::MakeEngineConfig(model, MakeBatchedRun(options, 1).engine, 1); !config.ok()) {
    return ReportError(config.status());
  }
  ThreadPool pool(options.n_threads > 0 ? options.n_threads : DefaultThreadCount());
  model::SessionOptions session_options;
  session_options.n_ctx = std::min<int64_t>(std::max<int64_t>(options.n_prompt, options.n_gen) + 1,
                                            model.hparams().n_ctx_train);
  session_options.max_batch = std::max<int64_t>(options.n_prompt, 1);
  model::Session session(model, pool, session_options);
  const std::vector<TokenId> prompt = RandomTokens(options.n_prompt, model.hparams().n_vocab, 1);
  const std::vector<TokenId> gen = RandomTokens(options.n_gen, model.hparams().n_vocab, 2);

  // Warm-up: one short pass of each kind, untimed.
  if (Status s = session.Eval(std::span<const TokenId>(prompt.data(), std::min<size_t>(prompt.size(), 16))); !s.ok()) {
    return ReportError(s);
  }
  std::vector<double> pp, tg;
  for (int rep = 0; rep < options.repetitions; ++rep) {
    if (options.n_prompt > 0) {
      auto rate = TimePrompt(session, prompt);
      if (!rate.ok()) return ReportError(rate.status());
      pp.push_back(*rate);
    }
    if (options.n_gen > 0) {
      auto rate = TimeGeneration(session, gen);
      if (!rate.ok()) return ReportError(rate.status());
      tg.push_back(*rate);
    }
  }
  std::vector<BatchedFigures> batched;
  for (int sequences : options.concurrency) {
    auto figures = RunBatched(model, pool, MakeBatchedRun(options, sequences));
    if (!figures.ok()) return ReportError(figures.status());
    batched.push_back(*figures);
  }
  std::optional<PrefixFigures> prefix;
  const int max_sequences = options.concurrency.empty()
                                ? 0
                                : *std::max_element(options.concurrency.begin(), options.concurrency.end());
  if (options.shared_prefix > 0 && max_sequences >= 2) {
    auto figures = RunPrefixArrivals(model, pool, MakeBatchedRun(options, max_sequences));
    if (!figures.ok()) return ReportError(figures.status());
    prefix = *figures;
  }
  const MeanSd pp_stats = Summarize(pp), tg_stats = Summarize(tg);
  const double bandwidth = MeasureReadBandwidth(pool);
  const double bytes_per_token = static_cast<double>(model.weights().BytesPerToken());
  const double roofline = bandwidth / bytes_per_token;
  const double fraction = tg_stats.mean / roofline;
  const char* isa = kernels::IsaName(kernels::ActiveKernels().isa);
  if (options.json) {
    boost::json::object out{{"model", loaded->path}, {"threads", pool.n_threads()}, {"isa", isa},
                            {"n_prompt", options.n_prompt}, {"n_gen", options.n_gen},
                            {"repetitions", options.repetitions}, {"pp_tps", pp_stats.mean}, {"pp_sd", pp_stats.sd},
                            {"tg_tps", tg_stats.mean}, {"tg_sd", tg_stats.sd}, {"read_bandwidth_gbps", bandwidth / 1e9},
                            {"weight_bytes_per_token", bytes_per_token}, {"roofline_tps", roofline},
                            {"roofline_fraction", fraction}};
    if (!options.concurrency.empty()) {
      boost::json::array rows;
      for (const BatchedFigures& f : batched) {
        rows.push_back(boost::json::object{{"sequences", f.sequences}, {"pp_tps", f.pp_tps}, {"tg_tps", f.tg_tps},
                                           {"ttft_p50_s", f.ttft_p50_s}, {"ttft_p99_s", f.ttft_p99_s}});
      }
      out["batched"] = std::move(rows);
      out["kv_dtype"] = options.kv_dtype;
    }
    if (prefix) out["prefix"] = PrefixJson(*prefix);
    std::printf("%s\n", boost::json::serialize(out).c_str());
    return 0;
  }
  std::printf("model: %s (%s kernels, %d threads)\n", loaded->path.c_str(), isa, pool.n_threads());
  std::printf("| test   | tokens/s          |\n|--------|-------------------|\n");
  if (!pp.empty()) std::printf("| pp%-4lld | %8.2f ± %6.2f |\n", static_cast<long long>(options.n_prompt), pp_stats.mean, pp_stats.sd);
  if (!tg.empty()) std::printf("| tg%-4lld | %8.2f ± %6.2f |\n", static_cast<long long>(options.n_gen), tg_stats.mean, tg_stats.sd);
  std::printf("generation roofline: %.1f GB/s read / %.1f MB per token = %.1f tok/s; reached %.0f%%\n",
              bandwidth / 1e9, bytes_per_token / 1e6, roofline, fraction * 100.0);
  for (const BatchedFigures& f : batched) {
    std::printf("batched x%d (shared prefix %lld): pp %.2f tok/s, tg %.2f tok/s, TTFT p50 %.3f s, p99 %.3f s\n",
                f.sequences, static_cast<long long>(options.shared_prefix), f.pp_tps, f.tg_tps, f.ttft_p50_s,
                f.ttft_p99_s);
  }
  if (prefix) PrintPrefix(*prefix);
  return 0;
}

}  // namespace fab::cli
