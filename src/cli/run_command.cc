// `tokenfab run`: prompt in, streamed text out, then a line of speeds. Runs
// through the public API (tokenfab::Engine), as an embedder would.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <vector>

#include "cli/command_options.h"
#include "cli/model_loader.h"
#include "request/context_window.h"
#include "request/finish_reason.h"
#include "platform/thread_pool.h"
#include "tokenfab/engine.h"

namespace fab::cli {
namespace {

void WriteOut(const std::string& text) {
  std::fwrite(text.data(), 1, text.size(), stdout);
  std::fflush(stdout);
}

}  // namespace

int RunGenerate(const RunOptions& options) {
  SamplingParams sampling = options.sampling;
  if (!options.seed_given) {
    sampling.seed = static_cast<uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count());
  }
  if (Status valid = sampling.Validate(); !valid.ok()) return ReportError(valid);
  auto loaded = LoadModelForCli(options.model_path, options.show_progress);
  if (!loaded.ok()) return ReportError(loaded.status());
  // As llama-cli: BOS (and EOS) as the vocabulary asks; chat markers such as
  // <|im_start|> in the prompt become their control tokens.
  StatusOr<std::vector<TokenId>> prompt = loaded->handle->Tokenize(options.prompt);
  if (!prompt.ok()) return ReportError(prompt.status());
  if (prompt->empty()) return ReportError(InvalidArgumentError("the prompt is empty and the model adds no BOS token"));

  tokenfab::EngineOptions engine_options;
  engine_options.n_threads = options.n_threads;
  engine_options.n_ctx = std::min(options.n_ctx, loaded->model->hparams().n_ctx_train);
  engine_options.kv_cache = std::to_string(engine_options.n_ctx);  // one sequence
  engine_options.max_sequences = 1;
  auto engine = tokenfab::Engine::Create(loaded->handle, engine_options);
  if (!engine.ok()) return ReportError(engine.status());
  const int64_t room = RoomForNewTokens(static_cast<int64_t>(prompt->size()), (*engine)->n_ctx());
  if (room < 1) {
    return ReportError(InvalidArgumentError("the prompt has " + std::to_string(prompt->size()) +
                                            " tokens, which leaves no room in a context of " +
                                            std::to_string((*engine)->n_ctx())));
  }
  tokenfab::GenerateRequest request;
  request.prompt_tokens = std::move(prompt).value();
  request.max_tokens = static_cast<int32_t>(std::clamp<int64_t>(options.n_predict, 1, room));
  request.sampling = sampling;

  WriteOut(options.prompt);
  if (options.n_predict == 0) {  // nothing to generate (as llama-cli -n 0)
    WriteOut("\n");
    return 0;
  }
  StatusOr<tokenfab::GenerateResult> result =
      (*engine)->Generate(request, [](const tokenfab::TokenEvent& event) { WriteOut(event.text); });
  if (!result.ok()) return ReportError(result.status());
  WriteOut("\n");
  const int64_t n_prompt = static_cast<int64_t>(request.prompt_tokens.size());
  // An end-of-generation token ends the text and is not counted.
  int64_t n_generated = static_cast<int64_t>(result->tokens.size());
  if (n_generated > 0 && result->finish_reason == FinishReason::kStopToken) --n_generated;
  const double prompt_seconds = std::max(result->time_to_first_token_s, 1e-9);
  const double gen_seconds = std::max(result->total_s - result->time_to_first_token_s, 1e-9);
  std::fprintf(stderr, "\nprompt: %lld tokens, %.2f tok/s | generation: %lld tokens, %.2f tok/s | %d threads, seed %llu\n",
               static_cast<long long>(n_prompt), n_prompt / prompt_seconds, static_cast<long long>(n_generated),
               std::max<int64_t>(n_generated - 1, 0) / gen_seconds,
               options.n_threads > 0 ? options.n_threads : DefaultThreadCount(),
               static_cast<unsigned long long>(sampling.seed));
  return 0;
}

}  // namespace fab::cli
