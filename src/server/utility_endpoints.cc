#include "server/utility_endpoints.h"

#include <cstdio>

#include <string>
#include <utility>
#include <vector>

#include <boost/json.hpp>

#include "server/chat_prompt.h"
#include "server/json_fields.h"
#include "server/tokenize_request.h"
#include "tokenizer/utf8.h"

namespace fab::server {
namespace json = boost::json;
namespace {

HttpResponse JsonResponse(const json::value& body) {
  HttpResponse response;
  response.body = json::serialize(body);
  return response;
}

ApiResult<std::vector<TokenId>> TokenizeBody(const HandlerContext& context, const TokenizeRequest& tokenize) {
  if (!tokenize.prompt) {
    return ChatPromptTokens(context, tokenize.messages, nullptr, tokenize.add_generation_prompt);
  }
  StatusOr<std::vector<TokenId>> ids = context.tokenizer().Encode(
      *tokenize.prompt, EncodeOptions{.add_special = tokenize.add_special_tokens, .parse_special = true});
  if (!ids.ok()) return InvalidFieldError("prompt", "cannot be tokenized: " + ids.status().message());
  return std::move(ids).value();
}

}  // namespace

HttpResponse HandleHealth() { return JsonResponse(json::object{{"status", "ok"}}); }

HttpResponse HandleReady(const std::vector<const HandlerContext*>& models, bool draining) {
  for (const HandlerContext* context : models) {
    if (draining || context->engine.shutting_down()) {
      return ErrorResponse(ErrorFromStatus(UnavailableError("the server is draining and takes no new requests")));
    }
    if (Status stepping = context->engine.CheckStepping(); !stepping.ok()) {
      return ErrorResponse(ErrorFromStatus(models.size() > 1 ? stepping.WithContext(context->model.name) : stepping));
    }
  }
  return JsonResponse(json::object{{"status", "ready"}});
}

HttpResponse HandleModels(const std::vector<const HandlerContext*>& models, const Caller& caller) {
  json::array data;
  for (const HandlerContext* context : models) {
    // A tenant sees only the models it may use.
    if (CheckModelAllowed(caller, context->model.name)) continue;
    data.push_back(json::object{{"id", context->model.name},
                                {"object", "model"},
                                {"created", context->model.created},
                                {"owned_by", "tokenfab"},
                                {"max_model_len", context->model.n_context}});
  }
  return JsonResponse(json::object{{"object", "list"}, {"data", std::move(data)}});
}

HttpResponse HandleMetrics(const std::vector<const HandlerContext*>& models) {
  HttpResponse response;
  response.content_type = "text/plain; version=0.0.4";
  if (models.size() == 1) {
    response.body = models.front()->metrics.Render(models.front()->engine.Stats());
    return response;
  }
  std::vector<std::vector<prometheus::MetricFamily>> families;
  for (const HandlerContext* context : models) families.push_back(context->metrics.Collect(context->engine.Stats()));
  response.body = ServerMetrics::RenderAll(families);
  return response;
}

HttpResponse HandlePrefixBlocks(const std::vector<const HandlerContext*>& models) {
  json::array out;
  for (const HandlerContext* context : models) {
    const std::shared_ptr<const engine::Engine::PrefixSummary> summary = context->engine.prefix_summary();
    json::object entry{{"model", context->model.name}, {"hash", "xxh3-128-chain"}};
    json::array blocks;
    if (summary != nullptr) {
      for (const kvcache::BlockHash& block : summary->blocks) blocks.push_back(json::string(kvcache::HexString(block)));
      entry["block_size"] = summary->block_size;
      char seed[17];
      std::snprintf(seed, sizeof seed, "%016llx", static_cast<unsigned long long>(summary->hash_seed));
      entry["hash_seed"] = seed;
      entry["n_cached_blocks"] = summary->n_cached_blocks;
      entry["truncated"] = static_cast<int64_t>(summary->blocks.size()) < summary->n_cached_blocks;
      entry["taken_at_ms"] = summary->taken_at_ms;
    } else {
      entry["n_cached_blocks"] = 0;
      entry["truncated"] = false;
      entry["taken_at_ms"] = 0;
    }
    entry["blocks"] = std::move(blocks);
    out.push_back(std::move(entry));
  }
  HttpResponse response;
  response.body = json::serialize(json::object{{"models", std::move(out)}});
  return response;
}

HttpResponse HandleTokenize(const HandlerContext& context, const Caller& caller, const HttpRequest& request) {
  ApiResult<TokenizeRequest> parsed = ParseTokenizeRequest(request.body);
  if (!parsed.ok()) return ErrorResponse(parsed.error());
  if (auto error = CheckModelName(context, caller, parsed->model)) return ErrorResponse(*error);
  ApiResult<std::vector<TokenId>> ids = TokenizeBody(context, parsed.value());
  if (!ids.ok()) return ErrorResponse(ids.error());
  json::array tokens;
  for (const TokenId id : ids.value()) tokens.push_back(id);
  return JsonResponse(json::object{{"count", static_cast<int64_t>(tokens.size())},
                                   {"max_model_len", context.model.n_context},
                                   {"tokens", std::move(tokens)}});
}

HttpResponse HandleDetokenize(const HandlerContext& context, const Caller& caller, const HttpRequest& request) {
  ApiResult<DetokenizeRequest> parsed = ParseDetokenizeRequest(request.body);
  if (!parsed.ok()) return ErrorResponse(parsed.error());
  if (auto error = CheckModelName(context, caller, parsed->model)) return ErrorResponse(*error);
  const Tokenizer& tokenizer = context.tokenizer();
  const std::vector<TokenId>& ids = parsed->tokens;
  for (size_t index = 0; index < ids.size(); ++index) {
    if (!tokenizer.IsValid(ids[index])) {
      return ErrorResponse(InvalidFieldError(ElementParam("tokens", index),
                                             "token id " + std::to_string(ids[index]) + " is outside the vocabulary of " +
                                                 std::to_string(tokenizer.n_vocab()) + " tokens"));
    }
  }
  const std::string text = tokenizer.Decode(ids, DecodeOptions{.strip_space_prefix = true});
  return JsonResponse(json::object{{"prompt", SanitizeUtf8(text)}});
}

}  // namespace fab::server
