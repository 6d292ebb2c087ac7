// The C API (tokenfab.h), part one: status, version and models with their
// tokenizer. Engines and requests are in c_api_engine.cc and
// c_api_request.cc; handles and error reporting in c_api_handles.h.
#include <cstdlib>
#include <cstring>
#include <memory>
#include <new>
#include <string>
#include <string_view>
#include <vector>

#include "api/c_api_handles.h"

namespace {

using fab::InvalidArgumentError;
using fab::OkStatus;
using fab::Status;
using fab::capi::CheckNotNull;
using fab::capi::Guard;
using fab::capi::HandleTable;
using fab::capi::Lookup;
using fab::capi::Release;

static_assert(TF_OK == static_cast<int>(tokenfab::StatusCode::kOk));
static_assert(TF_INVALID_ARGUMENT == static_cast<int>(tokenfab::StatusCode::kInvalidArgument));
static_assert(TF_NOT_FOUND == static_cast<int>(tokenfab::StatusCode::kNotFound));
static_assert(TF_OUT_OF_RANGE == static_cast<int>(tokenfab::StatusCode::kOutOfRange));
static_assert(TF_RESOURCE_EXHAUSTED == static_cast<int>(tokenfab::StatusCode::kResourceExhausted));
static_assert(TF_FAILED_PRECONDITION == static_cast<int>(tokenfab::StatusCode::kFailedPrecondition));
static_assert(TF_DATA_LOSS == static_cast<int>(tokenfab::StatusCode::kDataLoss));
static_assert(TF_UNIMPLEMENTED == static_cast<int>(tokenfab::StatusCode::kUnimplemented));
static_assert(TF_UNAVAILABLE == static_cast<int>(tokenfab::StatusCode::kUnavailable));
static_assert(TF_INTERNAL == static_cast<int>(tokenfab::StatusCode::kInternal));
static_assert(TF_UNAUTHENTICATED == static_cast<int>(tokenfab::StatusCode::kUnauthenticated));
static_assert(TF_PERMISSION_DENIED == static_cast<int>(tokenfab::StatusCode::kPermissionDenied));
static_assert(TF_DEADLINE_EXCEEDED == static_cast<int>(tokenfab::StatusCode::kDeadlineExceeded));

// Text longer than this is refused unread by tf_tokenize.
constexpr size_t kMaxTokenizeBytes = size_t{1} << 30;
// More ids than this are refused unread by tf_detokenize.
constexpr size_t kMaxDetokenizeTokens = size_t{1} << 28;

#define TF_STRINGIFY_INNER(x) #x
#define TF_STRINGIFY(x) TF_STRINGIFY_INNER(x)
constexpr const char* kVersion =
    TF_STRINGIFY(TF_VERSION_MAJOR) "." TF_STRINGIFY(TF_VERSION_MINOR) "." TF_STRINGIFY(TF_VERSION_PATCH);

// This thread's tf_last_error text.
thread_local std::string last_error;

}  // namespace

namespace fab::capi {

tf_status Report(const Status& status) noexcept {
  try {
    last_error = status.message();
  } catch (...) {
    last_error.clear();  // out of memory for the message: the code still tells
  }
  return static_cast<tf_status>(status.code());
}

tf_status ReportInternal(const char* what) noexcept {
  try {
    last_error = std::string("internal error: ") + what;
  } catch (...) {
    last_error.clear();
  }
  return TF_INTERNAL;
}

char* CopyString(const std::string& text) {
  char* copy = static_cast<char*>(std::malloc(text.size() + 1));
  if (copy == nullptr) throw std::bad_alloc();
  std::memcpy(copy, text.data(), text.size());
  copy[text.size()] = '\0';
  return copy;
}

}  // namespace fab::capi

