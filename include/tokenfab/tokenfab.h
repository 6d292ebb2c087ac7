/* tokenfab.h: the C API of tokenfab, for C programs and for other languages'
 * foreign-function interfaces (Python ctypes, ...). It wraps the C++ API of
 * tokenfab/engine.h: load a GGUF model (tf_model), start an engine over it
 * (tf_engine), then generate, blocking (tf_generate) or pulling events from a
 * running request (tf_submit, tf_request_poll). Plain C99; includes only
 * <stddef.h> and <stdint.h>.
 *
 * Errors. Every function but the few that cannot fail (tf_version,
 * tf_status_name, tf_last_error and the frees of API-allocated memory)
 * returns a tf_status: TF_OK (0) is success, and the other values are
 * exactly those of tokenfab::StatusCode (status.h). Each such call also sets
 * this thread's last-error text, tf_last_error(): "" after TF_OK, a message
 * naming the bad argument otherwise. Out-parameters are written only on
 * TF_OK. No call aborts or throws on any argument: a null
 * pointer where a handle or an out-parameter is required, a handle that was
 * freed or never made (for handles, even a garbage pointer: handles are
 * looked up in a table, never dereferenced unchecked) or an out-of-range
 * value gives TF_INVALID_ARGUMENT. The one caveat: a freed handle whose
 * address a newer handle of the same kind reuses names that newer handle.
 * Pointers to caller data (strings, token arrays) must be valid for the
 * sizes passed; that cannot be checked.
 *
 * Ownership. Handles are made by tf_*_load / tf_*_create / tf_submit and
 * released by the matching tf_*_free, in any order: a handle keeps alive what
 * it needs (an engine its model, a request its engine), and the last release
 * frees it. So tf_engine_free with requests still open stops the engine
 * only when the last of them is freed; they finish and can be polled first.
 * Freeing NULL is a no-op (TF_OK); freeing twice gives TF_INVALID_ARGUMENT.
 * Strings and arrays the API allocates are freed with tf_string_free,
 * tf_tokens_free and tf_result_free; strings it lends (tf_model_info,
 * tf_event.text, tf_last_error) say how long they stay valid.
 *
 * Threads. Every function may be called from any thread, concurrently, on
 * the same handles or different ones, including a free racing another call
 * on the same handle (the call in flight finishes first). Polls of one
 * request serialize; tf_request_cancel never waits for a poll. Each engine
 * runs its own step thread (batching all its requests); no user code ever
 * runs on it, as this API has no callbacks.
 *
 * Version. TF_VERSION_* is the header's version, tf_version() the library's.
 * Until version 1.0 the ABI may change with the minor version: always set
 * up option structs with tf_*_options_default before changing fields.
 * Enumerations travel in structs as int32_t, so every struct has the same
 * layout in every language that binds to it.
 */
#ifndef TOKENFAB_TOKENFAB_H_
#define TOKENFAB_TOKENFAB_H_

#include <stddef.h>
#include <stdint.h>

#define TF_VERSION_MAJOR 0
#define TF_VERSION_MINOR 1
#define TF_VERSION_PATCH 0

#if defined(__GNUC__)
#define TF_API __attribute__((visibility("default")))
#else
#define TF_API
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* ---- Status and version ---------------------------------------------- */

/* The same numbers as tokenfab::StatusCode. */
typedef enum tf_status {
  TF_OK = 0,
  TF_INVALID_ARGUMENT = 1,    /* bad input: argument, handle, request, file */
  TF_NOT_FOUND = 2,           /* a named thing does not exist */
  TF_OUT_OF_RANGE = 3,        /* a value is outside its allowed range */
  TF_RESOURCE_EXHAUSTED = 4,  /* a cap or quota was hit (the engine's queue is full) */
  TF_FAILED_PRECONDITION = 5, /* not in a state to do this (a model without a usable chat template) */
  TF_DATA_LOSS = 6,           /* a file is corrupt or truncated */
  TF_UNIMPLEMENTED = 7,       /* valid input not supported (yet) */
  TF_UNAVAILABLE = 8,         /* try again later */
  TF_INTERNAL = 9,            /* a bug or an OS failure (out of memory included) */
  TF_UNAUTHENTICATED = 10,    /* no valid credentials */
  TF_PERMISSION_DENIED = 11,  /* valid credentials that may not do this */
  TF_DEADLINE_EXCEEDED = 12   /* a deadline passed before the work finished */
} tf_status;

