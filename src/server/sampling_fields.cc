#include "server/sampling_fields.h"

#include "base/clock.h"
#include "grid/cloud_event.h"

#include <charconv>
#include <limits>

#include "server/json_fields.h"
#include "server/request_limits.h"

namespace fab::server {
namespace json = boost::json;

namespace {

constexpr int64_t kInt64Min = std::numeric_limits<int64_t>::min();
constexpr int64_t kInt64Max = std::numeric_limits<int64_t>::max();

ApiResult<std::vector<std::string>> ParseStop(const json::value* value) {
  std::vector<std::string> stop;
  if (value == nullptr) return stop;
  const StringRule rule{.max_bytes = kMaxStopStringBytes, .allow_empty = false};
  if (value->is_string()) {
    FAB_ASSIGN_OR_RETURN_API_ERROR(std::string text, ReadString(*value, "stop", rule));
    stop.push_back(std::move(text));
    return stop;
  }
  if (!value->is_array()) return WrongTypeError("stop", "a string or an array of strings", *value);
  const json::array& items = value->as_array();
  if (items.size() > kMaxStopStrings) {
    return InvalidFieldError("stop", "'stop' has " + std::to_string(items.size()) +
                                         " strings; at most " + std::to_string(kMaxStopStrings) +
                                         " are allowed");
  }
  for (size_t i = 0; i < items.size(); ++i) {
    FAB_ASSIGN_OR_RETURN_API_ERROR(std::string text, ReadString(items[i], ElementParam("stop", i), rule));
    stop.push_back(std::move(text));
  }
  return stop;
}

// A decimal token id as OpenAI writes logit_bias keys: "50256".
std::optional<TokenId> ParseTokenIdKey(std::string_view key) {
  if (key.empty() || key.size() > 10) return std::nullopt;
  int64_t id = 0;
  const auto [end, error] = std::from_chars(key.data(), key.data() + key.size(), id);
  if (error != std::errc() || end != key.data() + key.size() || id < 0 || id > kMaxTokenId) {
    return std::nullopt;
  }
  return static_cast<TokenId>(id);
}

ApiResult<std::map<TokenId, float>> ParseLogitBias(const json::value* value) {
  std::map<TokenId, float> bias;
  if (value == nullptr) return bias;
  if (!value->is_object()) return WrongTypeError("logit_bias", "an object", *value);
  const json::object& entries = value->as_object();
  if (entries.size() > kMaxLogitBiasEntries) {
    return InvalidFieldError("logit_bias", "'logit_bias' has more than " +
                                               std::to_string(kMaxLogitBiasEntries) + " entries");
  }
  for (const auto& entry : entries) {
    const std::string_view key(entry.key().data(), entry.key().size());
    const std::optional<TokenId> id = ParseTokenIdKey(key);
    if (!id) {
      return InvalidFieldError("logit_bias", "'logit_bias' keys must be token ids "
                                             "(decimal integers in [0, 2147483647])");
    }
    FAB_ASSIGN_OR_RETURN_API_ERROR(
        std::optional<double> amount,
        ReadOptionalNumber(&entry.value(), "logit_bias", -kMaxLogitBias, kMaxLogitBias));
    if (!amount) return InvalidFieldError("logit_bias", "'logit_bias' values must be numbers");
    bias[*id] = static_cast<float>(*amount);
  }
  return bias;
}

ApiResult<Priority> ParsePriority(const json::value* value) {
  if (value == nullptr) return Priority::kInteractive;
  FAB_ASSIGN_OR_RETURN_API_ERROR(std::string name, ReadString(*value, "priority", {}));
  if (name == "interactive") return Priority::kInteractive;
  if (name == "batch") return Priority::kBatch;
  return InvalidFieldError("priority", "'priority' must be \"interactive\" or \"batch\"");
}

// metadata.deadline, an RFC 3339 time in the future, bounds the request.
// The rest of `metadata` (OpenAI's free-form tags) is not read.
ApiResult<std::optional<int64_t>> ParseMetadataDeadline(const json::value* value) {
  if (value == nullptr || !value->is_object()) return std::optional<int64_t>();
  const json::value* deadline = value->as_object().if_contains("deadline");
  if (deadline == nullptr || deadline->is_null()) return std::optional<int64_t>();
  const std::optional<int64_t> ms =
      deadline->is_string() ? grid::ParseRfc3339(deadline->as_string()) : std::optional<int64_t>();
  if (!ms) return InvalidFieldError("metadata.deadline", "'metadata.deadline' must be an RFC 3339 time");
  if (*ms <= UnixMillis()) return InvalidFieldError("metadata.deadline", "'metadata.deadline' has already passed");
  return ms;
}

ApiResult<std::optional<std::string>> ParseServiceTier(const json::value* value) {
  if (value == nullptr || value->is_null()) return std::optional<std::string>();
  FAB_ASSIGN_OR_RETURN_API_ERROR(std::string name, ReadString(*value, "service_tier", {}));
  for (const char* known : {"auto", "default", "flex", "priority", "scale"}) {
    if (name == known) return std::optional<std::string>(name);
  }
  return InvalidFieldError("service_tier",
                           "'service_tier' must be \"auto\", \"default\", \"flex\", \"priority\" or \"scale\"");
}

// stream, stream_options.include_usage (only allowed with stream: true).
std::optional<ApiError> ParseStreaming(const json::object& request, SamplingFields& fields) {
  FAB_ASSIGN_OR_RETURN_API_ERROR(std::optional<bool> stream,
                                 ReadOptionalBool(FindField(request, "stream"), "stream"));
  fields.stream = stream.value_or(false);
  const json::value* options = FindField(request, "stream_options");
  if (options == nullptr) return std::nullopt;
  if (!options->is_object()) return WrongTypeError("stream_options", "an object", *options);
  if (!fields.stream) {
    return InvalidFieldError("stream_options", "'stream_options' is only allowed with stream: true");
  }
  FAB_ASSIGN_OR_RETURN_API_ERROR(
      std::optional<bool> include_usage,
      ReadOptionalBool(FindField(options->as_object(), "include_usage"),
                       "stream_options.include_usage"));
  fields.include_usage = include_usage.value_or(false);
  return std::nullopt;
}

ApiResult<std::optional<int64_t>> ParseMaxTokens(const json::object& request, Endpoint endpoint) {
  const int64_t min = endpoint == Endpoint::kCompletions ? 0 : 1;
  if (endpoint == Endpoint::kChat) {
    FAB_ASSIGN_OR_RETURN_API_ERROR(
        std::optional<int64_t> max_completion_tokens,
        ReadOptionalInt(FindField(request, "max_completion_tokens"), "max_completion_tokens", min,
                        kMaxNewTokens));
    if (max_completion_tokens) return max_completion_tokens;
  }
  return ReadOptionalInt(FindField(request, "max_tokens"), "max_tokens", min, kMaxNewTokens);
}

// The numeric knobs, each with its own range.
std::optional<ApiError> ParseSamplingKnobs(const json::object& request, SamplingFields& fields) {
  auto number = [&](const char* key, double min, double max, bool min_exclusive,
                    std::optional<double>& out) -> std::optional<ApiError> {
    auto result = ReadOptionalNumber(FindField(request, key), key, min, max, min_exclusive);
    if (!result.ok()) return result.error();
    out = result.value();
    return std::nullopt;
  };
  FAB_RETURN_IF_API_ERROR(number("temperature", 0.0, kMaxTemperature, false, fields.temperature));
  FAB_RETURN_IF_API_ERROR(number("top_p", 0.0, 1.0, true, fields.top_p));
  FAB_RETURN_IF_API_ERROR(number("min_p", 0.0, 1.0, false, fields.min_p));
  FAB_RETURN_IF_API_ERROR(number("presence_penalty", -kMaxPenalty, kMaxPenalty, false, fields.presence_penalty));
  FAB_RETURN_IF_API_ERROR(number("frequency_penalty", -kMaxPenalty, kMaxPenalty, false, fields.frequency_penalty));
  FAB_RETURN_IF_API_ERROR(number("repetition_penalty", kMinRepetitionPenalty, kMaxRepetitionPenalty, false, fields.repetition_penalty));
  FAB_ASSIGN_OR_RETURN_API_ERROR(fields.top_k,
                                 ReadOptionalInt(FindField(request, "top_k"), "top_k", -1, kMaxTopK));
  FAB_ASSIGN_OR_RETURN_API_ERROR(fields.seed,
                                 ReadOptionalInt(FindField(request, "seed"), "seed", kInt64Min, kInt64Max));
  return std::nullopt;
}

}  // namespace

ApiResult<SamplingFields> ParseSamplingFields(const json::object& request, Endpoint endpoint) {
  SamplingFields fields;
  FAB_ASSIGN_OR_RETURN_API_ERROR(fields.max_tokens, ParseMaxTokens(request, endpoint));
  FAB_RETURN_IF_API_ERROR(ParseSamplingKnobs(request, fields));
  FAB_ASSIGN_OR_RETURN_API_ERROR(fields.stop, ParseStop(FindField(request, "stop")));
  FAB_ASSIGN_OR_RETURN_API_ERROR(std::optional<int64_t> n,
                                 ReadOptionalInt(FindField(request, "n"), "n", 1, kMaxChoices));
  fields.n = n.value_or(1);
  FAB_ASSIGN_OR_RETURN_API_ERROR(fields.logit_bias, ParseLogitBias(FindField(request, "logit_bias")));
  FAB_RETURN_IF_API_ERROR(ParseStreaming(request, fields));
  FAB_ASSIGN_OR_RETURN_API_ERROR(
      fields.user, ReadOptionalString(FindField(request, "user"), "user", {.max_bytes = kMaxUserBytes}));
  FAB_ASSIGN_OR_RETURN_API_ERROR(fields.priority, ParsePriority(FindField(request, "priority")));
  FAB_ASSIGN_OR_RETURN_API_ERROR(fields.service_tier, ParseServiceTier(FindField(request, "service_tier")));
  FAB_ASSIGN_OR_RETURN_API_ERROR(fields.deadline_ms, ParseMetadataDeadline(FindField(request, "metadata")));
  FAB_ASSIGN_OR_RETURN_API_ERROR(std::optional<bool> ignore_eos,
                                 ReadOptionalBool(FindField(request, "ignore_eos"), "ignore_eos"));
  fields.ignore_eos = ignore_eos.value_or(false);
  FAB_ASSIGN_OR_RETURN_API_ERROR(fields.grammar, ParseGrammarFields(request));
  return fields;
}

ApiResult<std::string> ParseModelField(const json::object& request) {
  FAB_ASSIGN_OR_RETURN_API_ERROR(
      std::optional<std::string> model,
      ReadOptionalString(FindField(request, "model"), "model",
                         {.max_bytes = kMaxModelNameBytes, .allow_empty = false}));
  return model.value_or(std::string());
}

}  // namespace fab::server
