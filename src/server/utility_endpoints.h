// The routes around generation: GET /health (the process answers),
// GET /ready (the engine takes work), GET /v1/models, GET /metrics
// (Prometheus text), and vLLM's POST /tokenize and POST /detokenize.
// Each answers at once on the transport thread. Thread-safe.
#pragma once

#include <vector>

#include "server/handler_context.h"
#include "server/http_exchange.h"

namespace fab::server {

// 200 {"status":"ok"}.
HttpResponse HandleHealth();
// 200 {"status":"ready"}, or 503 while draining, once the engine shuts down,
// or while an engine step has run past its stall limit (Engine::CheckStepping), for any model.
HttpResponse HandleReady(const std::vector<const HandlerContext*>& models, bool draining);
// {"object":"list","data":[{"id","object":"model","created","owned_by":"tokenfab","max_model_len"}]}.
HttpResponse HandleModels(const std::vector<const HandlerContext*>& models, const Caller& caller);
// 200 text/plain; version=0.0.4: every model's metrics rendered over its engine's stats now.
HttpResponse HandleMetrics(const std::vector<const HandlerContext*>& models);
// {"models": [{"model", "block_size", "hash": "xxh3-128-chain", "hash_seed" (hex),
//  "n_cached_blocks", "truncated", "taken_at_ms", "blocks": [32 hex digits, …]}]}:
// each engine's Engine::PrefixSummary, for a router scoring prefix affinity
// (the chain of kvcache/block_hash.h over the prompt's token ids, root = the
// salt's hash; most useful blocks first, at most 4096).
HttpResponse HandlePrefixBlocks(const std::vector<const HandlerContext*>& models);
// {"count","max_model_len","tokens"}. A prompt is tokenized with
// add_special_tokens as asked and control-token texts parsed; messages give
// exactly the ids /v1/chat/completions would feed the engine.
HttpResponse HandleTokenize(const HandlerContext& context, const Caller& caller, const HttpRequest& request);
// {"prompt": text}: the ids' text as valid UTF-8 (the SPM leading space of
// the first word dropped); 400 param "tokens" for an id outside the vocabulary.
HttpResponse HandleDetokenize(const HandlerContext& context, const Caller& caller, const HttpRequest& request);

}  // namespace fab::server
