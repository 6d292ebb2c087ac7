#include "cli/commands.h"

#include <CLI/CLI.hpp>

#include <cstdio>
#include <cstdlib>
#include <string>

#include "cli/bench_serve_options.h"
#include "cli/chat_template_command.h"
#include "cli/command_options.h"
#include "cli/grammar_commands.h"
#include "cli/arena_command.h"
#include "cli/eval_command.h"
#include "cli/frontier_commands.h"
#include "cli/leaderboard_command.h"
#include "cli/perplexity_command.h"
#include "cli/commands_admin.h"
#include "cli/serve_command.h"

namespace fab::cli {
namespace {

void AddThreads(CLI::App* cmd, int* n_threads) {
  cmd->add_option("-t,--threads", *n_threads, "Threads for the kernels (default: every CPU)")
      ->check(CLI::Range(0, 1024));
}

void AddRun(CLI::App& app, RunOptions& o, int& code) {
  CLI::App* cmd = app.add_subcommand("run", "Generate text from a prompt, streaming it to stdout");
  cmd->add_option("-m,--model", o.model_path, "GGUF model file (default: the built-in demo model, random weights)");
  cmd->add_option("-p,--prompt", o.prompt, "Prompt text")->required();
  cmd->add_option("-n,--n-predict", o.n_predict, "Tokens to generate")->check(CLI::Range(int64_t{0}, int64_t{1} << 20));
  cmd->add_option("-c,--ctx-size", o.n_ctx, "Context size in tokens")->check(CLI::Range(int64_t{1}, int64_t{1} << 22));
  cmd->add_option("--temp", o.sampling.temperature, "Temperature (0: greedy)");
  cmd->add_option("--top-k", o.sampling.top_k, "Top-k (0: off)");
  cmd->add_option("--top-p", o.sampling.top_p, "Top-p (1: off)");
  cmd->add_option("--min-p", o.sampling.min_p, "Min-p (0: off)");
  cmd->add_option("--repeat-penalty", o.sampling.repetition_penalty, "Repetition penalty (1: off)");
  cmd->add_option("--frequency-penalty", o.sampling.frequency_penalty, "Frequency penalty");
  cmd->add_option("--presence-penalty", o.sampling.presence_penalty, "Presence penalty");
  cmd->add_option("--repeat-last-n", o.sampling.penalty_last_n, "Tokens the penalties look back on");
  cmd->add_option("--seed", o.sampling.seed, "Random seed (default: from the clock)");
  cmd->add_flag("!--no-progress", o.show_progress, "Hide the loading progress bar");
  AddThreads(cmd, &o.n_threads);
  cmd->callback([cmd, &o, &code] {
    o.seed_given = cmd->count("--seed") > 0;
    code = RunGenerate(o);
  });
}

// Numbers are range-checked by RunServe (exit 1 with the flag named).
void AddServe(CLI::App& app, ServeOptions& o, int& code) {
  CLI::App* cmd = app.add_subcommand("serve", "Serve the OpenAI API (completions, chat, SSE) and Prometheus metrics");
  cmd->add_option("-m,--model", o.model_paths,
                  "GGUF model file; repeat to serve several, each under its file name (default: the built-in demo "
                  "model, random weights)");
  cmd->add_option("--models", o.models_file, "A TOML file of [[model]] entries (name, path, per-model settings)");
  cmd->add_option("--host", o.host, "Address to listen on");
  cmd->add_option("--port", o.port, "TCP port (0: any free port)");
  AddThreads(cmd, &o.n_threads);
  cmd->add_option("--kv-cache", o.kv_cache, "KV pool: tokens (65536, 64k) or bytes (512MiB, 2GiB); "
                                            "default: --max-num-seqs full contexts, at most 64k tokens");
  cmd->add_option("--kv-dtype", o.kv_dtype, "KV cache type: f16, q8_0 or f32");
  cmd->add_option("--max-num-seqs", o.max_num_seqs, "Sequences running at once");
  cmd->add_option("--max-num-batched-tokens", o.max_num_batched_tokens,
                  "Tokens one engine step computes (decode rows plus prefill chunks; default max(512, max-num-seqs))");
  cmd->add_option("--max-waiting", o.max_waiting, "Waiting requests before new ones get 503");
  cmd->add_option("--served-model-name", o.served_model_name, "Model name in the API (default: the file name)");
  cmd->add_option("--memory-budget", o.memory_budget,
                  "Memory the models' weights and KV pools may take (e.g. 24GiB; default with several -m: the memory "
                  "available at start)");
  cmd->add_option("--http-threads", o.http_threads, "HTTP io threads");
  cmd->add_option("--write-timeout", o.write_timeout_s, "Seconds a stalled client write may take");
  cmd->add_option("--drain-timeout", o.drain_timeout_s, "Seconds in-flight requests may run after SIGTERM");
  cmd->add_option("--stall-timeout", o.stall_timeout_s, "Seconds one engine step may run before /ready says 503");
  cmd->add_option("--log-file", o.log_file, "Append the JSON request log here (default: stderr)");
  cmd->add_flag("--auth", o.auth, "Require 'Authorization: Bearer KEY' on every route but the public ones");
  cmd->add_option("--public-route", o.public_routes,
                  "A path open without a key under --auth (repeatable; default /health and /ready)");
  AddBooksFlags(cmd, o.db_url, o.secret_file);
  cmd->add_option("--cost-config", o.cost_config,
                  "TOML file: electricity price, PUE, hardware cost per hour, energy source (see docs/operations.md)");
  cmd->add_flag("--metrics-vllm-aliases", o.metrics_vllm_aliases,
                "Also serve vllm:num_requests_waiting, vllm:num_requests_running, vllm:kv_cache_usage_perc, "
                "vllm:lora_requests_info and vllm:cache_config_info, for an unmodified inference gateway picker");
  cmd->add_option("--slo-config", o.slo_config,
                  "TOML file: each tier's ttft_s and tpot_s objectives (default premium 1 s / 0.1 s, standard 3 s / "
                  "0.25 s, batch none), behind the tokenfab:slo_* goodput metrics");
  cmd->add_option("--node-id", o.node_id, "This server's name among those sharing --db (default HOST:PORT)");
  cmd->add_flag("--arena", o.arena,
                "Serve the arena (/arena) and the leaderboard (/leaderboard, /api/leaderboard); needs two or more models "
                "and keeps its votes in the books");
  cmd->add_flag("--arena-keep-prompts", o.arena_keep_prompts,
                "Store each vote's prompt text (default: only its SHA-256)");
  cmd->add_option("--arena-battles-per-hour", o.arena_battles_per_hour, "Battles one visitor may start in an hour");
  cmd->add_option("--arena-votes-per-hour", o.arena_votes_per_hour, "Votes one visitor may cast in an hour");
  cmd->add_option("--arena-max-tokens", o.arena_max_tokens, "Tokens each arena answer may have");
  cmd->add_option("--arena-bootstrap", o.arena_bootstrap, "Bootstrap resamples behind the leaderboard's intervals");
  cmd->add_option("--arena-key-file", o.arena_key_file,
                  "A file holding the API key whose tenant the arena's answers are charged to (needed with --auth)");
  cmd->add_option("--eval", o.eval_paths, "A `tokenfab eval --json` result the leaderboard shows (repeatable)");
  cmd->add_option("--power-budget", o.power_budget_watts,
                  "Watts the engines keep their metered draw under (batch deferred first, then standard slowed, then "
                  "rests); also set by PUT /admin/v1/power and by grid events");
  cmd->add_option("--grid", o.grid_urls,
                  "Consume DSX Flex grid events from mqtt://HOST:PORT/TOPIC or nats://HOST:PORT/SUBJECT (repeatable)");
  cmd->add_option("--grid-status-topic", o.grid_status_topic,
                  "Where grid.powerstate.status.v1 is published (default grid/v1/dsx-flex-agent/ID/powerstate/status)");
  cmd->add_option("--grid-enforcement-topic", o.grid_enforcement_topic,
                  "Where grid.powerbreach.enforcement.v1 is published (default grid/v1/infra/ID/powerbreach/enforcement)");
  cmd->add_option("--grid-feed", o.grid_feed, "The feed this server draws from (targets for other feeds are ignored)");
  cmd->add_option("--grid-share", o.grid_share, "The fraction of the feed's target this server may draw (0, 1]");
  cmd->add_option("--grid-public-key", o.grid_public_key,
                  "PEM public key (P-256 or RSA): event data must be a JWS it verifies (without it: plain data, lab use)");
  cmd->add_option("--grid-identifier", o.grid_identifier,
                  "This server's name in the events it publishes (default tokenfab-HOST-PORT)");
  cmd->callback([&] { code = RunServe(o); });
}

void AddLogits(CLI::App& app, LogitsOptions& o, int& code) {
  CLI::App* cmd = app.add_subcommand("logits", "Write greedy steps and full logits for a prompt file (golden tests)");
  cmd->add_option("-m,--model", o.model_path, "GGUF model file")->required();
  cmd->add_option("--prompts", o.prompts_path, "Prompts, one a line, \\n escapes a newline")->required();
  cmd->add_option("--steps", o.n_steps, "Greedy steps per prompt")->check(CLI::Range(int64_t{1}, int64_t{4096}));
  cmd->add_option("--out", o.out_dir, "Output directory")->required();
  AddThreads(cmd, &o.n_threads);
  cmd->callback([&] { code = RunLogits(o); });
}

void AddTokenize(CLI::App& app, TokenizeOptions& o, int& code) {
  CLI::App* cmd = app.add_subcommand("tokenize", "Print the token ids of strings as JSON (no BOS)");
  cmd->add_option("-m,--model", o.model_path, "GGUF model or vocabulary file")->required();
  cmd->add_option("--strings", o.strings_path, "Strings, one a line; \\n and \\t escapes")->required();
  cmd->add_flag("--add-special", o.add_special, "Add BOS/EOS as the vocabulary asks (add_bos_token, add_eos_token)");
  cmd->add_flag("--parse-special", o.parse_special, "Turn control-token texts such as <|eot_id|> into their ids");
  cmd->callback([&] { code = RunTokenize(o); });
}

void AddModelVocab(CLI::App* model, ModelVocabOptions& o, int& code) {
  CLI::App* cmd = model->add_subcommand("vocab", "Write a vocabulary-only GGUF from a Hugging Face tokenizer");
  cmd->add_option("--from-hf", o.tokenizer_json_path, "tokenizer.json")->required();
  cmd->add_option("--config", o.config_path, "tokenizer_config.json (special tokens, add_bos, chat template)");
  cmd->add_option("--chat-template", o.chat_template_path, "Jinja file that replaces the config's chat template");
  cmd->add_option("-o,--output", o.out_path, "Output file")->required();
  cmd->callback([&] { code = RunModelVocab(o); });
}

void AddModel(CLI::App& app, InspectOptions& inspect, SynthCommandOptions& synth, ModelVocabOptions& vocab,
              int& code) {
  CLI::App* model = app.add_subcommand("model", "Inspect or synthesize GGUF model files");
  model->require_subcommand(1);
  CLI::App* ins = model->add_subcommand("inspect", "Print metadata and the tensor table of a GGUF file");
  ins->add_option("file", inspect.model_path, "GGUF file")->required();
  ins->add_flag("--json", inspect.json, "Print JSON");
  ins->callback([&] { code = RunModelInspect(inspect); });
  CLI::App* syn = model->add_subcommand("synth", "Write a random-weight model with a real model's shapes");
  syn->add_option("--shape", synth.shape, "Shape name: " + SynthShapeNames())->required();
  syn->add_option("--quant", synth.quant, "Weight type: f32 f16 bf16 q8_0 q4_0 q4_1 q5_0 q4_k q5_k q6_k, or the mixes q4_k_m q5_k_m");
  syn->add_option("--vocab-from", synth.vocab_from, "Copy the tokenizer of this GGUF file");
  syn->add_option("-o,--output", synth.out_path, "Output file")->required();
  syn->add_option("--seed", synth.seed, "Random seed");
  AddThreads(syn, &synth.n_threads);
  syn->callback([&] { code = RunModelSynth(synth); });
  AddModelVocab(model, vocab, code);
}

void AddBenchTokenize(CLI::App* bench, BenchTokenizeOptions& o, int& code) {
  CLI::App* cmd = bench->add_subcommand("tokenize", "Single-thread tokenization speed on a text");
  cmd->add_option("-m,--model", o.model_path, "GGUF model or vocabulary file")->required();
  cmd->add_option("--file", o.text_path, "Text file (default: generated mixed Korean/English text)");
  cmd->add_option("--mib", o.mib, "MiB of generated text")->check(CLI::Range(0.0, 1024.0));
  cmd->add_option("--repeat", o.repeat, "Timed runs (best and median are reported)")->check(CLI::Range(1, 1000));
  cmd->add_flag("--json", o.json, "Print one JSON object");
  cmd->callback([&] { code = RunBenchTokenize(o); });
}

void AddBenchSoak(CLI::App* bench, BenchSoakOptions& o, int& code) {
  CLI::App* cmd = bench->add_subcommand("soak", "Memory soak: random arrivals and cancellations through the engine");
  cmd->add_option("-m,--model", o.model_path, "GGUF model file (default: the built-in demo model)");
  cmd->add_option("--duration", o.duration_s, "Seconds of arrivals")->check(CLI::Range(0.1, 86400.0));
  cmd->add_option("--rate", o.rate, "Mean arrivals per second (Poisson)")->check(CLI::Range(0.001, 10000.0));
  cmd->add_option("--cancel-fraction", o.cancel_fraction, "Fraction of requests cancelled at a random time")
      ->check(CLI::Range(0.0, 1.0));
  cmd->add_option("--kv-cache", o.kv_cache, "KV pool: tokens (65536, 64k) or bytes (512MiB, 2GiB); default 16384 tokens");
  cmd->add_option("--kv-dtype", o.kv_dtype, "KV cache type: f16, q8_0 or f32");
  cmd->add_option("--max-prompt", o.max_prompt, "Longest random prompt")->check(CLI::Range(int64_t{1}, int64_t{1} << 20));
  cmd->add_option("--max-gen", o.max_gen, "Largest random max_tokens")->check(CLI::Range(int64_t{1}, int64_t{1} << 20));
  cmd->add_option("--max-sequences", o.max_sequences, "Sequences running at once")->check(CLI::Range(1, 4096));
  cmd->add_option("--max-waiting", o.max_waiting, "Waiting requests before arrivals are refused")->check(CLI::Range(1, 1 << 20));
  cmd->add_option("--seed", o.seed, "Random seed of arrivals, prompts and cancellations");
  cmd->add_flag("--json", o.json, "Print one JSON object");
  AddThreads(cmd, &o.n_threads);
  cmd->callback([&] { code = RunBenchSoak(o); });
}

void AddBenchServe(CLI::App* bench, BenchServeOptions& o, int& code) {
  CLI::App* cmd = bench->add_subcommand("serve", "Load-test an OpenAI-compatible server: TTFT, TPOT, ITL, throughput, goodput");
  cmd->add_option("--base-url", o.base_url, "Server URL (http only)");
  cmd->add_option("--model", o.model, "Model name to send (default: the first of GET /v1/models)");
  cmd->add_option("--endpoint", o.endpoint, "/v1/completions or /v1/chat/completions (chat needs --dataset)");
  cmd->add_option("--num-prompts", o.num_prompts, "Requests per run");
  cmd->add_option("--request-rate", o.request_rates, "Poisson arrivals per second, 'inf' for all at once; a list sweeps")
      ->delimiter(',');
  cmd->add_option("--max-concurrency", o.max_concurrency, "Requests in flight at most (default: unlimited); a list sweeps")
      ->delimiter(',');
  cmd->add_option("--random-input-len", o.random_input_len, "Prompt tokens of random prompts");
  cmd->add_option("--random-output-len", o.random_output_len, "max_tokens of each request");
  cmd->add_option("--random-range-ratio", o.random_range_ratio, "Lengths uniform in [len*(1-r), len*(1+r)]");
  cmd->add_option("--random-token-range", o.random_token_range,
                  "Random prompt ids are uniform in [MIN, MAX) (default 100,30000: within Llama-2 and larger vocabularies)")
      ->delimiter(',')
      ->expected(2);
  cmd->add_option("--dataset", o.dataset_path, "Prompts: one a line, or JSON lines with a \"prompt\" string");
  cmd->add_option("--seed", o.seed, "Seed of prompts, lengths and arrivals (default: from the clock)");
  cmd->add_option("--ttft-slo-ms", o.ttft_slo_ms, "TTFT objective of goodput (ms)");
  cmd->add_option("--tpot-slo-ms", o.tpot_slo_ms, "TPOT objective of goodput (ms)");
  cmd->add_option("--timeout", o.timeout_s, "Seconds to wait for the next bytes of a response");
  cmd->add_option("--json", o.json_path, "Write every run as a JSON array to FILE");
  cmd->add_option("--api-key", o.api_key, "Send 'Authorization: Bearer KEY' (default: $OPENAI_API_KEY)");
  cmd->add_option("--svg", o.svg_path, "Write a plot of throughput against TTFT and TPOT to FILE");
  cmd->add_flag("!--no-progress", o.show_progress, "Hide the progress bar");
  cmd->add_option("--extra-body", o.extra_body,
                  "A JSON object merged into every request body, e.g. '{\"guided_json\": {...}}' (as vLLM's)");
  cmd->add_flag("--ignore-eos,!--no-ignore-eos", o.ignore_eos,
                "Send ignore_eos for exact output lengths (the default); --no-ignore-eos lets requests stop at EOS");
  cmd->callback([cmd, &o, &code] {
    o.seed_given = cmd->count("--seed") > 0;
    if (o.api_key.empty()) {
      if (const char* key = std::getenv("OPENAI_API_KEY"); key != nullptr) o.api_key = key;
    }
    code = RunBenchServe(o);
  });
}

void AddBench(CLI::App& app, BenchEngineOptions& o, BenchTokenizeOptions& tokenize, BenchSoakOptions& soak,
              int& code) {
  CLI::App* bench = app.add_subcommand("bench", "Benchmarks");
  bench->require_subcommand(1);
  CLI::App* engine = bench->add_subcommand("engine", "Prompt processing and generation speed, like llama-bench");
  engine->add_option("-m,--model", o.model_path, "GGUF model file (default: the built-in demo model)");
  engine->add_option("-p,--n-prompt", o.n_prompt, "Prompt tokens (one batch)")->check(CLI::Range(int64_t{0}, int64_t{65536}));
  engine->add_option("-n,--n-gen", o.n_gen, "Generated tokens")->check(CLI::Range(int64_t{0}, int64_t{65536}));
  engine->add_option("-r,--repetitions", o.repetitions, "Repetitions")->check(CLI::Range(1, 1000));
  engine->add_flag("--json", o.json, "Print one JSON object");
  engine->add_option("--concurrency", o.concurrency, "Also run batched: N sequences at once, per comma-separated N")
      ->delimiter(',')
      ->check(CLI::Range(1, 256));
  engine->add_option("--shared-prefix", o.shared_prefix, "Prompt tokens shared by every batched sequence")
      ->check(CLI::Range(int64_t{0}, int64_t{65536}));
  engine->add_option("--kv-cache", o.kv_cache, "KV pool of batched runs: tokens (65536, 64k) or bytes (512MiB, 2GiB)");
  engine->add_option("--kv-dtype", o.kv_dtype, "KV cache type of batched runs: f16, q8_0 or f32");
  AddThreads(engine, &o.n_threads);
  engine->callback([&] { code = RunBenchEngine(o); });
  AddBenchTokenize(bench, tokenize, code);
  AddBenchSoak(bench, soak, code);
}

void AddChatTemplate(CLI::App& app, ChatTemplateOptions& o, int& code) {
  CLI::App* cmd = app.add_subcommand("chat-template", "Render a model's chat template over a conversation");
  cmd->add_option("-m,--model", o.model_path, "GGUF model or vocabulary file")->required();
  cmd->add_option("--messages", o.messages_path, "JSON: messages array, or object with messages/tools/kwargs")->required();
  cmd->add_option("--tools", o.tools_path, "JSON array of tool definitions");
  cmd->add_option("--template", o.template_path, "Jinja file used instead of the GGUF's tokenizer.chat_template");
  cmd->add_flag("!--no-generation-prompt", o.add_generation_prompt, "Do not open an assistant turn at the end");
  cmd->callback([&] { code = RunChatTemplate(o); });
}

}  // namespace

int Main(int argc, char** argv) {
  CLI::App app{"tokenfab: an AI factory that turns power and data into tokens"};
  app.require_subcommand(1);
  int code = 0;
  RunOptions run;
  LogitsOptions logits;
  TokenizeOptions tokenize;
  InspectOptions inspect;
  SynthCommandOptions synth;
  BenchEngineOptions bench;
  ModelVocabOptions vocab;
  BenchTokenizeOptions bench_tokenize;
  BenchSoakOptions bench_soak;
  AddRun(app, run, code);
  ServeOptions serve;
  AddServe(app, serve, code);
  AddLogits(app, logits, code);
  AddTokenize(app, tokenize, code);
  AddModel(app, inspect, synth, vocab, code);
  AddBench(app, bench, bench_tokenize, bench_soak, code);
  BenchServeOptions bench_serve;
  AddBenchServe(app.get_subcommand("bench"), bench_serve, code);
  ChatTemplateOptions chat_template;
  AddChatTemplate(app, chat_template, code);
  GrammarCheckOptions grammar_check;
  BenchGrammarOptions bench_grammar;
  AddGrammarCommands(app, app.get_subcommand("bench"), grammar_check, bench_grammar, code);
  BenchFrontierOptions bench_frontier;
  PriceOptions price;
  AddFrontierCommands(app, app.get_subcommand("bench"), bench_frontier, price, code);
  ArenaExportOptions arena_export;
  ArenaImportOptions arena_import;
  AddArena(app, arena_export, arena_import, code);
  LeaderboardOptions leaderboard;
  PerplexityCommandOptions perplexity;
  EvalOptions eval_options;
  AddEval(app, eval_options, code);
  AddPerplexity(app, perplexity, code);
  AddLeaderboard(app, leaderboard, code);
  AdminOptions admin;
  AddAdminCommands(app, admin, code);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  }
  return code;
}

}  // namespace fab::cli