/* "OK", "INVALID_ARGUMENT", ...; "UNKNOWN" for other values. Static storage. */
TF_API const char* tf_status_name(tf_status status);

/* The message of this thread's last call that returned a tf_status: ""
 * when that was TF_OK. Owned by the library; valid on this thread until its
 * next such call. */
TF_API const char* tf_last_error(void);

/* "MAJOR.MINOR.PATCH" of the library. Static storage. */
TF_API const char* tf_version(void);

/* ---- Models ----------------------------------------------------------- */

typedef struct tf_model tf_model;

/* Loads the GGUF model at `path` (NUL-terminated, as the OS takes it) with
 * its tokenizer and chat template; a model is immutable and may serve many
 * engines. TF_NOT_FOUND for a missing file; TF_INVALID_ARGUMENT /
 * TF_DATA_LOSS / TF_UNIMPLEMENTED for one that is not a model, is corrupt,
 * or is of an unsupported architecture or type. Cost: reads the whole file. */
TF_API tf_status tf_model_load(const char* path, tf_model** model_out);

/* Releases the caller's hold; engines made from it keep it alive. */
TF_API tf_status tf_model_free(tf_model* model);

typedef struct tf_model_info {
  const char* path;         /* as loaded */
  const char* name;         /* general.name, else the file's stem */
  const char* architecture; /* "llama", "qwen2", ... */
  int64_t n_vocab;
  int64_t n_ctx_train;      /* the context it was trained for */
  int32_t has_chat_template;/* 1 when the file has its own (a fallback is used otherwise) */
} tf_model_info;

/* The strings stay valid until `model` is freed. */
TF_API tf_status tf_model_get_info(const tf_model* model, tf_model_info* info_out);

/* `length` bytes of `text` (need not be NUL-terminated; at most 1 GiB) to
 * token ids with the model's tokenizer. add_special (0/1): BOS/EOS as the
 * vocabulary asks; parse_special (0/1): "<|im_start|>" in the text becomes
 * its control token. The array is allocated (NULL when empty): free it
 * with tf_tokens_free. TF_INVALID_ARGUMENT for text that is not UTF-8. */
TF_API tf_status tf_tokenize(const tf_model* model, const char* text, size_t length, int32_t add_special,
                             int32_t parse_special, int32_t** tokens_out, size_t* n_tokens_out);

/* Token ids to text (control tokens as their text): an allocated,
 * NUL-terminated string, freed with tf_string_free. length_out (may be
 * NULL) gets its length in bytes; the text may hold NUL bytes, and need not
 * be valid UTF-8 (byte tokens can split a character).
 * TF_INVALID_ARGUMENT for an id outside the vocabulary, or more than 2^28
 * ids. `tokens` may be NULL when n_tokens is 0. */
TF_API tf_status tf_detokenize(const tf_model* model, const int32_t* tokens, size_t n_tokens, char** text_out,
                               size_t* length_out);

/* Free what tf_detokenize / tf_tokenize allocated. NULL is a no-op. */
TF_API void tf_string_free(char* text);
TF_API void tf_tokens_free(int32_t* tokens);

/* ---- Engines ---------------------------------------------------------- */

typedef struct tf_engine tf_engine;

