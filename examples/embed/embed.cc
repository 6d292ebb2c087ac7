// embed MODEL PROMPT N: prints the greedy continuation of PROMPT (at most N
// tokens, fewer at the end of a sequence) and a newline, through tokenfab's
// C++ API. Errors go to stderr with exit code 1.
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <string>

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
  tokenfab::GenerateRequest request;
  request.prompt = argv[2];
  request.max_tokens = static_cast<int32_t>(n);
  request.sampling.temperature = 0.0f;
  auto prompt = (*model)->Tokenize(request.prompt);
  if (prompt.ok() && static_cast<int64_t>(prompt->size()) + n > (*engine)->n_ctx()) {
    request.max_tokens = static_cast<int32_t>(std::max<int64_t>(1, (*engine)->n_ctx() - static_cast<int64_t>(prompt->size())));
  }
  tokenfab::StatusOr<tokenfab::GenerateResult> result = (*engine)->Generate(request);
  if (!result.ok()) {
    std::fprintf(stderr, "%s\n", result.status().ToString().c_str());
    return 1;
  }
  std::printf("%s\n", result->text.c_str());
  return 0;
}
