/* embed.c: tokenfab from C through the C API (tokenfab/tokenfab.h).
 *
 *   embed MODEL PROMPT N
 *
 * Prints the greedy continuation of PROMPT (at most N tokens, temperature 0)
 * and a newline to stdout, and nothing else: the same text
 * `tokenfab run -m MODEL -p PROMPT -n N --temp 0` prints after the prompt.
 * Like `run`, it uses one sequence of min(2048, the model's) context, and
 * asks for at most the room the prompt leaves (N = 0 prints just the
 * newline, as `run -n 0` does). Errors go to stderr with exit status 1.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tokenfab/tokenfab.h"

/* `tokenfab run`'s default context. */
#define RUN_CONTEXT 2048

static int fail(const char* what, tf_status status) {
  fprintf(stderr, "embed: %s: %s: %s\n", what, tf_status_name(status), tf_last_error());
  return 1;
}

/* N as a count of tokens; -1 when it is not a whole number >= 0. */
static long long parse_count(const char* text) {
  char* end = NULL;
  errno = 0;
  long long value = strtoll(text, &end, 10);
  if (errno != 0 || end == text || *end != '\0' || value < 0) return -1;
  return value;
}

/* Generates from `prompt` on a one-sequence engine over `model` and prints
 * the text; 0 on success. */
static int generate(tf_model* model, const char* prompt, long long n_predict) {
  tf_model_info info;
  tf_status status = tf_model_get_info(model, &info);
  if (status != TF_OK) return fail("model info", status);
  tf_engine_options engine_options;
  tf_engine_options_default(&engine_options);
  engine_options.n_ctx = info.n_ctx_train < RUN_CONTEXT ? info.n_ctx_train : RUN_CONTEXT;
  char kv_cache[32];
  snprintf(kv_cache, sizeof(kv_cache), "%lld", (long long)engine_options.n_ctx); /* one sequence */
  engine_options.kv_cache = kv_cache;
  engine_options.max_sequences = 1;
  tf_engine* engine = NULL;
  status = tf_engine_create(model, &engine_options, &engine);
  if (status != TF_OK) return fail("engine", status);

  /* The prompt tokenized once, as `run` does, for the room it leaves; the
   * request then takes these ids. */
  int32_t* tokens = NULL;
  size_t n_tokens = 0;
  status = tf_tokenize(model, prompt, strlen(prompt), 1, 1, &tokens, &n_tokens);
  if (status != TF_OK) {
    tf_engine_free(engine);
    return fail("prompt", status);
  }
  long long room = (long long)engine_options.n_ctx - (long long)n_tokens;
  if (n_tokens == 0 || room < 1) {
    fprintf(stderr, "embed: the prompt has %zu tokens, which leaves no room in a context of %lld\n", n_tokens,
            (long long)engine_options.n_ctx);
    tf_tokens_free(tokens);
    tf_engine_free(engine);
    return 1;
  }
  if (n_predict == 0) {
    tf_tokens_free(tokens);
    tf_engine_free(engine);
    printf("\n");
    return 0;
  }
  long long max_tokens = n_predict > room ? room : n_predict;

  tf_request_options options;
  tf_request_options_default(&options);
  options.prompt_tokens = tokens;
  options.n_prompt_tokens = n_tokens;
  options.max_tokens = (int32_t)max_tokens;
  options.temperature = 0.0f;
  tf_result result;
  status = tf_generate(engine, &options, &result);
  tf_tokens_free(tokens);
  tf_engine_free(engine);
  if (status != TF_OK) return fail("generate", status);
  fwrite(result.text, 1, result.text_length, stdout);
  fputc('\n', stdout);
  tf_result_free(&result);
  return fflush(stdout) == 0 ? 0 : 1;
}

int main(int argc, char** argv) {
  if (argc != 4) {
    fprintf(stderr, "usage: %s MODEL PROMPT N\n", argv[0]);
    return 1;
  }
  long long n_predict = parse_count(argv[3]);
  if (n_predict < 0) {
    fprintf(stderr, "embed: N must be a count of tokens, not \"%s\"\n", argv[3]);
    return 1;
  }
  tf_model* model = NULL;
  tf_status status = tf_model_load(argv[1], &model);
  if (status != TF_OK) return fail("load", status);
  int result = generate(model, argv[2], n_predict);
  tf_model_free(model);
  return result;
}
