// The options of every `tokenfab` subcommand as plain structs, and the
// functions that run them. commands.cc parses argv into these (it and
// commands_admin.cc are the only files that know CLI11); each subcommand lives in its own file.
// Every function returns a process exit code: 0 ok, 1 failure (message on stderr).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "runtime/sampler.h"

namespace fab::cli {

struct RunOptions {
  std::string model_path;  // empty: the built-in demo model
  std::string prompt;
  int64_t n_predict = 128;
  int64_t n_ctx = 2048;
  int n_threads = 0;       // 0: every CPU
  bool seed_given = false;
  SamplingParams sampling;
  bool show_progress = true;
};
int RunGenerate(const RunOptions& options);

struct LogitsOptions {
  std::string model_path;
  std::string prompts_path;  // one prompt a line; "\n" escapes a newline
  int64_t n_steps = 16;
  std::string out_dir;
  int n_threads = 0;
};
int RunLogits(const LogitsOptions& options);

struct TokenizeOptions {
  std::string model_path;
  std::string strings_path;  // one string a line; "\n" and "\t" escapes
  bool add_special = false;    // BOS/EOS as the vocabulary's add_bos/add_eos say
  bool parse_special = false;  // control-token texts ("<|eot_id|>") become their ids
};
int RunTokenize(const TokenizeOptions& options);

struct InspectOptions {
  std::string model_path;
  bool json = false;
};
int RunModelInspect(const InspectOptions& options);

struct SynthCommandOptions {
  std::string shape;
  std::string quant = "q8_0";
  std::string vocab_from;
  std::string out_path;
  uint64_t seed = 1;
  int n_threads = 0;
};
int RunModelSynth(const SynthCommandOptions& options);
// The shapes `model synth --shape` accepts, comma-separated.
std::string SynthShapeNames();

struct BenchEngineOptions {
  std::string model_path;  // empty: the built-in demo model
  int64_t n_prompt = 512;
  int64_t n_gen = 128;
  int n_threads = 0;
  int repetitions = 3;
  bool json = false;
  std::vector<int> concurrency;  // empty: no batched runs; else one batched run per entry
  int64_t shared_prefix = 0;     // prompt tokens shared by every sequence of a batched run
  std::string kv_cache;          // KV pool of batched runs, tokens or bytes; empty: holds every sequence
  std::string kv_dtype = "f16";  // f16, q8_0 or f32
};
int RunBenchEngine(const BenchEngineOptions& options);

struct BenchSoakOptions {
  std::string model_path;  // empty: the built-in demo model
  double duration_s = 600.0;
  double rate = 1.0;             // mean arrivals per second (Poisson)
  double cancel_fraction = 0.2;  // of arrivals, cancelled at a random time
  std::string kv_cache;          // KV pool, tokens or bytes; empty: 16384 tokens
  std::string kv_dtype = "f16";
  int64_t max_prompt = 512;      // prompt lengths are uniform in [1, max_prompt]
  int64_t max_gen = 256;         // max_tokens uniform in [1, max_gen]
  int32_t max_sequences = 16;
  int32_t max_waiting = 64;
  uint64_t seed = 1;
  int n_threads = 0;
  bool json = false;
};
int RunBenchSoak(const BenchSoakOptions& options);

struct ModelVocabOptions {
  std::string tokenizer_json_path;  // a Hugging Face tokenizer.json
  std::string config_path;          // its tokenizer_config.json; empty: none
  std::string chat_template_path;   // a Jinja file replacing the config's template; empty: none
  std::string out_path;
};
int RunModelVocab(const ModelVocabOptions& options);

struct BenchTokenizeOptions {
  std::string model_path;
  std::string text_path;  // empty: generated mixed Korean/English text
  double mib = 1.0;       // size of the generated text
  int repeat = 5;
  bool json = false;
};
int RunBenchTokenize(const BenchTokenizeOptions& options);

}  // namespace fab::cli
