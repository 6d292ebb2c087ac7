#include "cli/perplexity_command.h"

#include <CLI/CLI.hpp>
#include <boost/json.hpp>

#include <cstdio>

#include "cli/model_loader.h"
#include "eval/perplexity.h"
#include "platform/mapped_file.h"
#include "platform/thread_pool.h"

namespace fab::cli {

namespace json = boost::json;

int RunPerplexity(const PerplexityCommandOptions& options) {
  StatusOr<LoadedModel> loaded = LoadModelForCli(options.model_path, /*show_progress=*/false);
  if (!loaded.ok()) return ReportError(loaded.status());
  std::optional<LoadedModel> reference;
  if (!options.reference_path.empty()) {
    StatusOr<LoadedModel> opened = LoadModelForCli(options.reference_path, /*show_progress=*/false);
    if (!opened.ok()) return ReportError(opened.status().WithContext("--reference"));
    reference = std::move(opened).value();
  }
  StatusOr<MappedFile> file = MappedFile::Open(options.text_path);
  if (!file.ok()) return ReportError(file.status());
  const std::string_view text(reinterpret_cast<const char*>(file->data()), file->size());
  StatusOr<std::vector<TokenId>> tokens = loaded->tokenizer->Encode(text, /*add_bos=*/true);
  if (!tokens.ok()) return ReportError(tokens.status().WithContext(options.text_path));
  ThreadPool pool(options.threads > 0 ? options.threads : DefaultThreadCount());
  StatusOr<eval::PerplexityResult> result =
      eval::MeasurePerplexity(*loaded->model, *tokens, pool, {.n_ctx = options.n_ctx, .max_chunks = options.max_chunks},
                              reference ? reference->model : nullptr);
  if (!result.ok()) return ReportError(result.status());
  if (options.json) {
    json::object out{{"model", options.model_path},     {"text", options.text_path},
                     {"ctx", options.n_ctx},            {"chunks", result->n_chunks},
                     {"tokens_scored", result->n_scored}, {"perplexity", result->perplexity},
                     {"perplexity_error", result->perplexity_error}, {"mean_nll", result->mean_nll}};
    if (const auto& d = result->against_reference) {
      out["reference"] = options.reference_path;
      out["mean_kl"] = d->mean_kl;
      out["mean_kl_error"] = d->mean_kl_error;
      out["top1_agreement"] = d->top1_agreement;
      out["top1_agreement_error"] = d->top1_agreement_error;
    }
    std::printf("%s\n", json::serialize(out).c_str());
    return 0;
  }
  std::printf("%lld chunks of %lld tokens, %lld tokens scored\n", static_cast<long long>(result->n_chunks),
              static_cast<long long>(options.n_ctx), static_cast<long long>(result->n_scored));
  std::printf("perplexity: %.4f ± %.4f\n", result->perplexity, result->perplexity_error);
  if (const auto& d = result->against_reference) {
    std::printf("mean KL divergence from %s: %.6f ± %.6f nats\n", options.reference_path.c_str(), d->mean_kl,
                d->mean_kl_error);
    std::printf("same top token: %.3f ± %.3f %%\n", 100.0 * d->top1_agreement, 100.0 * d->top1_agreement_error);
  }
  return 0;
}

void AddPerplexity(CLI::App& app, PerplexityCommandOptions& options, int& code) {
  CLI::App* cmd = app.add_subcommand("perplexity", "Perplexity over a text, and KL divergence from a reference model");
  cmd->add_option("-m,--model", options.model_path, "GGUF model")->required();
  cmd->add_option("-f,--file", options.text_path, "Text file")->required();
  cmd->add_option("--reference", options.reference_path, "GGUF model to compare with (e.g. the F16 file)");
  cmd->add_option("--ctx", options.n_ctx, "Tokens per chunk (the second half of each is scored)")
      ->check(CLI::Range(int64_t{16}, int64_t{1} << 20));
  cmd->add_option("--chunks", options.max_chunks, "Chunks at most (0: all)")->check(CLI::NonNegativeNumber);
  cmd->add_option("-t,--threads", options.threads, "Threads (default: every CPU)")->check(CLI::Range(0, 1024));
  cmd->add_flag("--json", options.json, "Print one JSON object");
  cmd->callback([&] { code = RunPerplexity(options); });
}

}  // namespace fab::cli
