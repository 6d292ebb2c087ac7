// `tokenfab run`: prompt in, streamed text out, then a line of speeds.
#include <chrono>
#include <cstdio>
#include <vector>

#include "base/clock.h"
#include "cli/command_options.h"
#include "cli/model_loader.h"
#include "model/session.h"
#include "platform/thread_pool.h"

namespace fab::cli {
namespace {

void WriteOut(const std::string& text) {
  std::fwrite(text.data(), 1, text.size(), stdout);
  std::fflush(stdout);
}

}  // namespace

int RunGenerate(const RunOptions& options) {
  runtime::SamplingParams sampling = options.sampling;
  if (!options.seed_given) {
    sampling.seed = static_cast<uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count());
  }
  if (Status valid = sampling.Validate(); !valid.ok()) return ReportError(valid);
  auto loaded = LoadModelForCli(options.model_path, options.show_progress);
  if (!loaded.ok()) return ReportError(loaded.status());
  const Tokenizer& tokenizer = *loaded->tokenizer;
  // As llama-cli: BOS (and EOS) as the vocabulary asks; chat markers such as
  // <|im_start|> in the prompt become their control tokens.
  auto prompt_ids = tokenizer.Encode(options.prompt, EncodeOptions{.add_special = true, .parse_special = true});
  if (!prompt_ids.ok()) return ReportError(prompt_ids.status());
  std::vector<TokenId> history = *prompt_ids;
  if (history.empty()) return ReportError(InvalidArgumentError("the prompt is empty and the model adds no BOS token"));

  ThreadPool pool(options.n_threads > 0 ? options.n_threads : DefaultThreadCount());
  model::SessionOptions session_options;
  session_options.n_ctx = options.n_ctx;
  model::Session session(*loaded->model, pool, session_options);
  if (static_cast<int64_t>(history.size()) >= session.n_ctx()) {
    return ReportError(InvalidArgumentError("the prompt has " + std::to_string(history.size()) +
                                            " tokens, which leaves no room in a context of " +
                                            std::to_string(session.n_ctx())));
  }
  WriteOut(options.prompt);
  const double prompt_start = NowSeconds();
  if (Status s = session.Eval(history); !s.ok()) return ReportError(s);
  const double prompt_seconds = NowSeconds() - prompt_start;

  runtime::Sampler sampler(sampling);
  StreamingDetokenizer detokenizer(tokenizer);
  const double gen_start = NowSeconds();
  int64_t n_generated = 0;
  while (n_generated < options.n_predict && session.n_past() < session.n_ctx()) {
    const TokenId next = sampler.Sample(session.logits(), history);
    if (tokenizer.IsEndOfGeneration(next)) break;
    history.push_back(next);
    ++n_generated;
    WriteOut(detokenizer.Push(next));
    if (n_generated == options.n_predict || session.n_past() + 1 > session.n_ctx()) break;
    if (Status s = session.Eval(std::span<const TokenId>(&history.back(), 1)); !s.ok()) return ReportError(s);
  }
  WriteOut(detokenizer.Flush() + "\n");
  const double gen_seconds = NowSeconds() - gen_start;
  std::fprintf(stderr, "\nprompt: %zu tokens, %.2f tok/s | generation: %lld tokens, %.2f tok/s | %d threads, seed %llu\n",
               prompt_ids->size(), prompt_ids->size() / std::max(prompt_seconds, 1e-9),
               static_cast<long long>(n_generated), n_generated / std::max(gen_seconds, 1e-9), pool.n_threads(),
               static_cast<unsigned long long>(sampling.seed));
  return 0;
}

}  // namespace fab::cli