typedef struct tf_engine_options {
  int32_t n_threads;       /* compute threads; 0: one per core */
  int64_t n_ctx;           /* tokens per sequence; 0: the model's training context, at most 4096 */
  const char* kv_cache;    /* KV pool as tokens ("8192") or bytes ("512MiB"); NULL or "": 2 x n_ctx tokens */
  const char* kv_dtype;    /* "f16", "q8_0" or "f32"; NULL: "f16" */
  int32_t max_sequences;   /* sequences in one step */
  int32_t max_waiting;     /* queued requests before tf_submit says TF_RESOURCE_EXHAUSTED */
  int64_t max_step_tokens; /* tokens one step may compute; 0: max(512, max_sequences) */
} tf_engine_options;

/* The defaults of tokenfab::EngineOptions. */
TF_API tf_status tf_engine_options_default(tf_engine_options* options_out);

/* Starts an engine (its step thread and compute threads) over `model`;
 * options NULL: the defaults. The strings in `options` are copied.
 * TF_INVALID_ARGUMENT naming the option for bad options. */
TF_API tf_status tf_engine_create(tf_model* model, const tf_engine_options* options, tf_engine** engine_out);

/* Releases the caller's hold. When nothing else holds the engine, cancels
 * what still runs and waits for its step thread to stop. */
TF_API tf_status tf_engine_free(tf_engine* engine);

/* The context this engine gives each sequence: prompt + max_tokens must fit. */
TF_API tf_status tf_engine_n_ctx(const tf_engine* engine, int64_t* n_ctx_out);

/* ---- Requests --------------------------------------------------------- */

typedef enum tf_priority {
  TF_PRIORITY_INTERACTIVE = 0,
  TF_PRIORITY_BATCH = 1,
  TF_PRIORITY_PREMIUM = 2 /* served before interactive */
} tf_priority;

/* The same numbers as tokenfab::FinishReason. */
typedef enum tf_finish_reason {
  TF_FINISH_MAX_TOKENS = 0,   /* max_tokens generated */
  TF_FINISH_STOP_TOKEN = 1,   /* sampled an end-of-generation token */
  TF_FINISH_CANCELLED = 2,    /* tf_request_cancel, a freed request, or a stopping engine */
  TF_FINISH_KV_CACHE_FULL = 3,/* outgrew the whole KV pool while running alone */
  TF_FINISH_ERROR = 4,        /* the step running it failed */
  TF_FINISH_STOP_STRING = 5   /* its text reached a stop string */
} tf_finish_reason;

typedef struct tf_chat_message {
  const char* role;    /* "system", "user", "assistant" */
  const char* content;
} tf_chat_message;

/* What to generate from, and how. Exactly one prompt is used: messages
 * when n_messages > 0, else prompt_tokens when n_prompt_tokens > 0, else
 * prompt (text, tokenized with add_special and parse_special). Every
 * pointer is read only during the call that takes the options. */
typedef struct tf_request_options {
  const char* prompt;                /* UTF-8, NUL-terminated */
  const int32_t* prompt_tokens;
  size_t n_prompt_tokens;            /* at most the engine's n_ctx */
  const tf_chat_message* messages;   /* rendered by the model's chat template, generation prompt added */
  size_t n_messages;                 /* at most 4096 */
  int32_t max_tokens;                /* >= 1; prompt + max_tokens must fit in n_ctx */
  /* Sampling, as tokenfab::SamplingParams: greedy when temperature <= 0. */
  float temperature;                 /* [0, 100] */
  int32_t top_k;                     /* >= 0; 0: off */
  float top_p;                       /* [0, 1]; 1: off */
  float min_p;                       /* [0, 1]; 0: off */
  float repetition_penalty;          /* [0.01, 100]; 1: off */
  float frequency_penalty;           /* [-2, 2] */
  float presence_penalty;            /* [-2, 2] */
  int32_t penalty_last_n;            /* >= 0 */
  uint64_t seed;                     /* same seed, same logits: same tokens */
  const char* const* stop;           /* stop strings (1 to 1024 bytes each): the text ends before the first */
  size_t n_stop;                     /* at most 16 */
  int32_t priority;                  /* a tf_priority */
  int32_t ignore_eos;                /* 1: keep going past end-of-generation tokens */
} tf_request_options;

