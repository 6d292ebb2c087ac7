// `tokenfab bench frontier -m FILE [--concurrency 1,2,4,8,16] [--power-budgets W,…]
//  [-p 128] [-n 64] [-t N] [--json F] [--svg F]`: one batched run per
// (budget, concurrency) through the serving engine, the Pareto frontier of
// aggregate against per-user output tokens/s (cli/frontier.h), a table, and
// the JSON and SVG files.
// `tokenfab price --frontier F [--cost-config FILE] [--slo-config FILE]
//  [--utilisation 0.6] [--json]`: a price per million output tokens for each
// tier from a frontier. Options and entry points.
#pragma once

#include <string>
#include <vector>

namespace CLI {
class App;
}

namespace fab::cli {

struct BenchFrontierOptions {
  std::string model_path;  // empty: the built-in demo model
  std::vector<int> concurrency = {1, 2, 4, 8, 16};
  std::vector<double> power_budgets;  // watts; empty: none only
  int64_t n_prompt = 128;
  int64_t n_gen = 64;
  int n_threads = 0;
  std::string json_path;
  std::string svg_path;
};

struct PriceOptions {
  std::string frontier_path;
  std::string cost_config;
  std::string slo_config;
  double utilisation = 0.6;
  bool json = false;
};

int RunBenchFrontier(const BenchFrontierOptions& options);
int RunPrice(const PriceOptions& options);

void AddFrontierCommands(CLI::App& app, CLI::App* bench, BenchFrontierOptions& frontier, PriceOptions& price, int& code);

}  // namespace fab::cli