extern "C" {

const char* tf_status_name(tf_status status) {
  const int code = static_cast<int>(status);
  if (code < TF_OK || code > TF_DEADLINE_EXCEEDED) return "UNKNOWN";
  return tokenfab::StatusCodeName(static_cast<tokenfab::StatusCode>(code));
}

const char* tf_last_error(void) { return last_error.c_str(); }

const char* tf_version(void) { return kVersion; }

tf_status tf_model_load(const char* path, tf_model** model_out) {
  return Guard([&]() -> Status {
    FAB_RETURN_IF_ERROR(CheckNotNull(path, "path"));
    FAB_RETURN_IF_ERROR(CheckNotNull(model_out, "model_out"));
    auto handle = std::make_shared<tf_model>();
    FAB_ASSIGN_OR_RETURN(handle->model, tokenfab::Model::Load(path));
    *model_out = HandleTable<tf_model>::Get().Add(std::move(handle));
    return OkStatus();
  });
}

tf_status tf_model_free(tf_model* model) {
  return Guard([&] { return Release(model, "model"); });
}

tf_status tf_model_get_info(const tf_model* model, tf_model_info* info_out) {
  return Guard([&]() -> Status {
    FAB_ASSIGN_OR_RETURN(std::shared_ptr<tf_model> live, Lookup(model, "model"));
    FAB_RETURN_IF_ERROR(CheckNotNull(info_out, "info_out"));
    const tokenfab::ModelInfo& info = live->model->info();
    *info_out = tf_model_info{info.path.c_str(), info.name.c_str(),       info.architecture.c_str(),
                              info.n_vocab,      info.n_ctx_train,        info.has_chat_template ? 1 : 0};
    return OkStatus();
  });
}

tf_status tf_tokenize(const tf_model* model, const char* text, size_t length, int32_t add_special,
                      int32_t parse_special, int32_t** tokens_out, size_t* n_tokens_out) {
  return Guard([&]() -> Status {
    FAB_ASSIGN_OR_RETURN(std::shared_ptr<tf_model> live, Lookup(model, "model"));
    if (text == nullptr && length > 0) return InvalidArgumentError("text is NULL but length is " + std::to_string(length));
    if (length > kMaxTokenizeBytes) {
      return InvalidArgumentError("length " + std::to_string(length) + " is above the 1 GiB tf_tokenize takes");
    }
    FAB_RETURN_IF_ERROR(CheckNotNull(tokens_out, "tokens_out"));
    FAB_RETURN_IF_ERROR(CheckNotNull(n_tokens_out, "n_tokens_out"));
    const std::string_view view = length == 0 ? std::string_view() : std::string_view(text, length);
    FAB_ASSIGN_OR_RETURN(std::vector<tokenfab::TokenId> tokens,
                         live->model->Tokenize(view, add_special != 0, parse_special != 0));
    int32_t* array = nullptr;
    if (!tokens.empty()) {
      array = static_cast<int32_t*>(std::malloc(tokens.size() * sizeof(int32_t)));
      if (array == nullptr) throw std::bad_alloc();
      std::memcpy(array, tokens.data(), tokens.size() * sizeof(int32_t));
    }
    *tokens_out = array;
    *n_tokens_out = tokens.size();
    return OkStatus();
  });
}

tf_status tf_detokenize(const tf_model* model, const int32_t* tokens, size_t n_tokens, char** text_out,
                        size_t* length_out) {
  return Guard([&]() -> Status {
    FAB_ASSIGN_OR_RETURN(std::shared_ptr<tf_model> live, Lookup(model, "model"));
    if (tokens == nullptr && n_tokens > 0) {
      return InvalidArgumentError("tokens is NULL but n_tokens is " + std::to_string(n_tokens));
    }
    if (n_tokens > kMaxDetokenizeTokens) {
      return InvalidArgumentError("n_tokens " + std::to_string(n_tokens) + " is above the 2^28 tf_detokenize takes");
    }
    FAB_RETURN_IF_ERROR(CheckNotNull(text_out, "text_out"));
    const std::vector<tokenfab::TokenId> ids(tokens, tokens + n_tokens);
    FAB_ASSIGN_OR_RETURN(std::string text, live->model->Detokenize(ids));
    *text_out = fab::capi::CopyString(text);
    if (length_out != nullptr) *length_out = text.size();
    return OkStatus();
  });
}

void tf_string_free(char* text) { std::free(text); }

void tf_tokens_free(int32_t* tokens) { std::free(tokens); }

}  // extern "C"
