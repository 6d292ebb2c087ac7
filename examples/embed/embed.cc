// embed MODEL PROMPT N: prints the greedy continuation of PROMPT (at most N
// tokens, fewer at the end of a sequence) and a newline, through tokenfab's
// C++ API. Errors go to stderr with exit code 1.
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <utility>

#include <tokenfab/engine.h>

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: %s MODEL PROMPT N\n", argv[0]);
    return 1;
  }
  char* end = nullptr;
  const long n = std::strtol(argv[3], &end, 10);
  if (*argv[3] == '\0' || *end != '\0' || n < 0 || n > 1000000) {
    std::fprintf(stderr, "N must be a whole number in [0, 1000000]\n");
    return 1;
  }
  tokenfab::StatusOr<std::shared_ptr<const tokenfab::Model>> model = tokenfab::Model::Load(argv[1]);
  if (!model.ok()) {
    std::fprintf(stderr, "%s\n", model.status().ToString().c_str());
    return 1;
  }
  // As `tokenfab run`: a context of at most 2048 tokens, one sequence.
  tokenfab::EngineOptions options;
  options.n_ctx = std::min<int64_t>(2048, (*model)->info().n_ctx_train);
  options.kv_cache = std::to_string(options.n_ctx);
  options.max_sequences = 1;
  auto engine = tokenfab::Engine::Create(*model, options);
  if (!engine.ok()) {
    std::fprintf(stderr, "%s\n", engine.status().ToString().c_str());
    return 1;
  }
  if (n == 0) {  // as `tokenfab run -n 0`: no tokens
    std::printf("\n");
    return 0;
  }
  // As `tokenfab run`: the prompt tokenized once, N capped at the room it leaves.
  auto prompt = (*model)->Tokenize(argv[2]);
  if (!prompt.ok()) {
    std::fprintf(stderr, "%s\n", prompt.status().ToString().c_str());
    return 1;
  }
  tokenfab::GenerateRequest request;
  request.prompt_tokens = std::move(prompt).value();
  const int64_t room = (*engine)->n_ctx() - static_cast<int64_t>(request.prompt_tokens.size());
  request.max_tokens = static_cast<int32_t>(std::min<int64_t>(n, std::max<int64_t>(room, 1)));
  request.sampling.temperature = 0.0f;
  tokenfab::StatusOr<tokenfab::GenerateResult> result = (*engine)->Generate(request);
  if (!result.ok()) {
    std::fprintf(stderr, "%s\n", result.status().ToString().c_str());
    return 1;
  }
  std::printf("%s\n", result->text.c_str());
  return 0;
}
