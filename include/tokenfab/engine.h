// tokenfab::Engine: embed tokenfab's serving engine in another program, the
// way programs embed llama.h. Load a GGUF model once (Model), start an engine
// over it (Engine), then generate: Generate blocks; Submit streams through
// callbacks; Stream pulls events. Many requests run at once, batched by one
// step thread per engine; every method here is thread-safe. Errors come back
// as tokenfab::Status (status.h) with the engine's own codes; nothing throws.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tokenfab/request.h"
#include "tokenfab/status.h"

namespace tokenfab {

using RequestId = int64_t;  // unique among one engine's live requests
class Engine;

struct ModelOptions {
  // Called on the loading thread with the fraction of weight pages read so
  // far (0..1) while Load touches every page, so the first request does not
  // stall on page faults.
  std::function<void(double fraction)> on_progress;
  // Repack q4_0 / q8_0 matrices for the int8 kernels at load; unset: when
  // this CPU's kernels prefer it.
  std::optional<bool> repack_weights;
};

// What a loaded model is.
struct ModelInfo {
  std::string path;
  std::string name;          // general.name, else the file's stem
  std::string architecture;  // general.architecture: "llama", "qwen2", ...
  int64_t n_vocab = 0;
  int64_t n_ctx_train = 0;   // the context it was trained for
  bool has_chat_template = false;
};

// A GGUF model with its tokenizer and chat template, immutable once loaded.
// Share one between engines (shared_ptr); it lives as long as its last user.
class Model {
 public:
  // NotFound for a missing file; InvalidArgument / DataLoss / Unimplemented
  // for one that is corrupt or of an unsupported architecture or type.
  static StatusOr<std::shared_ptr<const Model>> Load(const std::string& path, const ModelOptions& options = {});
  ~Model();

  const ModelInfo& info() const;
  // Text to token ids with the model's own tokenizer. add_special: BOS/EOS
  // as the vocabulary asks; parse_special: "<|im_start|>" in the text
  // becomes its control token. InvalidArgument for text that is not UTF-8.
  StatusOr<std::vector<TokenId>> Tokenize(std::string_view text, bool add_special = true,
                                          bool parse_special = true) const;
  // Token ids to text (control tokens as their text). InvalidArgument for an
  // id outside the vocabulary.
  StatusOr<std::string> Detokenize(const std::vector<TokenId>& tokens) const;

  struct Internals;  // the engine's own objects; see src/api/
  const Internals& internals() const { return *internals_; }

 private:
  explicit Model(std::unique_ptr<Internals> internals);
  std::unique_ptr<Internals> internals_;
};

struct EngineOptions {
  int32_t n_threads = 0;      // compute threads; 0: one per core
  int64_t n_ctx = 0;          // tokens per sequence; 0: the model's training context, at most 4096; never above the KV pool
  std::string kv_cache;       // KV pool as tokens ("8192") or bytes ("512MiB"); empty: 2 x n_ctx tokens
  std::string kv_dtype = "f16";  // f16, q8_0 or f32
  int32_t max_sequences = 64;    // sequences in one step
  int32_t max_waiting = 1024;    // queued requests before Submit says ResourceExhausted
  int64_t max_step_tokens = 0;   // tokens one step may compute; 0: max(512, max_sequences)
  int32_t stall_timeout_s = 60;  // a step running longer counts as stalled (readiness probes)
};

// A message for the model's chat template ("system", "user", "assistant").
struct ChatMessage {
  std::string role;
  std::string content;
};

// What to generate from. Exactly one of prompt, prompt_tokens and messages
// is used: messages when non-empty, else prompt_tokens when non-empty, else
// prompt (text; tokenized with add_special and parse_special).
struct GenerateRequest {
  std::string prompt;
  std::vector<TokenId> prompt_tokens;
  std::vector<ChatMessage> messages;  // rendered by the model's template, generation prompt added
  int32_t max_tokens = 16;            // >= 1; prompt + max_tokens must fit in n_ctx
  SamplingParams sampling;
  std::vector<std::string> stop;      // stop strings (at most 16, 1 to 1024 bytes each): the text ends before the first one
  Priority priority = Priority::kInteractive;
  bool ignore_eos = false;            // keep going past end-of-generation tokens
};

// One generated token. `text` is the new text it completes (whole UTF-8
// characters; empty while a character or a possible stop string is held
// back); end-of-generation tokens have no text. Text still held back when
// the request ends comes in one last event whose token is kNoToken, so the
// texts of all events, in order, are exactly GenerateResult::text.
inline constexpr TokenId kNoToken = -1;
struct TokenEvent {
  RequestId id = 0;
  TokenId token = 0;
  float logprob = 0.0f;  // raw log-probability (TokenLogprob)
  std::string text;
};

struct GenerateResult {
  RequestId id = 0;
  std::string text;             // everything generated, stop string excluded
  std::vector<TokenId> tokens;  // every generated token, end-of-generation included
  FinishReason finish_reason = FinishReason::kMaxTokens;
  int64_t n_prompt_tokens = 0;
  int64_t n_cached_prompt_tokens = 0;  // served by the prefix cache
  double time_to_first_token_s = 0.0;  // from Submit; 0 without tokens
  double total_s = 0.0;                // from Submit to the end
};

// Callbacks run on the engine's step thread, one request's in order: keep
// them short, and never call Engine methods that wait (Generate, the
// destructor) from them. on_done runs exactly once per accepted request.
struct Callbacks {
  std::function<void(const TokenEvent&)> on_token;
  std::function<void(const StatusOr<GenerateResult>&)> on_done;
};

// A pull-based view of one request: events are queued as they happen and
// taken by Next. Owned by the caller; destroying it cancels the request. It
// may outlive its Engine (whose destructor ends every request first).
class Stream {
 public:
  struct Event {
    std::optional<TokenEvent> token;                  // set for a token
    std::optional<StatusOr<GenerateResult>> done;     // set once, last
  };
  ~Stream();
  RequestId id() const;
  // The next event, waiting up to `timeout`; nullopt when none came in time.
  // After the done event, always nullopt at once.
  std::optional<Event> Next(std::chrono::milliseconds timeout);
  // Cancels the request (it ends with FinishReason::kCancelled unless it
  // ended already); the done event still comes.
  void Cancel();

