// Helpers for the OpenAI handler tests: a tiny synthesized llama model with
// its generated SentencePiece vocabulary (made once per test process, no
// files outside a temp dir), an engine and an OpenAiHandler over it, request
// builders, and Drain(), which plays the transport: it takes a
// ResponseStream's bytes until it finishes. Waits are bounded by
// kDrainTimeout so that a bug fails a test instead of hanging it; nothing
// asserts on how long anything took.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <unistd.h>

#include <boost/json.hpp>

#include "engine/engine.h"
#include "engine/failing_executor.h"
#include "model/model.h"
#include "model/synth.h"
#include "platform/thread_pool.h"
#include "runtime/executor.h"
#include "server/openai_handler.h"
#include "server/server_metrics.h"
#include "tokenizer/tokenizer.h"

namespace fab::server {

inline constexpr std::chrono::seconds kDrainTimeout{120};
inline constexpr int64_t kTinyContext = 512;
inline constexpr const char* kTinyModelName = "tiny";

// The synthesized model and its tokenizer, shared by every test of the process.
struct TinyModel {
  std::unique_ptr<model::Model> model;
  std::unique_ptr<Tokenizer> tokenizer;
};

inline const TinyModel& GetTinyModel() {
  static const TinyModel* tiny = [] {
    static const model::SynthShape shape{"server-test", "llama", 128, 2, 4, 2, 256, 600, kTinyContext,
                                         10000.0f, /*tied_embeddings=*/false, /*llama3_rope_factors=*/false};
    ThreadPool pool(2);
    model::SynthOptions options;
    options.shape = &shape;
    options.quant = DType::kQ8_0;
    options.out_path = (std::filesystem::temp_directory_path() /
                        ("tokenfab_server_test_" + std::to_string(getpid()) + ".gguf"))
                           .string();
    Status written = model::SynthesizeModel(options, pool);
    FAB_CHECK(written.ok()) << written.ToString();
    auto loaded = model::Model::Load(options.out_path);
    FAB_CHECK(loaded.ok()) << loaded.status().ToString();
    std::filesystem::remove(options.out_path);  // the mapping stays valid
    auto* out = new TinyModel;
    out->model = std::move(loaded).value();
    auto tokenizer = Tokenizer::FromGguf(out->model->gguf());
    FAB_CHECK(tokenizer.ok()) << tokenizer.status().ToString();
    out->tokenizer = std::move(tokenizer).value();
    return out;
  }();
  return *tiny;
}

// An engine and a handler over the tiny model; one per test. With
// `failing_step` > 0 the engine's n-th step fails.
class TestServer {
 public:
  explicit TestServer(std::optional<ChatTemplate> chat_template = std::nullopt, int32_t max_waiting = 64,
                      int64_t failing_step = 0)
      : pool_(2) {
    scheduler::SchedulerConfig scheduler;
    scheduler.max_tokens_per_step = 64;
    scheduler.max_sequences = 16;
    scheduler.prefill_chunk = 64;
    scheduler.kv_cache.capacity_tokens = 16 * 512;
    scheduler.kv_cache.block_size = 16;
    scheduler.kv_cache.hash_seed = 5;
    const engine::EngineConfig config = engine::MakeEngineConfig(scheduler, runtime::KvDType::kF32, max_waiting);
    const model::Model& model = *GetTinyModel().model;
    StatusOr<std::unique_ptr<engine::Engine>> engine = InternalError("no engine");
    if (failing_step == 0) {
      engine = engine::Engine::Create(model, pool_, config);
    } else {
      auto executor = runtime::Executor::Create(model, pool_, config.executor);
      FAB_CHECK(executor.ok()) << executor.status().ToString();
      engine = engine::Engine::CreateWithExecutor(
          engine::ModelLimits{model.hparams().n_vocab, model.hparams().n_ctx_train}, config,
          std::make_unique<engine::FailingExecutor>(std::move(executor).value(), failing_step));
    }
    FAB_CHECK(engine.ok()) << engine.status().ToString();
    engine_ = std::move(engine).value();
    ServedModel served;
    served.name = kTinyModelName;
    served.tokenizer = GetTinyModel().tokenizer.get();
    served.chat_template = std::move(chat_template);
    served.n_context = kTinyContext;
    served.created = 1700000000;
    handler_ = std::make_unique<OpenAiHandler>(std::move(served), *engine_, metrics_);
  }
  ~TestServer() {
    handler_.reset();
    engine_->Shutdown(engine::Clock::now());
  }

  OpenAiHandler& handler() { return *handler_; }
  engine::Engine& engine() { return *engine_; }
  const Tokenizer& tokenizer() const { return *GetTinyModel().tokenizer; }