/* The defaults of tokenfab::GenerateRequest: no prompt, max_tokens 16,
 * temperature 0.8, top_k 40, top_p 0.95, min_p 0.05, seed 0. */
TF_API tf_status tf_request_options_default(tf_request_options* options_out);

typedef struct tf_result {
  char* text;             /* everything generated, stop string excluded; NUL-terminated */
  size_t text_length;     /* bytes; the text may hold NUL bytes */
  int32_t* tokens;        /* every generated token, end-of-generation included */
  size_t n_tokens;
  int32_t finish_reason;  /* a tf_finish_reason */
  int64_t n_prompt_tokens;
  int64_t n_cached_prompt_tokens; /* served by the prefix cache */
  double time_to_first_token_s;
  double total_s;
} tf_result;

/* Runs a request to its end on `engine`, blocking the calling thread, and
 * fills *result_out (free it with tf_result_free). The request's own
 * errors (TF_INVALID_ARGUMENT naming the field, TF_RESOURCE_EXHAUSTED when
 * the queue is full) come back as is. */
TF_API tf_status tf_generate(tf_engine* engine, const tf_request_options* options, tf_result* result_out);

/* Frees what tf_generate put in *result (not the struct itself, which is
 * the caller's) and zeroes it. NULL is a no-op. */
TF_API void tf_result_free(tf_result* result);

typedef struct tf_request tf_request;

/* Queues a request and returns at once; its events come from
 * tf_request_poll. On error nothing is queued. */
TF_API tf_status tf_submit(tf_engine* engine, const tf_request_options* options, tf_request** request_out);

typedef enum tf_event_kind {
  TF_EVENT_NONE = 0,  /* nothing came within the timeout (or the request is done) */
  TF_EVENT_TOKEN = 1, /* one generated token, or held-back text */
  TF_EVENT_DONE = 2   /* the request ended; the last event */
} tf_event_kind;

/* tf_event.token of the last text event, carrying text held back until the end. */
#define TF_NO_TOKEN (-1)

typedef struct tf_event {
  int32_t kind;  /* a tf_event_kind */
  /* TOKEN: the token id, or TF_NO_TOKEN; its raw log-probability. */
  int32_t token;
  float logprob;
  /* TOKEN: the new text (whole UTF-8 characters; may be empty). The texts
   * of all TOKEN events, in order, are the whole generated text.
   * DONE with status != TF_OK: the error message. Else "".
   * NUL-terminated, owned by the request: valid until its next poll or free. */
  const char* text;
  size_t text_length;
  /* DONE: the request's outcome (TF_OK, or why it failed), and when TF_OK: */
  int32_t status;         /* a tf_status */
  int32_t finish_reason;  /* a tf_finish_reason */
  int64_t n_prompt_tokens;
  int64_t n_cached_prompt_tokens;
  int64_t n_generated_tokens;  /* end-of-generation token included */
} tf_event;

/* Takes the request's next event into *event_out, waiting up to timeout_ms
 * (0: do not wait; negative: until there is one). kind NONE when none came
 * in time, and at once after DONE was taken. TF_OK unless the arguments are
 * bad: a failed request reports its failure in the DONE event. */
TF_API tf_status tf_request_poll(tf_request* request, int32_t timeout_ms, tf_event* event_out);

/* Asks the engine to end the request before its next step (finish reason
 * TF_FINISH_CANCELLED unless it ended already); the DONE event still
 * comes. Does not wait. */
TF_API tf_status tf_request_cancel(tf_request* request);

/* Cancels the request if it still runs and releases it (and its hold on
 * the engine). */
TF_API tf_status tf_request_free(tf_request* request);

#ifdef __cplusplus
}  /* extern "C" */
#endif

#endif /* TOKENFAB_TOKENFAB_H_ */
