#include "cli/frontier_commands.h"

#include <CLI/CLI.hpp>
#include <boost/json.hpp>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "api/engine_setup.h"
#include "cli/bench_batched.h"
#include "cli/frontier.h"
#include "cli/model_loader.h"
#include "control/cost_model.h"
#include "control/slo.h"
#include "kernels/dispatch.h"
#include "platform/mapped_file.h"
#include "platform/thread_pool.h"

namespace fab::cli {

namespace json = boost::json;

int RunBenchFrontier(const BenchFrontierOptions& options) {
  if (options.concurrency.empty()) return ReportError(InvalidArgumentError("give --concurrency"));
  for (double watts : options.power_budgets) {
    if (!(watts > 0 && watts < 1e9)) return ReportError(InvalidArgumentError("--power-budgets are watts above 0"));
  }
  auto loaded = LoadModelForCli(options.model_path, /*show_progress=*/true);
  if (!loaded.ok()) return ReportError(loaded.status());
  const model::Model& model = *loaded->model;
  ThreadPool pool(options.n_threads > 0 ? options.n_threads : DefaultThreadCount());
  std::vector<std::optional<double>> budgets = {std::nullopt};
  for (double watts : options.power_budgets) budgets.push_back(watts);
  std::vector<FrontierPoint> points;
  std::string energy_source;
  std::printf("%-10s %5s %14s %12s %10s %8s %10s\n", "budget", "users", "aggregate t/s", "t/s per user", "TTFT p50",
              "watts", "J/token");
  for (const std::optional<double>& budget : budgets) {
    for (int users : options.concurrency) {
      BatchedRun run;
      run.sequences = users;
      run.n_prompt = options.n_prompt;
      run.n_gen = options.n_gen;
      run.engine.n_threads = pool.n_threads();
      run.power_budget_watts = budget;
      StatusOr<BatchedFigures> figures = RunBatched(model, pool, run);
      if (!figures.ok()) return ReportError(figures.status());
      FrontierPoint point;
      point.budget_watts = budget;
      point.concurrency = users;
      point.aggregate_tps = figures->tg_tps;
      point.user_tps = figures->user_tps_p50;
      point.ttft_p50_s = figures->ttft_p50_s;
      point.watts = figures->watts;
      point.joules_per_token = figures->joules_per_output_token;
      energy_source = figures->energy_source;
      points.push_back(point);
      std::printf("%-10s %5d %14.1f %12.1f %8.0f ms %8.1f %10.4f\n",
                  budget ? (std::to_string(static_cast<int>(*budget)) + " W").c_str() : "none", users,
                  point.aggregate_tps, point.user_tps, 1e3 * point.ttft_p50_s, point.watts, point.joules_per_token);
      std::fflush(stdout);
    }
  }
  MarkParetoFrontier(points);
  std::printf("Pareto frontier (aggregate t/s at t/s per user):");
  for (const FrontierPoint& p : points) {
    if (p.on_frontier) std::printf(" %.1f@%.1f", p.aggregate_tps, p.user_tps);
  }
  std::printf("\n");
  const char* isa = kernels::IsaName(kernels::ActiveKernels().isa);
  const json::object about{{"model", loaded->path}, {"n_prompt", options.n_prompt}, {"n_gen", options.n_gen},
                           {"threads", pool.n_threads()}, {"isa", isa}, {"energy_source", energy_source}};
  if (!options.json_path.empty()) {
    std::ofstream out(options.json_path);
    out << json::serialize(FrontierJson(points, about)) << "\n";
    if (!out) return ReportError(InternalError("cannot write " + options.json_path));
  }
  if (!options.svg_path.empty()) {
    std::ofstream out(options.svg_path);
    out << RenderFrontierSvg(points, "Throughput vs interactivity: " + std::filesystem::path(loaded->path).filename().string() +
                                         " (" + std::to_string(pool.n_threads()) +
                                         " threads, " + isa + ")");
    if (!out) return ReportError(InternalError("cannot write " + options.svg_path));
  }
  return 0;
}

int RunPrice(const PriceOptions& options) {
  if (!(options.utilisation > 0 && options.utilisation <= 1)) {
    return ReportError(InvalidArgumentError("--utilisation must be in (0, 1]"));
  }
  StatusOr<MappedFile> file = MappedFile::Open(options.frontier_path);
  if (!file.ok()) return ReportError(file.status());
  boost::system::error_code error;
  const json::value parsed =
      json::parse(std::string_view(reinterpret_cast<const char*>(file->data()), file->size()), error);
  if (error) return ReportError(InvalidArgumentError(options.frontier_path + " is not JSON"));
  StatusOr<std::vector<FrontierPoint>> points = ParseFrontierJson(parsed);
  if (!points.ok()) return ReportError(points.status().WithContext(options.frontier_path));
  control::CostConfig cost;
  if (!options.cost_config.empty()) {
    StatusOr<control::CostConfig> loaded = control::LoadCostConfig(options.cost_config);
    if (!loaded.ok()) return ReportError(loaded.status());
    cost = *loaded;
  }
  control::SloTargets slo;
  if (!options.slo_config.empty()) {
    StatusOr<control::SloTargets> loaded = control::LoadSloConfig(options.slo_config);
    if (!loaded.ok()) return ReportError(loaded.status());
    slo = *loaded;
  }
  const std::vector<TierPrice> prices = PriceTiers(*points, slo, cost.cost, options.utilisation);
  if (options.json) {
    json::array tiers;
    for (const TierPrice& price : prices) {
      json::object entry{{"tier", price.tier}};
      if (price.point) {
        entry["concurrency"] = price.point->concurrency;
        entry["budget_watts"] = price.point->budget_watts ? json::value(*price.point->budget_watts) : json::value(nullptr);
        entry["aggregate_tps"] = price.point->aggregate_tps;
        entry["user_tps"] = price.point->user_tps;
        entry["ttft_p50_s"] = price.point->ttft_p50_s;
        entry["watts"] = price.point->watts;
        entry["cost_per_hour"] = price.cost_per_hour;
        entry["tokens_per_hour"] = price.tokens_per_hour;
        entry["price_per_mtok"] = price.price_per_mtok;
      } else {
        entry["price_per_mtok"] = nullptr;
        entry["why"] = "no frontier point meets the tier's objectives";
      }
      tiers.push_back(std::move(entry));
    }
    std::printf("%s\n", json::serialize(json::object{{"currency", cost.cost.currency},
                                                     {"utilisation", options.utilisation},
                                                     {"tiers", std::move(tiers)}})
                            .c_str());
    return 0;
  }
  std::printf("%-9s %6s %9s %13s %12s %8s %12s %14s  (%s, utilisation %.0f%%)\n", "tier", "users", "budget",
              "aggregate t/s", "t/s per user", "watts", "cost/hour", "price per Mtok", cost.cost.currency.c_str(),
              100 * options.utilisation);
  for (const TierPrice& price : prices) {
    if (!price.point) {
      std::printf("%-9s no frontier point meets its objectives\n", price.tier.c_str());
      continue;
    }
    const FrontierPoint& p = *price.point;
    std::printf("%-9s %6d %9s %13.1f %12.1f %8.1f %12.5f %14.4f\n", price.tier.c_str(), p.concurrency,
                p.budget_watts ? (std::to_string(static_cast<int>(*p.budget_watts)) + " W").c_str() : "none",
                p.aggregate_tps, p.user_tps, p.watts, price.cost_per_hour, price.price_per_mtok);
  }
  return 0;
}

void AddFrontierCommands(CLI::App& app, CLI::App* bench, BenchFrontierOptions& f, PriceOptions& p, int& code) {
  CLI::App* cmd = bench->add_subcommand("frontier", "Throughput vs interactivity Pareto frontier over concurrency and power budgets");
  cmd->add_option("-m,--model", f.model_path, "GGUF model file (default: the built-in demo model)");
  cmd->add_option("--concurrency", f.concurrency, "Users at once, comma-separated")->delimiter(',')->check(CLI::Range(1, 256));
  cmd->add_option("--power-budgets", f.power_budgets, "Also sweep these power budgets (watts), comma-separated")
      ->delimiter(',');
  cmd->add_option("-p,--n-prompt", f.n_prompt, "Prompt tokens per user")->check(CLI::Range(int64_t{1}, int64_t{65536}));
  cmd->add_option("-n,--n-gen", f.n_gen, "Output tokens per user")->check(CLI::Range(int64_t{2}, int64_t{65536}));
  cmd->add_option("--json", f.json_path, "Write the points and the frontier as JSON (tokenfab price reads it)");
  cmd->add_option("--svg", f.svg_path, "Write the frontier as an SVG plot");
  cmd->add_option("-t,--threads", f.n_threads, "Threads for the kernels (default: every CPU)")->check(CLI::Range(0, 1024));
  cmd->callback([&] { code = RunBenchFrontier(f); });

  CLI::App* price = app.add_subcommand("price", "Prices per million tokens for each tier from a measured frontier");
  price->add_option("--frontier", p.frontier_path, "A `tokenfab bench frontier --json` result")->required();
  price->add_option("--cost-config", p.cost_config, "TOML: energy price, PUE, hardware cost per hour (as serve's)");
  price->add_option("--slo-config", p.slo_config, "TOML: each tier's ttft_s and tpot_s (as serve's)");
  price->add_option("--utilisation", p.utilisation, "The share of each hour the machine serves at the tier's point");
  price->add_flag("--json", p.json, "Print one JSON object");
  price->callback([&] { code = RunPrice(p); });
}

}  // namespace fab::cli