 private:
  ThreadPool pool_;
  std::unique_ptr<engine::Engine> engine_;
  ServerMetrics metrics_{kTinyModelName};
  std::unique_ptr<OpenAiHandler> handler_;
};

inline HttpRequest PostJson(const std::string& target, const std::string& body) {
  HttpRequest request;
  request.method = "POST";
  request.target = target;
  request.content_type = "application/json";
  request.body = body;
  request.remote = "127.0.0.1:5555";
  return request;
}

inline HttpRequest Get(const std::string& target) {
  HttpRequest request;
  request.method = "GET";
  request.target = target;
  request.remote = "127.0.0.1:5555";
  return request;
}

// What a client would have received.
struct Received {
  bool streamed = false;     // the handler returned a kStreamed ResponseStream
  bool completed = false;    // whole: Complete() came; streamed: Finish() came
  HttpResponse response;     // whole responses (status 200 for streams)
  std::vector<std::string> events;  // streamed: each "data: " payload, in order ("[DONE]" included)
  boost::json::value json;   // whole: the parsed body when it is JSON
};

// Waits for something new on `stream` and takes it. The waker shares its
// state with the taker so that a producer still holding a copy of it never
// touches a destroyed taker.
class StreamTaker {
 public:
  explicit StreamTaker(std::shared_ptr<ResponseStream> stream)
      : stream_(std::move(stream)), wake_(std::make_shared<WakeState>()) {
    stream_->SetWaker([wake = wake_] {
      {
        std::lock_guard<std::mutex> lock(wake->mutex);
        wake->woken = true;
      }
      wake->cv.notify_all();
    });
  }
  ~StreamTaker() { stream_->SetWaker(nullptr); }

  // The next Take() once the waker ran (false after kDrainTimeout).
  bool Next(ResponseStream::Taken* taken) {
    std::unique_lock<std::mutex> lock(wake_->mutex);
    if (!wake_->cv.wait_for(lock, kDrainTimeout, [this] { return wake_->woken; })) return false;
    wake_->woken = false;
    lock.unlock();
    *taken = stream_->Take();
    return true;
  }

 private:
  struct WakeState {
    std::mutex mutex;
    std::condition_variable cv;
    bool woken = false;
  };
  std::shared_ptr<ResponseStream> stream_;
  std::shared_ptr<WakeState> wake_;
};

// Splits SSE bytes into event payloads ("data: X\n\n" → "X").
inline void AppendEvents(const std::string& bytes, std::string* carry, std::vector<std::string>* events) {
  *carry += bytes;
  size_t end;
  while ((end = carry->find("\n\n")) != std::string::npos) {
    std::string event = carry->substr(0, end);
    carry->erase(0, end + 2);
    if (event.rfind("data: ", 0) == 0) event.erase(0, 6);
    events->push_back(std::move(event));
  }
}

inline Received Drain(HandlerResult result) {
  Received received;
  if (auto* response = std::get_if<HttpResponse>(&result)) {
    received.completed = true;
    received.response = *response;
  } else {
    std::shared_ptr<ResponseStream> stream = std::get<std::shared_ptr<ResponseStream>>(result);
    received.streamed = stream->kind() == ResponseStream::Kind::kStreamed;
    StreamTaker taker(stream);
    std::string carry;
    ResponseStream::Taken taken;
    while (!received.completed && taker.Next(&taken)) {
      if (received.streamed) {
        AppendEvents(taken.bytes, &carry, &received.events);
        received.completed = taken.finished;
      } else if (taken.whole) {
        received.response = *taken.whole;
        received.completed = true;
      }
    }
  }
  boost::system::error_code error;
  if (!received.streamed) received.json = boost::json::parse(received.response.body, error);
  return received;
}

inline Received Send(TestServer& server, const HttpRequest& request) {
  return Drain(server.handler().Handle(request));
}

// The stream's JSON chunks (every event but [DONE]).
inline std::vector<boost::json::object> Chunks(const Received& received) {
  std::vector<boost::json::object> chunks;
  for (const std::string& event : received.events) {
    if (event == "[DONE]") continue;
    chunks.push_back(boost::json::parse(event).as_object());
  }
  return chunks;
}

// The `text` of choice `index` concatenated over a completions stream.
inline std::string StreamedText(const Received& received, int64_t index, const char* field = "text") {
  std::string text;
  for (const boost::json::object& chunk : Chunks(received)) {
    for (const auto& choice : chunk.at("choices").as_array()) {
      if (choice.at("index").as_int64() != index) continue;
      if (std::string(field) == "text") {
        text += choice.at("text").as_string().c_str();
      } else if (const auto* content = choice.at("delta").as_object().if_contains("content")) {
        text += content->as_string().c_str();
      }
    }
  }
  return text;
}

// Whether the engine got back to idle with no KV block held (bounded wait).
inline bool WaitForIdleEngine(engine::Engine& engine) {
  const auto deadline = std::chrono::steady_clock::now() + kDrainTimeout;
  while (std::chrono::steady_clock::now() < deadline) {
    const engine::EngineStats stats = engine.Stats();
    if (stats.n_running == 0 && stats.n_waiting == 0 && stats.n_kv_blocks_used == 0) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return false;
}

}  // namespace fab::server
