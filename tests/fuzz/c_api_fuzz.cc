// libFuzzer target for the C API (tokenfab.h): the input is a sequence of
// calls (load, create, submit, poll, cancel, generate, tokenize, free, in any
// order) on a few slots of handles, with arguments drawn from the input:
// NULLs, freed handles still held in their slot, garbage pointers (safe: the
// API looks handles up instead of reading them), out-of-range options, raw
// and non-UTF-8 prompts, token ids outside the vocabulary. The model is a
// tiny synthesized one, written once per process under /tmp. Properties, any
// failure aborts:
//   - no call crashes, leaks, or trips a sanitizer;
//   - every status is a tf_status; tf_last_error is "" after TF_OK and a
//     message otherwise;
//   - a NULL or freed handle (one no live handle reuses the address of) and
//     a garbage pointer give TF_INVALID_ARGUMENT;
//   - a request's TOKEN texts are valid UTF-8, it generates at most
//     max_tokens tokens, and after its DONE event polls give NONE at once.
#include <fuzzer/FuzzedDataProvider.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_support.h"
#include "model/synth.h"
#include "platform/thread_pool.h"
#include "tokenfab/tokenfab.h"
#include "tokenizer/utf8.h"

namespace {

using fab::fuzz::Require;

constexpr int kSlots = 3;          // handles of each kind an input juggles
constexpr int kMaxCalls = 48;      // calls per input
constexpr int kMaxEngines = 3;     // engines made per input (each starts threads)
constexpr int kVocab = 300;
constexpr int kContext = 64;

// A llama-shaped model of one layer, 300 tokens of generated vocabulary and
// a context of 64: every call on it takes microseconds.
const std::string& ModelPath() {
  static const std::string path = [] {
    static const fab::model::SynthShape shape{"c-api-fuzz", "llama", 64, 1, 2, 1, 64, kVocab, kContext,
                                              10000.0f, false, false};
    fab::ThreadPool pool(1);
    fab::model::SynthOptions options;
    options.shape = &shape;
    options.out_path = "/tmp/tokenfab_c_api_fuzz_" + std::to_string(getpid()) + ".gguf";
    Require(fab::model::SynthesizeModel(options, pool).ok(), "the fuzz model is written");
    std::atexit([] { std::remove(ModelPath().c_str()); });
    return options.out_path;
  }();
  return path;
}

// Every call's status and message agree (tokenfab.h, "Errors").
tf_status Checked(tf_status status) {
  Require(status >= TF_OK && status <= TF_DEADLINE_EXCEEDED, "a status is a tf_status");
  Require(status != TF_INTERNAL, "no call fails internally on this input");
  const std::string message = tf_last_error();
  Require((status == TF_OK) == message.empty(), "tf_last_error is empty exactly after TF_OK");
  return status;
}

// One kind of handle: the slots, and which addresses are live, so a freed
// handle is known to be stale unless a newer handle reuses its address.
template <typename Handle>
struct Slots {
  Handle* slot[kSlots] = {};
  std::set<const void*> live;

  Handle* Pick(FuzzedDataProvider& input) { return slot[input.ConsumeIntegralInRange<int>(0, kSlots - 1)]; }
  bool IsStale(const Handle* handle) const { return handle != nullptr && !live.contains(handle); }
  void Made(Handle* handle, int index) {
    slot[index] = handle;
    live.insert(handle);
  }
};

// What a freed or garbage handle must give.
void RequireRefusedIf(bool stale, tf_status status) {
  if (stale) Require(status == TF_INVALID_ARGUMENT, "a freed handle is refused");
}

struct Request {
  int32_t max_tokens = 0;
  bool done = false;
  int64_t n_tokens = 0;
};

class CallSequence {
 public:
  explicit CallSequence(FuzzedDataProvider& input) : input_(input) {}
  ~CallSequence() { FreeAll(); }

  void Run();

 private:
  void Load();
  void CreateEngine();
  void Submit(bool blocking);
  void Poll();
  void Tokenize();
  void Garbage();
  void FreeOne();
  void FreeAll();

  tf_engine_options EngineOptions();
  tf_request_options RequestOptions();
  std::string& Keep(std::string text) { return kept_.emplace_back(std::move(text)); }

