#include "cli/bench_serve_workload.h"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <random>
#include <sstream>

#include <boost/json.hpp>

namespace fab::cli {
namespace {

constexpr uint64_t kMaxDatasetBytes = uint64_t{256} << 20;
// Stream salts, so that prompts, lengths and arrivals draw independent numbers.
constexpr uint64_t kPromptStream = 1;
constexpr uint64_t kLengthStream = 2;
constexpr uint64_t kArrivalStream = 3;

// A 64-bit mix (splitmix64 finalizer) of the seed and the coordinates.
uint64_t MixSeed(uint64_t seed, uint64_t stream, uint64_t run_index, uint64_t request_index) {
  uint64_t x = seed;
  for (const uint64_t v : {stream, run_index, request_index}) {
    x += 0x9E3779B97F4A7C15ull + v;
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
    x ^= x >> 31;
  }
  return x;
}

int64_t DrawLength(std::mt19937_64& rng, int64_t length, double range_ratio) {
  const int64_t low = std::max<int64_t>(1, static_cast<int64_t>(std::floor(length * (1.0 - range_ratio))));
  const int64_t high = std::max<int64_t>(low, static_cast<int64_t>(std::ceil(length * (1.0 + range_ratio))));
  return std::uniform_int_distribution<int64_t>(low, high)(rng);
}

}  // namespace

std::vector<BenchPrompt> MakeRandomPrompts(const RandomPromptSpec& spec, uint64_t seed, int64_t run_index,
                                           int64_t n_prompts) {
  std::vector<BenchPrompt> prompts(static_cast<size_t>(n_prompts));
  for (int64_t i = 0; i < n_prompts; ++i) {
    BenchPrompt& prompt = prompts[static_cast<size_t>(i)];
    std::mt19937_64 lengths(MixSeed(seed, kLengthStream, run_index, i));
    prompt.n_prompt_tokens = DrawLength(lengths, spec.input_len, spec.range_ratio);
    prompt.max_tokens = DrawLength(lengths, spec.output_len, spec.range_ratio);
    std::mt19937_64 ids(MixSeed(seed, kPromptStream, run_index, i));
    std::uniform_int_distribution<int32_t> id(spec.token_min, spec.token_max - 1);
    prompt.token_ids.resize(static_cast<size_t>(prompt.n_prompt_tokens));
    for (int32_t& token : prompt.token_ids) token = id(ids);
  }
  return prompts;
}

StatusOr<std::vector<std::string>> ReadDatasetPrompts(const std::string& path) {
  std::ifstream file(path, std::ios::binary | std::ios::ate);
  if (!file) return NotFoundError("cannot read dataset '" + path + "'");
  if (static_cast<uint64_t>(file.tellg()) > kMaxDatasetBytes) {
    return ResourceExhaustedError("dataset '" + path + "' is over 256 MiB");
  }
  file.seekg(0);
  std::vector<std::string> prompts;
  std::string line;
  for (int64_t line_number = 1; std::getline(file, line); ++line_number) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.find_first_not_of(" \t") == std::string::npos) continue;
    if (line.front() != '{') {
      prompts.push_back(line);
      continue;
    }
    boost::system::error_code ec;
    const boost::json::value value = boost::json::parse(line, ec);
    const boost::json::object* object = ec ? nullptr : value.if_object();
    const boost::json::value* prompt = object != nullptr ? object->if_contains("prompt") : nullptr;
    if (prompt == nullptr || !prompt->is_string()) {
      return InvalidArgumentError("dataset '" + path + "' line " + std::to_string(line_number) +
                                  ": not a JSON object with a \"prompt\" string");
    }
    prompts.emplace_back(prompt->as_string());
  }
  if (prompts.empty()) return InvalidArgumentError("dataset '" + path + "' has no prompts");
  return prompts;
}

std::vector<BenchPrompt> MakeDatasetPrompts(const std::vector<std::string>& texts, const RandomPromptSpec& spec,
                                            uint64_t seed, int64_t run_index, int64_t n_prompts) {
  std::vector<BenchPrompt> prompts(static_cast<size_t>(n_prompts));
  for (int64_t i = 0; i < n_prompts; ++i) {
    BenchPrompt& prompt = prompts[static_cast<size_t>(i)];
    std::mt19937_64 lengths(MixSeed(seed, kLengthStream, run_index, i));
    prompt.text = texts[static_cast<size_t>(i) % texts.size()];
    prompt.max_tokens = DrawLength(lengths, spec.output_len, spec.range_ratio);
  }
  return prompts;
}

std::vector<double> PoissonArrivals(int64_t n_requests, double rate, uint64_t seed, int64_t run_index) {
  std::vector<double> arrivals(static_cast<size_t>(n_requests), 0.0);
  if (std::isinf(rate)) return arrivals;
  std::mt19937_64 rng(MixSeed(seed, kArrivalStream, run_index, 0));
  std::exponential_distribution<double> gap(rate);
  for (size_t i = 1; i < arrivals.size(); ++i) arrivals[i] = arrivals[i - 1] + gap(rng);
  return arrivals;
}

}  // namespace fab::cli
