// tokenfab::Engine: the public engine over fab::engine::Engine. Requests are
// tokenized (or their chat rendered) on the caller's thread, then submitted
// with a TextRequest observer that streams text back.
#include <algorithm>
#include <condition_variable>
#include <future>
#include <string>
#include <utility>

#include <boost/json.hpp>

#include "api/engine_setup.h"
#include "api/internals.h"
#include "api/text_request.h"
#include "request/context_window.h"
#include "request/limits.h"
#include "tokenizer/chat_tokens.h"

namespace tokenfab {
namespace {

// Ollama's default context when the caller names none.
constexpr int64_t kDefaultContext = 4096;

Status CheckStops(const std::vector<std::string>& stop) {
  if (stop.size() > fab::kMaxStopStrings) {
    return fab::InvalidArgumentError("stop holds " + std::to_string(stop.size()) + " strings, more than " +
                                     std::to_string(fab::kMaxStopStrings));
  }
  for (const std::string& text : stop) {
    if (text.empty() || text.size() > fab::kMaxStopStringBytes) {
      return fab::InvalidArgumentError("each stop string must be 1 to " + std::to_string(fab::kMaxStopStringBytes) + " bytes");
    }
  }
  return fab::OkStatus();
}

StatusOr<std::vector<TokenId>> PromptTokens(const Model::Internals& model, const GenerateRequest& request) {
  if (!request.messages.empty()) {
    if (model.chat_template == nullptr) return fab::FailedPreconditionError(model.chat_template_error.message());
    boost::json::array messages;
    for (const ChatMessage& message : request.messages) {
      messages.push_back(boost::json::object{{"role", message.role}, {"content", message.content}});
    }
    StatusOr<std::vector<TokenId>> tokens =
        fab::ChatTokens(*model.tokenizer, *model.chat_template, std::move(messages), {}, /*add_generation_prompt=*/true);
    if (!tokens.ok()) return tokens.status().WithContext("messages");
    return tokens;
  }
  if (!request.prompt_tokens.empty()) return request.prompt_tokens;
  StatusOr<std::vector<TokenId>> tokens =
      model.tokenizer->Encode(request.prompt, fab::EncodeOptions{.add_special = true, .parse_special = true});
  if (!tokens.ok()) return tokens.status().WithContext("prompt");
  if (tokens->empty()) return fab::InvalidArgumentError("prompt is empty and the model adds no BOS token");
  return tokens;
}

}  // namespace

Engine::Engine(std::unique_ptr<Internals> internals) : internals_(std::move(internals)) {}

// The inner engine goes first (Internals' member order) and its destructor
// cancels what still runs and joins the step thread.
Engine::~Engine() = default;

StatusOr<std::unique_ptr<Engine>> Engine::Create(const std::string& model_path, const EngineOptions& options) {
  FAB_ASSIGN_OR_RETURN(std::shared_ptr<const Model> model, Model::Load(model_path));
  return Create(std::move(model), options);
}

StatusOr<std::unique_ptr<Engine>> Engine::Create(std::shared_ptr<const Model> model, const EngineOptions& options) {
  return Create(std::move(model), options, Setup{});
}

StatusOr<std::unique_ptr<Engine>> Engine::Create(std::shared_ptr<const Model> model, const EngineOptions& options,
                                                 const Setup& setup) {
  if (model == nullptr) return fab::InvalidArgumentError("model is null");
  const fab::model::Model& inner = *model->internals().model;
  const int64_t n_ctx_train = inner.hparams().n_ctx_train;
  FAB_RETURN_IF_ERROR(fab::CheckContextOption(options.n_ctx, n_ctx_train));
  if (options.n_threads < 0 || options.n_threads > 1024) {
    return fab::InvalidArgumentError("n_threads " + std::to_string(options.n_threads) + " is outside [0, 1024]");
  }
  auto internals = std::make_unique<Internals>();
  internals->n_ctx = options.n_ctx > 0 ? options.n_ctx : std::min(n_ctx_train, kDefaultContext);
  FAB_ASSIGN_OR_RETURN(internals->config, fab::api::MakeEngineConfig(inner, options, 2 * internals->n_ctx));
  // A sequence can never hold more than the whole pool.
  internals->n_ctx = std::min(internals->n_ctx, internals->config.scheduler.kv_cache.capacity_tokens);
  internals->config.n_ctx = internals->n_ctx;
  internals->config.stall_limit = std::chrono::seconds(options.stall_timeout_s);
  internals->config.power_source = setup.power_source;
  internals->config.energy_model = setup.energy_model;
  internals->pool = std::make_unique<fab::ThreadPool>(options.n_threads > 0 ? options.n_threads
                                                                            : fab::DefaultThreadCount());
  FAB_ASSIGN_OR_RETURN(internals->engine, fab::engine::Engine::Create(inner, *internals->pool, internals->config));
  internals->model = std::move(model);
  return std::unique_ptr<Engine>(new Engine(std::move(internals)));
}

StatusOr<RequestId> Engine::Submit(const GenerateRequest& request, Callbacks callbacks) {
  const Model::Internals& model = internals_->model->internals();
  if (request.max_tokens < 1) {
    return fab::InvalidArgumentError("max_tokens " + std::to_string(request.max_tokens) + " is below 1");
  }
  FAB_RETURN_IF_ERROR(CheckStops(request.stop));
  fab::GenerationRequest generation;
  FAB_ASSIGN_OR_RETURN(generation.prompt, PromptTokens(model, request));
  const int64_t n_prompt = static_cast<int64_t>(generation.prompt.size());
  if (!fab::FitsContext(n_prompt, request.max_tokens, internals_->n_ctx)) {
    return fab::InvalidArgumentError("prompt (" + std::to_string(n_prompt) + " tokens) + max_tokens (" +
                                     std::to_string(request.max_tokens) + ") exceed the context of " +
                                     std::to_string(internals_->n_ctx) + " tokens");
  }
  generation.max_new_tokens = request.max_tokens;
  generation.priority = request.priority;
  if (!request.ignore_eos) {
    const auto eog = model.tokenizer->end_of_generation_ids();
    generation.stop_tokens.assign(eog.begin(), eog.end());
  }
  generation.sampling = request.sampling;
  fab::engine::Engine& engine = *internals_->engine;
  auto observer = std::make_shared<fab::api::TextRequest>(*model.tokenizer, engine, request.stop, std::move(callbacks));
  std::lock_guard<std::mutex> bind(observer->bind_mutex());
  FAB_ASSIGN_OR_RETURN(RequestId id, engine.Submit(std::move(generation), observer));
  observer->Bind(id);
  return id;
}

StatusOr<GenerateResult> Engine::Generate(const GenerateRequest& request,
                                          std::function<void(const TokenEvent&)> on_token) {
  std::promise<StatusOr<GenerateResult>> done;
  std::future<StatusOr<GenerateResult>> result = done.get_future();
  Callbacks callbacks;
  callbacks.on_token = std::move(on_token);
  callbacks.on_done = [&done](const StatusOr<GenerateResult>& outcome) { done.set_value(outcome); };
  FAB_RETURN_IF_ERROR(Submit(request, std::move(callbacks)).status());
  return result.get();
}

Status Engine::Cancel(RequestId id) { return internals_->engine->Cancel(id); }

EngineStats Engine::Stats() const {
  const fab::engine::EngineStats inner = internals_->engine->Stats();
  EngineStats stats;
  stats.n_requests_running = inner.n_running;
  stats.n_requests_waiting = inner.n_waiting;
  stats.n_requests_submitted = inner.n_submitted;
  stats.n_requests_finished = inner.n_finished;
  stats.n_prompt_tokens = inner.n_prompt_tokens;
  stats.n_cached_prompt_tokens = inner.n_cached_prompt_tokens;
  stats.n_generated_tokens = inner.n_generated_tokens;
  stats.n_preemptions = inner.n_preemptions;
  stats.n_steps = inner.n_steps;
  stats.n_kv_blocks_used = inner.n_kv_blocks_used;
  stats.n_kv_blocks_total = inner.n_kv_blocks_total;
  stats.kv_block_size = inner.kv_block_size;
  return stats;
}

const Model& Engine::model() const { return *internals_->model; }
int64_t Engine::n_ctx() const { return internals_->n_ctx; }

}  // namespace tokenfab