  struct State;
  Stream(Engine& engine, RequestId id, std::shared_ptr<State> state);

 private:
  Engine& engine_;
  RequestId id_;
  std::shared_ptr<State> state_;
};

// Counts since the engine started, as of the last step.
struct EngineStats {
  int32_t n_requests_running = 0;     // admitted, holding KV
  int32_t n_requests_waiting = 0;     // submitted, not running yet (or preempted)
  int64_t n_requests_submitted = 0;
  int64_t n_requests_finished = 0;    // every reason
  int64_t n_prompt_tokens = 0;        // of finished requests
  int64_t n_cached_prompt_tokens = 0; // of those, served by the prefix cache
  int64_t n_generated_tokens = 0;
  int64_t n_preemptions = 0;
  int64_t n_steps = 0;
  int32_t n_kv_blocks_used = 0;
  int32_t n_kv_blocks_total = 0;
  int32_t kv_block_size = 0;          // tokens per KV block
};

class Engine {
 public:
  // Loads `model_path` (Model::Load) and starts an engine over it.
  static StatusOr<std::unique_ptr<Engine>> Create(const std::string& model_path, const EngineOptions& options = {});
  // Starts an engine over an already-loaded model. InvalidArgument naming the
  // option for bad options (n_ctx above the model's, an unknown kv_dtype, ...).
  static StatusOr<std::unique_ptr<Engine>> Create(std::shared_ptr<const Model> model,
                                                  const EngineOptions& options = {});
  // Cancels what is still running and waits for the step thread to stop.
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  // Runs `request` to its end, passing each token to `on_token` (if set; on
  // the step thread) as it comes. The request's errors (InvalidArgument
  // naming the field, ResourceExhausted when the queue is full) come back as is.
  StatusOr<GenerateResult> Generate(const GenerateRequest& request,
                                    std::function<void(const TokenEvent&)> on_token = {});
  // Queues `request` and returns at once; callbacks report its tokens and
  // end. On error nothing is queued and no callback runs.
  StatusOr<RequestId> Submit(const GenerateRequest& request, Callbacks callbacks);
  // Submit, with the events queued for Stream::Next instead of callbacks.
  StatusOr<std::unique_ptr<Stream>> Open(const GenerateRequest& request);
  // Ends request `id` before the next step (FinishReason::kCancelled).
  // NotFound when `id` is unknown or already ended.
  Status Cancel(RequestId id);
  // A snapshot as of the last step.
  EngineStats Stats() const;

  const Model& model() const;
  // The context this engine gives each sequence.
  int64_t n_ctx() const;

  struct Internals;  // the engine's own objects; see src/api/
  Internals& internals() { return *internals_; }
  // Settings only front ends inside tokenfab can make (src/api/internals.h),
  // such as the power meter the engine books energy from.
  struct Setup;
  static StatusOr<std::unique_ptr<Engine>> Create(std::shared_ptr<const Model> model, const EngineOptions& options,
                                                  const Setup& setup);

 private:
  explicit Engine(std::unique_ptr<Internals> internals);
  std::unique_ptr<Internals> internals_;
};

}  // namespace tokenfab