  FuzzedDataProvider& input_;
  Slots<tf_model> models_;
  Slots<tf_engine> engines_;
  Slots<tf_request> requests_;
  std::vector<std::pair<tf_request*, Request>> request_state_;
  int n_engines_made_ = 0;
  // Strings and arrays the options point into, alive for the whole input.
  std::deque<std::string> kept_;  // a deque: adding keeps earlier c_str()s valid
  std::vector<std::vector<int32_t>> kept_tokens_;
  std::vector<std::vector<const char*>> kept_stops_;
  std::vector<std::vector<tf_chat_message>> kept_messages_;
};

void CallSequence::Run() {
  for (int call = 0; call < kMaxCalls && input_.remaining_bytes() > 0; ++call) {
    switch (input_.ConsumeIntegralInRange<int>(0, 9)) {
      case 0: Load(); break;
      case 1: CreateEngine(); break;
      case 2: Submit(/*blocking=*/false); break;
      case 3: Submit(/*blocking=*/true); break;
      case 4: case 5: Poll(); break;
      case 6: {
        tf_request* request = requests_.Pick(input_);
        const tf_status status = Checked(tf_request_cancel(request));
        RequireRefusedIf(request == nullptr || requests_.IsStale(request), status);
        break;
      }
      case 7: Tokenize(); break;
      case 8: Garbage(); break;
      case 9: FreeOne(); break;
    }
  }
}

void CallSequence::Load() {
  const int index = input_.ConsumeIntegralInRange<int>(0, kSlots - 1);
  if (models_.slot[index] != nullptr && !models_.IsStale(models_.slot[index])) return;
  const bool good = input_.ConsumeBool();
  tf_model* model = nullptr;
  const tf_status status = Checked(tf_model_load(good ? ModelPath().c_str() : "/tmp/no-such-model.gguf", &model));
  Require((status == TF_OK) == good, "the model loads exactly when it exists");
  if (status == TF_OK) models_.Made(model, index);
}

tf_engine_options CallSequence::EngineOptions() {
  tf_engine_options options;
  Require(Checked(tf_engine_options_default(&options)) == TF_OK, "defaults");
  options.n_threads = input_.PickValueInArray({1, 1, 1, -1, 5000});
  options.n_ctx = input_.PickValueInArray<int64_t>({0, 16, 32, kContext, kContext + 1, -1});
  const char* kv_caches[] = {nullptr, "", "64", "16", "1", "4KiB", "abc", "-5", "99999999999999999999"};
  options.kv_cache = input_.PickValueInArray(kv_caches);
  const char* kv_dtypes[] = {nullptr, "f16", "q8_0", "f32", "q3", ""};
  options.kv_dtype = input_.PickValueInArray(kv_dtypes);
  options.max_sequences = input_.PickValueInArray({1, 2, 4, 0, -1});
  options.max_waiting = input_.PickValueInArray({1, 4, 64, 0, -1});
  options.max_step_tokens = input_.PickValueInArray<int64_t>({0, 1, 8, 64, -5});
  return options;
}

void CallSequence::CreateEngine() {
  const int index = input_.ConsumeIntegralInRange<int>(0, kSlots - 1);
  tf_model* model = models_.Pick(input_);
  tf_engine_options options = EngineOptions();
  if (n_engines_made_ >= kMaxEngines) return;
  if (engines_.slot[index] != nullptr && !engines_.IsStale(engines_.slot[index])) return;
  tf_engine* engine = nullptr;
  const tf_status status = Checked(tf_engine_create(model, input_.ConsumeBool() ? &options : nullptr, &engine));
  RequireRefusedIf(model == nullptr || models_.IsStale(model), status);
  if (status != TF_OK) return;
  ++n_engines_made_;
  engines_.Made(engine, index);
}

tf_request_options CallSequence::RequestOptions() {
  tf_request_options options;
  Require(Checked(tf_request_options_default(&options)) == TF_OK, "defaults");
  switch (input_.ConsumeIntegralInRange<int>(0, 4)) {
    case 0: options.prompt = input_.PickValueInArray({"hello", "", "<s>", "a\xff", "\xe2\x96\x81 x"}); break;
    case 1: options.prompt = Keep(input_.ConsumeRandomLengthString(48)).c_str(); break;
    case 2: {
      std::vector<int32_t>& tokens = kept_tokens_.emplace_back();
      const size_t n = input_.ConsumeIntegralInRange<size_t>(0, 8);
      for (size_t i = 0; i < n; ++i) {
        const int32_t raw = input_.ConsumeIntegral<int32_t>();
        tokens.push_back(raw % 8 == 0 ? raw : static_cast<int32_t>(static_cast<uint32_t>(raw) % (kVocab + 2)));
      }
      options.prompt_tokens = input_.ConsumeBool() ? tokens.data() : nullptr;
      options.n_prompt_tokens = input_.ConsumeBool() ? tokens.size() : input_.PickValueInArray<size_t>({0, 65, SIZE_MAX});
      break;
    }
    case 3: {
      std::vector<tf_chat_message>& messages = kept_messages_.emplace_back();
      const size_t n = input_.ConsumeIntegralInRange<size_t>(0, 3);
      for (size_t i = 0; i < n; ++i) {
        const char* role = input_.PickValueInArray({"user", "system", "assistant", "tool", ""});
        messages.push_back({role, input_.ConsumeBool() ? Keep(input_.ConsumeRandomLengthString(16)).c_str() : nullptr});
      }
      options.messages = messages.data();
      options.n_messages = input_.ConsumeBool() ? messages.size() : input_.PickValueInArray<size_t>({0, 5000});
      break;
    }
    default: break;  // no prompt at all
  }
  options.max_tokens = input_.PickValueInArray({1, 2, 3, 8, 0, -1, 1000});
  options.temperature = input_.PickValueInArray({0.0f, 0.8f, -1.0f, 1e9f, std::nanf("")});
  options.top_k = input_.PickValueInArray({0, 1, 40, -3});
  options.top_p = input_.PickValueInArray({1.0f, 0.5f, 2.0f});
  options.repetition_penalty = input_.PickValueInArray({1.0f, 1.3f, 0.0f});
  options.seed = input_.ConsumeIntegral<uint64_t>();
  if (input_.ConsumeBool()) {
    std::vector<const char*>& stops = kept_stops_.emplace_back();
    const size_t n = input_.ConsumeIntegralInRange<size_t>(0, 3);
    for (size_t i = 0; i < n; ++i) stops.push_back(input_.PickValueInArray<const char*>({"a", "", " ", nullptr, "\xe2"}));
    options.stop = stops.data();
    options.n_stop = input_.ConsumeBool() ? stops.size() : input_.PickValueInArray<size_t>({1, 65, SIZE_MAX});
  }
  options.priority = input_.PickValueInArray({0, 1, 2, -1});
  options.ignore_eos = input_.ConsumeBool() ? 1 : 0;
  return options;
}

void CallSequence::Submit(bool blocking) {
  tf_engine* engine = engines_.Pick(input_);
  const tf_request_options options = RequestOptions();
  const bool refused = engine == nullptr || engines_.IsStale(engine);
  if (blocking) {
    tf_result result{};
    const tf_status status = Checked(tf_generate(engine, &options, &result));
    RequireRefusedIf(refused, status);
    if (status == TF_OK) {
      Require(result.n_tokens <= static_cast<size_t>(options.max_tokens), "at most max_tokens tokens");
      Require(fab::IsValidUtf8(std::string_view(result.text, result.text_length)), "the text is UTF-8");
    }
    tf_result_free(&result);
    return;
  }
  const int index = input_.ConsumeIntegralInRange<int>(0, kSlots - 1);
  if (requests_.slot[index] != nullptr && !requests_.IsStale(requests_.slot[index])) return;
  tf_request* request = nullptr;
  const tf_status status = Checked(tf_submit(engine, &options, &request));
  RequireRefusedIf(refused, status);
  if (status != TF_OK) return;
  requests_.Made(request, index);
  std::erase_if(request_state_, [&](const auto& entry) { return entry.first == request; });
  request_state_.push_back({request, Request{options.max_tokens}});
}

void CallSequence::Poll() {
  tf_request* request = requests_.Pick(input_);
  const int32_t timeout_ms = input_.PickValueInArray({0, 0, 1, 5, 20, -1});
  tf_event event{};
  const tf_status status = Checked(tf_request_poll(request, timeout_ms, input_.ConsumeBool() ? &event : nullptr));
  RequireRefusedIf(request == nullptr || requests_.IsStale(request), status);
  if (status != TF_OK) return;
  Request* state = nullptr;
  for (auto& [address, entry] : request_state_) {
    if (address == request) state = &entry;
  }
  Require(state != nullptr, "a polled request was submitted");
  Require(event.text != nullptr && std::string_view(event.text).size() <= event.text_length, "event text is set");
  if (state->done) Require(event.kind == TF_EVENT_NONE, "after DONE, polls give NONE");
  if (event.kind == TF_EVENT_TOKEN) {
    Require(fab::IsValidUtf8(std::string_view(event.text, event.text_length)), "token text is UTF-8");
    if (event.token != TF_NO_TOKEN) ++state->n_tokens;
    Require(state->n_tokens <= state->max_tokens, "at most max_tokens token events");
  } else if (event.kind == TF_EVENT_DONE) {
    state->done = true;
    if (event.status == TF_OK) Require(event.n_generated_tokens <= state->max_tokens, "at most max_tokens tokens");
  } else {
    Require(event.kind == TF_EVENT_NONE, "an event kind is a tf_event_kind");
    Require(timeout_ms >= 0 || state->done, "a poll without a timeout waits for an event");
  }
}

void CallSequence::Tokenize() {
  tf_model* model = models_.Pick(input_);
  const bool refused = model == nullptr || models_.IsStale(model);
  if (input_.ConsumeBool()) {
    const std::string text = input_.ConsumeRandomLengthString(64);
    int32_t* tokens = nullptr;
    size_t n_tokens = 0;
    const size_t length = input_.ConsumeBool() ? text.size() : input_.PickValueInArray<size_t>({0, SIZE_MAX});
    const tf_status status = Checked(tf_tokenize(model, text.data(), length, input_.ConsumeBool(),
                                                 input_.ConsumeBool(), &tokens, &n_tokens));
    RequireRefusedIf(refused, status);
    tf_tokens_free(tokens);
    return;
  }
  std::vector<int32_t> tokens;
  const size_t n = input_.ConsumeIntegralInRange<size_t>(0, 16);
  for (size_t i = 0; i < n; ++i) tokens.push_back(input_.ConsumeIntegralInRange<int32_t>(-2, kVocab + 1));
  char* text = nullptr;
  size_t length = 0;
  const tf_status status = Checked(tf_detokenize(model, tokens.data(), tokens.size(), &text, &length));
  RequireRefusedIf(refused, status);
  if (status == TF_OK) Require(text[length] == '\0', "detokenized text is NUL-terminated");
  tf_string_free(text);
}

// Pointers that were never handles: the API must refuse them unread.
void CallSequence::Garbage() {
  alignas(16) unsigned char bytes[64] = {};
  const std::vector<uint8_t> fill = input_.ConsumeBytes<uint8_t>(sizeof(bytes));
  std::copy(fill.begin(), fill.end(), bytes);
  void* garbage = bytes + input_.ConsumeIntegralInRange<int>(0, 8);
  tf_event event{};
  int64_t n_ctx = 0;
  tf_model_info info;
  switch (input_.ConsumeIntegralInRange<int>(0, 5)) {
    case 0: Require(Checked(tf_request_poll(static_cast<tf_request*>(garbage), 0, &event)) == TF_INVALID_ARGUMENT, "garbage request"); break;
    case 1: Require(Checked(tf_request_free(static_cast<tf_request*>(garbage))) == TF_INVALID_ARGUMENT, "garbage request"); break;
    case 2: Require(Checked(tf_engine_n_ctx(static_cast<tf_engine*>(garbage), &n_ctx)) == TF_INVALID_ARGUMENT, "garbage engine"); break;
    case 3: Require(Checked(tf_engine_free(static_cast<tf_engine*>(garbage))) == TF_INVALID_ARGUMENT, "garbage engine"); break;
    case 4: Require(Checked(tf_model_get_info(static_cast<tf_model*>(garbage), &info)) == TF_INVALID_ARGUMENT, "garbage model"); break;
    case 5: Require(Checked(tf_model_free(static_cast<tf_model*>(garbage))) == TF_INVALID_ARGUMENT, "garbage model"); break;
  }
}

// Frees one slot's handle, live or stale (a double free), of any kind.
void CallSequence::FreeOne() {
  const int index = input_.ConsumeIntegralInRange<int>(0, kSlots - 1);
  switch (input_.ConsumeIntegralInRange<int>(0, 2)) {
    case 0: {
      tf_model* model = models_.slot[index];
      const bool stale = models_.IsStale(model);
      RequireRefusedIf(stale, Checked(tf_model_free(model)));
      if (!stale) models_.live.erase(model);
      break;
    }
    case 1: {
      tf_engine* engine = engines_.slot[index];
      const bool stale = engines_.IsStale(engine);
      RequireRefusedIf(stale, Checked(tf_engine_free(engine)));
      if (!stale) engines_.live.erase(engine);
      break;
    }
    case 2: {
      tf_request* request = requests_.slot[index];
      const bool stale = requests_.IsStale(request);
      RequireRefusedIf(stale, Checked(tf_request_free(request)));
      if (!stale) requests_.live.erase(request);
      break;
    }
  }
}

// At the end of the input: what is still live, models first (the engines
// and requests keep them alive), so every handle goes.
void CallSequence::FreeAll() {
  for (const void* model : models_.live) Require(tf_model_free(static_cast<tf_model*>(const_cast<void*>(model))) == TF_OK, "free model");
  for (const void* engine : engines_.live) Require(tf_engine_free(static_cast<tf_engine*>(const_cast<void*>(engine))) == TF_OK, "free engine");
  for (const void* request : requests_.live) Require(tf_request_free(static_cast<tf_request*>(const_cast<void*>(request))) == TF_OK, "free request");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  (void)ModelPath();
  FuzzedDataProvider input(data, size);
  CallSequence(input).Run();
  return 0;
}
