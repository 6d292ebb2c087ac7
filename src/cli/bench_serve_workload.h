// What `tokenfab bench serve` sends: prompts (random token ids, or lines of a
// dataset file) with their max_tokens, and when (a Poisson arrival schedule).
// Random prompts are fresh: ids are drawn from a generator seeded by (seed,
// run index, request index), so no two requests of a sweep — nor of two
// invocations with different seeds — share a prefix beyond chance.
// Pure, thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "base/status.h"

namespace fab::cli {

struct BenchPrompt {
  std::vector<int32_t> token_ids;  // random prompts: the ids sent as "prompt"
  std::string text;                // dataset prompts: the text sent
  int64_t n_prompt_tokens = 0;     // known for random prompts; 0 for text (the server's usage tells)
  int64_t max_tokens = 0;
};

struct RandomPromptSpec {
  int64_t input_len = 150;
  int64_t output_len = 64;
  double range_ratio = 0.0;  // lengths uniform in [len·(1−r), len·(1+r)], at least 1
  int32_t token_min = 100;   // ids uniform in [token_min, token_max)
  int32_t token_max = 30000;
};

// n_prompts random prompts for run `run_index` of a sweep.
std::vector<BenchPrompt> MakeRandomPrompts(const RandomPromptSpec& spec, uint64_t seed, int64_t run_index,
                                           int64_t n_prompts);

// Prompts from a file: one prompt a line, or JSON lines with a "prompt"
// string (a line starting with '{' is read as JSON). Blank lines are skipped.
// Errors: unreadable, over 256 MiB, a bad JSON line (with its number), no prompts.
StatusOr<std::vector<std::string>> ReadDatasetPrompts(const std::string& path);

// n_prompts prompts taken round-robin from `texts` (non-empty), each with a
// max_tokens drawn as for random prompts.
std::vector<BenchPrompt> MakeDatasetPrompts(const std::vector<std::string>& texts, const RandomPromptSpec& spec,
                                            uint64_t seed, int64_t run_index, int64_t n_prompts);

// Arrival offsets in seconds from the start of a run, non-decreasing: the
// first at 0, then exponential gaps of mean 1/rate (a Poisson process of
// `rate` per second), or all zeros for an infinite rate.
std::vector<double> PoissonArrivals(int64_t n_requests, double rate, uint64_t seed, int64_t run_index);

}  // namespace fab::cli
