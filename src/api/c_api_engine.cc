// The C API (tokenfab.h), part two: engines and blocking generation.
#include <cstdlib>
#include <cstring>
#include <memory>
#include <new>
#include <utility>

#include "api/c_api_handles.h"
#include "api/c_api_options.h"

namespace {

using fab::InvalidArgumentError;
using fab::OkStatus;
using fab::Status;
using fab::capi::CheckNotNull;
using fab::capi::Guard;
using fab::capi::HandleTable;
using fab::capi::Lookup;
using fab::capi::Release;

static_assert(TF_FINISH_MAX_TOKENS == static_cast<int>(tokenfab::FinishReason::kMaxTokens));
static_assert(TF_FINISH_STOP_TOKEN == static_cast<int>(tokenfab::FinishReason::kStopToken));
static_assert(TF_FINISH_CANCELLED == static_cast<int>(tokenfab::FinishReason::kCancelled));
static_assert(TF_FINISH_KV_CACHE_FULL == static_cast<int>(tokenfab::FinishReason::kKvCacheFull));
static_assert(TF_FINISH_ERROR == static_cast<int>(tokenfab::FinishReason::kError));
static_assert(TF_FINISH_STOP_STRING == static_cast<int>(tokenfab::FinishReason::kStopString));
static_assert(TF_PRIORITY_INTERACTIVE == static_cast<int>(tokenfab::Priority::kInteractive));
static_assert(TF_PRIORITY_BATCH == static_cast<int>(tokenfab::Priority::kBatch));
static_assert(TF_PRIORITY_PREMIUM == static_cast<int>(tokenfab::Priority::kPremium));

// `result` with its arrays malloc'd, for tf_result_free. Throws
// std::bad_alloc (having freed what it took) when out of memory.
tf_result ToCResult(const tokenfab::GenerateResult& result) {
  std::unique_ptr<char, decltype(&std::free)> text(fab::capi::CopyString(result.text), &std::free);
  int32_t* tokens = nullptr;
  if (!result.tokens.empty()) {
    tokens = static_cast<int32_t*>(std::malloc(result.tokens.size() * sizeof(int32_t)));
    if (tokens == nullptr) throw std::bad_alloc();
    std::memcpy(tokens, result.tokens.data(), result.tokens.size() * sizeof(int32_t));
  }
  tf_result out{};
  out.text = text.release();
  out.text_length = result.text.size();
  out.tokens = tokens;
  out.n_tokens = result.tokens.size();
  out.finish_reason = static_cast<int32_t>(result.finish_reason);
  out.n_prompt_tokens = result.n_prompt_tokens;
  out.n_cached_prompt_tokens = result.n_cached_prompt_tokens;
  out.time_to_first_token_s = result.time_to_first_token_s;
  out.total_s = result.total_s;
  return out;
}

}  // namespace

extern "C" {

tf_status tf_engine_options_default(tf_engine_options* options_out) {
  return Guard([&]() -> Status {
    FAB_RETURN_IF_ERROR(CheckNotNull(options_out, "options_out"));
    *options_out = fab::capi::DefaultEngineOptions();
    return OkStatus();
  });
}

tf_status tf_engine_create(tf_model* model, const tf_engine_options* options, tf_engine** engine_out) {
  return Guard([&]() -> Status {
    FAB_ASSIGN_OR_RETURN(std::shared_ptr<tf_model> live, Lookup(model, "model"));
    FAB_RETURN_IF_ERROR(CheckNotNull(engine_out, "engine_out"));
    const tokenfab::EngineOptions engine_options =
        fab::capi::ToEngineOptions(options != nullptr ? *options : fab::capi::DefaultEngineOptions());
    FAB_ASSIGN_OR_RETURN(std::unique_ptr<tokenfab::Engine> engine,
                         tokenfab::Engine::Create(live->model, engine_options));
    auto handle = std::make_shared<tf_engine>();
    handle->engine = std::move(engine);
    *engine_out = HandleTable<tf_engine>::Get().Add(std::move(handle));
    return OkStatus();
  });
}

tf_status tf_engine_free(tf_engine* engine) {
  return Guard([&] { return Release(engine, "engine"); });
}

tf_status tf_engine_n_ctx(const tf_engine* engine, int64_t* n_ctx_out) {
  return Guard([&]() -> Status {
    FAB_ASSIGN_OR_RETURN(std::shared_ptr<tf_engine> live, Lookup(engine, "engine"));
    FAB_RETURN_IF_ERROR(CheckNotNull(n_ctx_out, "n_ctx_out"));
    *n_ctx_out = live->engine->n_ctx();
    return OkStatus();
  });
}

tf_status tf_request_options_default(tf_request_options* options_out) {
  return Guard([&]() -> Status {
    FAB_RETURN_IF_ERROR(CheckNotNull(options_out, "options_out"));
    *options_out = fab::capi::DefaultRequestOptions();
    return OkStatus();
  });
}

tf_status tf_generate(tf_engine* engine, const tf_request_options* options, tf_result* result_out) {
  return Guard([&]() -> Status {
    FAB_ASSIGN_OR_RETURN(std::shared_ptr<tf_engine> live, Lookup(engine, "engine"));
    FAB_RETURN_IF_ERROR(CheckNotNull(options, "options"));
    FAB_RETURN_IF_ERROR(CheckNotNull(result_out, "result_out"));
    FAB_ASSIGN_OR_RETURN(tokenfab::GenerateRequest request,
                         fab::capi::ToGenerateRequest(*options, live->engine->n_ctx()));
    FAB_ASSIGN_OR_RETURN(tokenfab::GenerateResult result, live->engine->Generate(request));
    *result_out = ToCResult(result);
    return OkStatus();
  });
}

void tf_result_free(tf_result* result) {
  if (result == nullptr) return;
  std::free(result->text);
  std::free(result->tokens);
  *result = tf_result{};
}

}  // extern "C"
