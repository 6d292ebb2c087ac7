// `tokenfab serve`: the OpenAI-compatible HTTP server over one model
// (server/openai_handler.h on server/http_server.h). Loads the model, starts
// the engine and the listener, prints the URL, serves until SIGTERM/SIGINT,
// then drains: new work is refused (503), in-flight requests run until
// --drain-timeout and are then cancelled (streams end with a final chunk).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace fab::cli {

struct ServeOptions {
  std::vector<std::string> model_paths;  // -m, once per model; empty: the built-in demo model
  std::string models_file;               // --models models.toml instead of -m (cli/models_file.h)
  std::string host = "127.0.0.1";
  int64_t port = 8080;            // 0: any free port (the real one is printed)
  int n_threads = 0;              // kernel threads; 0: every CPU this process may use
  std::string kv_cache;           // KV pool, tokens or bytes; empty: kDefaultServeKvTokens rule
  std::string kv_dtype = "f16";   // f16, q8_0 or f32
  int32_t max_num_seqs = 64;      // sequences running at once
  int32_t max_waiting = 256;      // waiting requests before 503 queue_full
  int64_t max_num_batched_tokens = 0;  // tokens per engine step; 0: max(512, max_num_seqs)
  std::string served_model_name;  // one model only; empty: the model file's name without ".gguf"
  std::string memory_budget;      // bytes ("24GiB"); empty: with several models, the memory available at start
  int http_threads = 2;           // io threads of the HTTP server
  int64_t write_timeout_s = 30;   // a stalled write abandons its stream after this
  int64_t drain_timeout_s = 30;   // SIGTERM: in-flight requests may run this long
  int64_t stall_timeout_s = 60;   // /ready says 503 while one engine step runs longer
  std::string log_file;           // JSON request log; empty: stderr
  bool auth = false;              // every non-public route needs a key (--auth)
  std::string db_url;             // the books; empty: control::DefaultDatabaseUrl()
  std::string secret_file;        // empty: control::DefaultSecretPath()
  std::vector<std::string> public_routes;  // --public-route; empty: /health and /ready
  std::string cost_config;        // TOML: prices and the energy source (control/cost_model.h)
  std::string node_id;            // names this server's quota reservations; empty: HOST:PORT
  bool metrics_vllm_aliases = false;  // also render the gateway picker's series under vLLM's names
  std::string slo_config;         // TOML: the tiers' TTFT/TPOT objectives (control/slo.h); empty: the defaults
  // --arena: the arena and leaderboard pages and their API (arena/site_handler.h).
  bool arena = false;
  bool arena_keep_prompts = false;       // store prompts' text with their votes
  int64_t arena_battles_per_hour = 60;   // per visitor
  int64_t arena_votes_per_hour = 30;     // per visitor
  int64_t arena_max_tokens = 256;        // per answer
  int64_t arena_bootstrap = 1000;        // the leaderboard's resamples
  std::string arena_key_file;            // the API key the arena's answers are charged to (needed under --auth)
  std::vector<std::string> eval_paths;   // --eval: `tokenfab eval --json` results shown on the leaderboard
  // Power (power/power_coordinator.h): the operator's budget and the grid.
  double power_budget_watts = 0.0;       // --power-budget; 0: none
  std::vector<std::string> grid_urls;    // --grid mqtt://HOST:PORT/TOPIC or nats://HOST:PORT/SUBJECT
  std::string grid_status_topic;         // empty: grid/v1/dsx-flex-agent/<identifier>/powerstate/status
  std::string grid_enforcement_topic;    // empty: grid/v1/infra/<identifier>/powerbreach/enforcement
  std::string grid_feed;                 // this server's feed tag; empty: every feed's targets
  double grid_share = 1.0;               // of the feed's target, (0, 1]
  std::string grid_public_key;           // PEM: event data must be JWS signed by it
  std::string grid_identifier;           // in published sources and topics; empty: tokenfab-<host>-<port>
};

// Without --kv-cache the pool holds max_num_seqs full contexts, capped at
// this many tokens (KV pages cost memory only once written).
inline constexpr int64_t kDefaultServeKvTokens = 65536;

// Serves until a termination signal; returns 0 after a clean drain, 1 with
// "tokenfab: <error>" on stderr when a flag is out of range or the model,
// engine, log file or listener cannot be set up.
int RunServe(const ServeOptions& options);

}  // namespace fab::cli
