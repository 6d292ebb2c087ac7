#include "cli/serve_command.h"

#include <algorithm>
#include <optional>
#include <map>
#include <fstream>
#include <cctype>
#include <csignal>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <memory>
#include <mutex>
#include <thread>

#include <unistd.h>

#include "api/engine_setup.h"
#include "base/clock.h"
#include "grid/grid_budget.h"
#include "power/grid_link.h"
#include "power/power_coordinator.h"
#include "arena/arena_service.h"
#include "arena/leaderboard_report.h"
#include "arena/site_handler.h"
#include "board/leaderboard.h"
#include "api/internals.h"
#include "cli/model_loader.h"
#include "cli/models_file.h"
#include "control/authenticator.h"
#include "control/books.h"
#include "control/cost_model.h"
#include "control/governor.h"
#include "control/slo.h"
#include "platform/nvml_power_source.h"
#include "platform/power_source.h"
#include "platform/rapl_power_source.h"
#include "server/prometheus_power_source.h"
#include "engine/engine.h"
#include "platform/thread_pool.h"
#include "server/http_server.h"
#include "server/openai_handler.h"
#include "server/request_log.h"
#include "server/served_model.h"
#include "server/server_metrics.h"

namespace fab::cli {
namespace {

using engine::Clock;

// After the drain deadline the engine cancels what is left; the transport
// waits this much longer so that those streams' final chunks go out.
constexpr std::chrono::seconds kFinalChunkGrace{5};
constexpr int64_t kMaxTimeoutSeconds = 86400;

Status CheckRange(const char* flag, int64_t value, int64_t low, int64_t high) {
  if (value >= low && value <= high) return OkStatus();
  return InvalidArgumentError(std::string(flag) + " " + std::to_string(value) + " is out of range [" +
                              std::to_string(low) + ", " + std::to_string(high) + "]");
}

Status ValidateFlags(const ServeOptions& o) {
  if (o.host.empty()) return InvalidArgumentError("--host is empty");
  FAB_RETURN_IF_ERROR(CheckRange("--port", o.port, 0, 65535));
  FAB_RETURN_IF_ERROR(CheckRange("--threads", o.n_threads, 0, 1024));
  FAB_RETURN_IF_ERROR(CheckRange("--max-num-seqs", o.max_num_seqs, 1, 4096));
  if (o.max_num_batched_tokens != 0) {
    FAB_RETURN_IF_ERROR(CheckRange("--max-num-batched-tokens", o.max_num_batched_tokens, o.max_num_seqs, 1 << 16));
  }
  FAB_RETURN_IF_ERROR(CheckRange("--max-waiting", o.max_waiting, 1, engine::EngineConfig::kMaxWaitingLimit));
  FAB_RETURN_IF_ERROR(CheckRange("--http-threads", o.http_threads, 1, 256));
  FAB_RETURN_IF_ERROR(CheckRange("--write-timeout", o.write_timeout_s, 1, kMaxTimeoutSeconds));
  FAB_RETURN_IF_ERROR(CheckRange("--stall-timeout", o.stall_timeout_s, 1, kMaxTimeoutSeconds));
  for (const std::string& route : o.public_routes) FAB_RETURN_IF_ERROR(server::CheckPublicRoute(route));
  FAB_RETURN_IF_ERROR(CheckRange("--arena-battles-per-hour", o.arena_battles_per_hour, 1, 1000000));
  FAB_RETURN_IF_ERROR(CheckRange("--arena-votes-per-hour", o.arena_votes_per_hour, 1, 1000000));
  FAB_RETURN_IF_ERROR(CheckRange("--arena-max-tokens", o.arena_max_tokens, 1, 65536));
  FAB_RETURN_IF_ERROR(CheckRange("--arena-bootstrap", o.arena_bootstrap, 0, board::kMaxBootstrap));
  if (!(o.power_budget_watts >= 0.0) || o.power_budget_watts > 1e12) {
    return InvalidArgumentError("--power-budget must be a number of watts (0: none)");
  }
  if (!(o.grid_share > 0.0 && o.grid_share <= 1.0)) return InvalidArgumentError("--grid-share must be in (0, 1]");
  for (const std::string& url : o.grid_urls) FAB_RETURN_IF_ERROR(power::ParseGridUrl(url).status().WithContext("--grid"));
  if (o.grid_identifier.find('/') != std::string::npos) return InvalidArgumentError("--grid-identifier must not hold '/'");
  if (o.auth && o.arena && o.arena_key_file.empty()) {
    return InvalidArgumentError("--arena with --auth needs --arena-key-file: the key of the tenant its answers are "
                                "charged to");
  }
  return CheckRange("--drain-timeout", o.drain_timeout_s, 0, kMaxTimeoutSeconds);
}

// "models/tinyllama-q4_0.gguf" → "tinyllama-q4_0".
std::string DefaultServedName(const std::string& model_path) {
  std::filesystem::path name = std::filesystem::path(model_path).filename();
  if (name.extension() == ".gguf") name.replace_extension();
  return name.string();
}

// The engine options `tokenfab serve` runs with: its flags, a KV pool of
// min(n_ctx x max-num-seqs, kDefaultServeKvTokens) tokens when --kv-cache is
// not given, and the model's context (Engine::Create caps it at the pool).
tokenfab::EngineOptions ServeEngineOptions(const model::Model& model, const ServeOptions& o) {
  tokenfab::EngineOptions options;
  options.n_threads = o.n_threads;
  options.kv_cache = o.kv_cache;
  options.kv_dtype = o.kv_dtype;
  options.max_sequences = o.max_num_seqs;
  options.max_waiting = o.max_waiting;
  options.max_step_tokens = o.max_num_batched_tokens;
  options.stall_timeout_s = static_cast<int32_t>(o.stall_timeout_s);
  options.n_ctx = model.hparams().n_ctx_train;
  if (options.kv_cache.empty()) {
    const int64_t n_ctx = std::min(options.n_ctx, kDefaultServeKvTokens);
    options.kv_cache = std::to_string(std::min(n_ctx * o.max_num_seqs, kDefaultServeKvTokens));
  }
  return options;
}

// The model as the handler serves it; the chat template is the one
// tokenfab::Model::Load parsed (its own, or nullopt for the fallback).
server::ServedModel MakeServedModel(const LoadedModel& loaded, const std::string& name, int64_t n_ctx) {
  const tokenfab::Model& model = *loaded.handle;
  server::ServedModel served;
  served.name = name.empty() ? DefaultServedName(loaded.path) : name;
  served.tokenizer = loaded.tokenizer;
  if (model.info().has_chat_template) served.chat_template = *model.internals().chat_template;
  served.n_context = n_ctx;
  served.created = static_cast<int64_t>(std::time(nullptr));
  return served;
}

std::string BaseUrl(const std::string& host, uint16_t port) {
  const bool ipv6 = host.find(':') != std::string::npos;
  return "http://" + (ipv6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

void PrintListening(const std::string& url, bool auth) {
  std::printf("tokenfab serve: listening on %s\n", url.c_str());
  std::printf("  try: curl %s/v1/completions -H 'Content-Type: application/json'%s "
              "-d '{\"prompt\":\"Once upon a time\",\"max_tokens\":32}'\n",
              url.c_str(), auth ? " -H \"Authorization: Bearer $TOKENFAB_API_KEY\"" : "");
  std::fflush(stdout);
}

// Stops new work, lets in-flight requests run until the deadline, then
// cancels the rest: the engines end them (their streams get a final chunk)
// while the transport keeps their connections a little longer to send it.
void Drain(server::OpenAiHandler& handler, server::HttpServer& http, const std::vector<engine::Engine*>& engines,
           std::chrono::seconds drain_timeout) {
  handler.SetDraining();
  const Clock::time_point deadline = Clock::now() + drain_timeout;
  std::vector<std::thread> drains;
  for (engine::Engine* engine : engines) drains.emplace_back([engine, deadline] { engine->Shutdown(deadline); });
  http.Shutdown(deadline + kFinalChunkGrace);
  for (std::thread& drain : drains) drain.join();
}

// "24GiB", "800MB", "1048576" (bytes): decimal kB/MB/GB/TB and binary
// KiB/MiB/GiB/TiB, case-insensitive.
StatusOr<int64_t> ParseBytes(const std::string& text) {
  size_t end = 0;
  while (end < text.size() && (std::isdigit(static_cast<unsigned char>(text[end])) || text[end] == '.')) ++end;
  std::string unit = text.substr(end);
  for (char& c : unit) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  static const std::map<std::string, double> kUnits = {
      {"", 1.0},    {"b", 1.0},     {"kb", 1e3},          {"mb", 1e6},          {"gb", 1e9},
      {"tb", 1e12}, {"kib", 1024.0}, {"mib", 1048576.0}, {"gib", 1073741824.0}, {"tib", 1099511627776.0}};
  const auto found = kUnits.find(unit);
  double number = 0.0;
  try {
    number = end > 0 ? std::stod(text.substr(0, end)) : -1.0;
  } catch (const std::exception&) {
    number = -1.0;
  }
  if (found == kUnits.end() || number <= 0.0 || number * found->second > 9e18) {
    return InvalidArgumentError("--memory-budget must be a size such as 24GiB or 800MB, not '" + text + "'");
  }
  return static_cast<int64_t>(number * found->second);
}

// MemAvailable from /proc/meminfo, or nullopt where it cannot be read.
std::optional<int64_t> AvailableMemory() {
  std::ifstream meminfo("/proc/meminfo");
  std::string key;
  int64_t kib = 0;
  std::string unit;
  while (meminfo >> key >> kib >> unit) {
    if (key == "MemAvailable:") return kib * 1024;
  }
  return std::nullopt;
}

std::string GiB(int64_t bytes) {
  char text[32];
  std::snprintf(text, sizeof(text), "%.2f GiB", static_cast<double>(bytes) / 1073741824.0);
  return text;
}

// One model `tokenfab serve` serves: its file, engine and metrics.
struct ServingModel {
  LoadedModel loaded;
  std::unique_ptr<tokenfab::Engine> api_engine;
  std::unique_ptr<server::ServerMetrics> metrics;
  server::ServedModel served;
  engine::Engine& engine() const { return *api_engine->internals().engine; }
};

// The books and the authenticator and governor over them, when --auth or
// --db asks for them; the prices and energy settings of --cost-config; the
// access rules and metering the handler applies.
struct Governance {
  control::CostConfig cost;
  control::SloTargets slo;
  std::unique_ptr<control::Books> books;
  std::unique_ptr<control::Authenticator> authenticator;
  std::unique_ptr<control::Governor> governor;

  server::Metering Metering() const { return server::Metering{books.get(), governor.get(), cost.cost, slo}; }

  server::AccessControl Access(const ServeOptions& o) const {
    server::AccessOptions access;
    access.authenticator = authenticator.get();
    if (!o.public_routes.empty()) access.public_routes = o.public_routes;
    return server::AccessControl(std::move(access));
  }
};

// HOST:PORT, stable across restarts so that a restarted server drops the
// reservations it left. With --port 0 the port is not known yet and may be
// another's next time: the id is then unique to this process (HOST:0:PID),
// and what a killed run left lapses with its lease instead.
std::string DefaultNodeId(const ServeOptions& o) {
  char host[256] = {};
  if (gethostname(host, sizeof host - 1) != 0) std::snprintf(host, sizeof host, "localhost");
  std::string id = std::string(host) + ":" + std::to_string(o.port);
  if (o.port == 0) id += ":" + std::to_string(getpid());
  return id;
}

StatusOr<Governance> OpenGovernance(const ServeOptions& o) {
  Governance governance;
  if (!o.cost_config.empty()) {
    FAB_ASSIGN_OR_RETURN(governance.cost, control::LoadCostConfig(o.cost_config));
  }
  if (!o.slo_config.empty()) {
    StatusOr<control::SloTargets> slo = control::LoadSloConfig(o.slo_config);
    if (!slo.ok()) return slo.status().WithContext("--slo-config");
    governance.slo = *slo;
  }
  if (!o.auth && !o.arena && o.db_url.empty()) return governance;
  StatusOr<std::unique_ptr<control::Books>> books =
      control::Books::Open(o.db_url.empty() ? control::DefaultDatabaseUrl() : o.db_url,
                           o.secret_file.empty() ? control::DefaultSecretPath() : o.secret_file);
  if (!books.ok()) return books.status();
  governance.books = std::move(books).value();
  if (o.auth) {
    governance.authenticator =
        std::make_unique<control::Authenticator>(governance.books->tenants(), governance.books->secret());
  }
  FAB_ASSIGN_OR_RETURN(governance.governor,
                       control::Governor::Open(*governance.books, governance.cost.cost,
                                               o.node_id.empty() ? DefaultNodeId(o) : o.node_id));
  return governance;
}

// The meter --cost-config's [energy] source names; null for "model" (the
// engine then builds the model over its own threads).
StatusOr<std::shared_ptr<PowerSource>> OpenPowerSource(const control::EnergySettings& energy) {
  const auto shared = [](auto opened) -> StatusOr<std::shared_ptr<PowerSource>> {
    if (!opened.ok()) return opened.status().WithContext("--cost-config [energy]");
    return std::shared_ptr<PowerSource>(std::move(opened).value());
  };
  if (energy.source == "rapl") return shared(RaplPowerSource::Open(energy.rapl_root));
  if (energy.source == "nvml") return shared(NvmlPowerSource::Open(energy.nvml_library));
  if (energy.source == "prometheus") {
    server::PrometheusSourceOptions options;
    options.url = energy.prometheus_url;
    options.metric = energy.prometheus_metric;
    options.label_filter = energy.prometheus_labels;
    options.kind = energy.prometheus_kind == "gauge" ? server::PrometheusSourceOptions::Kind::kGaugeWatts
                                                     : server::PrometheusSourceOptions::Kind::kCounterJoules;
    return shared(server::PrometheusPowerSource::Start(options));
  }
  return std::shared_ptr<PowerSource>();  // "model": the engine builds it over its own threads
}

// The arena over the served models, its options from the flags; the
// handler then answers its pages in front of the OpenAI routes.
StatusOr<std::unique_ptr<arena::ArenaService>> StartArena(const ServeOptions& o, server::OpenAiHandler& api,
                                                          const Governance& governance) {
  if (api.ModelNames().size() < 2) {
    return InvalidArgumentError("--arena needs two or more models (-m a.gguf -m b.gguf, or --models)");
  }
  arena::ArenaOptions options;
  options.keep_prompts = o.arena_keep_prompts;
  options.battles_per_hour = o.arena_battles_per_hour;
  options.votes_per_hour = o.arena_votes_per_hour;
  options.max_tokens = o.arena_max_tokens;
  options.bootstrap = o.arena_bootstrap;
  FAB_ASSIGN_OR_RETURN(options.eval_scores, arena::ReadEvalScores(o.eval_paths));
  if (!o.arena_key_file.empty()) {
    std::ifstream file(o.arena_key_file);
    std::string key;
    if (!file || !std::getline(file, key)) {
      return InvalidArgumentError("--arena-key-file " + o.arena_key_file + " cannot be read");
    }
    while (!key.empty() && std::isspace(static_cast<unsigned char>(key.back()))) key.pop_back();
    options.authorization = "Bearer " + key;
    if (governance.books != nullptr) {  // refuse a bad key now rather than at the first battle
      control::Authenticator check(governance.books->tenants(), governance.books->secret());
      if (StatusOr<control::Principal> who = check.Authenticate(options.authorization); !who.ok()) {
        return who.status().WithContext("--arena-key-file " + o.arena_key_file);
      }
    }
  }
  return std::make_unique<arena::ArenaService>(api, governance.Access(o), *governance.books, std::move(options));
}

// The budget, the grid links and the coordinator between them and the
// engines, when --power-budget or --grid asks for them.
struct PowerWiring {
  std::unique_ptr<grid::GridBudget> budget;
  std::mutex links_mutex;  // the coordinator publishes while links are still being opened
  std::vector<std::unique_ptr<power::GridLink>> links;  // guarded by links_mutex
  std::unique_ptr<power::PowerCoordinator> coordinator;

  // The links hand messages to the coordinator and it publishes through
  // them: stop its thread (no more publishing), then the links (no more
  // messages), and only then let the coordinator go.
  ~PowerWiring() {
    if (coordinator) coordinator->Stop();
    std::lock_guard<std::mutex> lock(links_mutex);
    links.clear();
    coordinator.reset();
  }
};

StatusOr<std::unique_ptr<PowerWiring>> StartPower(const ServeOptions& o, const std::vector<power::ServedEngineRef>& engines) {
  auto wiring = std::make_unique<PowerWiring>();
  if (o.power_budget_watts <= 0.0 && o.grid_urls.empty()) return wiring;
  grid::GridBudgetOptions options;
  if (o.power_budget_watts > 0.0) options.configured_watts = o.power_budget_watts;
  options.feed_tag = o.grid_feed;
  options.share = o.grid_share;
  if (!o.grid_public_key.empty()) {
    StatusOr<grid::JwsVerifier> verifier = grid::JwsVerifier::FromPemFile(o.grid_public_key);
    if (!verifier.ok()) return verifier.status().WithContext("--grid-public-key");
    options.verifier = std::move(verifier).value();
  }
  wiring->budget = std::make_unique<grid::GridBudget>(std::move(options));
  char host[256] = {};
  if (gethostname(host, sizeof host - 1) != 0) std::snprintf(host, sizeof host, "localhost");
  const std::string identifier =
      o.grid_identifier.empty() ? "tokenfab-" + std::string(host) + "-" + std::to_string(o.port) : o.grid_identifier;
  const std::string status_topic =
      o.grid_status_topic.empty() ? "grid/v1/dsx-flex-agent/" + identifier + "/powerstate/status" : o.grid_status_topic;
  const std::string enforcement_topic = o.grid_enforcement_topic.empty()
                                            ? "grid/v1/infra/" + identifier + "/powerbreach/enforcement"
                                            : o.grid_enforcement_topic;
  PowerWiring* raw = wiring.get();
  auto publish = [raw, status_topic, enforcement_topic](const std::string& type, const std::string& event) {
    std::lock_guard<std::mutex> lock(raw->links_mutex);
    if (raw->links.empty()) return;
    const std::string& topic = type == grid::kPowerStateStatusType ? status_topic : enforcement_topic;
    if (Status sent = raw->links.front()->Publish(topic, event); !sent.ok()) {
      std::fprintf(stderr, "tokenfab serve: grid publish failed: %s\n", sent.message().c_str());
    }
  };
  power::PowerCoordinatorOptions coordinator_options;
  coordinator_options.identifier = identifier;
  wiring->coordinator =
      std::make_unique<power::PowerCoordinator>(*wiring->budget, engines, coordinator_options, std::move(publish));
  for (size_t index = 0; index < o.grid_urls.size(); ++index) {
    const std::string& text = o.grid_urls[index];
    const power::GridUrl url = *power::ParseGridUrl(text);
    StatusOr<std::unique_ptr<power::GridLink>> link = power::GridLink::Open(
        url, identifier + "-" + std::to_string(index),
        [raw](std::string_view message) { raw->coordinator->OnGridMessage(message); });
    if (!link.ok()) return link.status().WithContext("--grid " + text);
    std::lock_guard<std::mutex> lock(wiring->links_mutex);
    wiring->links.push_back(std::move(link).value());
  }
  return wiring;
}

}  // namespace

int RunServe(const ServeOptions& options) {
  if (Status valid = ValidateFlags(options); !valid.ok()) return ReportError(valid);
  if (Status log = server::ConfigureRequestLog(options.log_file); !log.ok()) return ReportError(log);
  // A client or a log reader that goes away must not kill the server.
  std::signal(SIGPIPE, SIG_IGN);

  StatusOr<Governance> governance = OpenGovernance(options);
  if (!governance.ok()) return ReportError(governance.status());

  std::vector<ModelEntry> entries;
  if (!options.models_file.empty()) {
    if (!options.model_paths.empty() || !options.served_model_name.empty()) {
      return ReportError(InvalidArgumentError("--models lists the models: give it without -m and --served-model-name"));
    }
    StatusOr<std::vector<ModelEntry>> read = ReadModelsFile(options.models_file);
    if (!read.ok()) return ReportError(read.status());
    entries = std::move(read).value();
  } else {
    for (const std::string& path : options.model_paths) entries.push_back(ModelEntry{.path = path});
    if (entries.empty()) entries.push_back(ModelEntry{});  // the built-in demo model
    if (entries.size() > 1 && !options.served_model_name.empty()) {
      return ReportError(InvalidArgumentError("--served-model-name names one model; with several -m each is served "
                                              "under its file name"));
    }
    entries.front().name = options.served_model_name;
  }
  StatusOr<std::shared_ptr<PowerSource>> power = OpenPowerSource(governance->cost.energy);
  if (!power.ok()) return ReportError(power.status());
  tokenfab::Engine::Setup setup{*power, governance->cost.energy.model};
  // Declared before the models: the engines take turns through it until they stop.
  engine::StepGate step_gate;
  std::vector<ServingModel> models;
  for (const ModelEntry& entry : entries) {
    const std::string& path = entry.path;
    ServeOptions settings = options;  // the command line's, with the entry's own on top
    if (entry.kv_cache) settings.kv_cache = *entry.kv_cache;
    if (entry.kv_dtype) settings.kv_dtype = *entry.kv_dtype;
    if (entry.max_num_seqs) settings.max_num_seqs = *entry.max_num_seqs;
    if (entry.max_waiting) settings.max_waiting = *entry.max_waiting;
    StatusOr<LoadedModel> loaded = LoadModelForCli(path, /*show_progress=*/true);
    if (!loaded.ok()) return ReportError(loaded.status());
    // A chat template that does not parse would 400 every chat: refuse to start.
    if (const Status& broken = loaded->handle->internals().chat_template_error; !broken.ok()) return ReportError(broken);
    StatusOr<std::unique_ptr<tokenfab::Engine>> api_engine =
        tokenfab::Engine::Create(loaded->handle, ServeEngineOptions(*loaded->model, settings), setup);
    if (!api_engine.ok()) return ReportError(api_engine.status().WithContext(path));
    ServingModel model{std::move(loaded).value(), std::move(api_engine).value(), nullptr, {}};
    model.served = MakeServedModel(model.loaded, entry.name, model.api_engine->n_ctx());
    for (const ServingModel& other : models) {
      if (other.served.name == model.served.name) {
        for (ServingModel& started : models) started.engine().Shutdown(Clock::now());
        model.engine().Shutdown(Clock::now());
        return ReportError(InvalidArgumentError("two models are named '" + model.served.name +
                                                "' (the file name without .gguf): rename one"));
      }
    }
    model.metrics = std::make_unique<server::ServerMetrics>(model.served.name);
    if (options.metrics_vllm_aliases) model.metrics->EnableVllmAliases();
    models.push_back(std::move(model));
  }
  // The weights (the file) and the KV pool each may grow to, within one budget.
  if (models.size() > 1 || !options.memory_budget.empty()) {
    std::optional<int64_t> budget = AvailableMemory();
    if (!options.memory_budget.empty()) {
      StatusOr<int64_t> parsed = ParseBytes(options.memory_budget);
      if (!parsed.ok()) {
        for (ServingModel& model : models) model.engine().Shutdown(Clock::now());
        return ReportError(parsed.status());
      }
      budget = *parsed;
    }
    int64_t total = 0;
    std::string figures;
    for (const ServingModel& model : models) {
      std::error_code error;
      const int64_t weights = static_cast<int64_t>(std::filesystem::file_size(model.loaded.path, error));
      const int64_t kv = api::KvPoolBytes(*model.loaded.model, model.api_engine->internals().config);
      total += (error ? 0 : weights) + kv;
      figures += (figures.empty() ? "" : "; ") + model.served.name + ": weights " + GiB(error ? 0 : weights) +
                 " + KV pool " + GiB(kv);
      if (budget && total > *budget) {
        for (ServingModel& started : models) started.engine().Shutdown(Clock::now());
        return ReportError(ResourceExhaustedError(
            "model '" + model.served.name + "' does not fit: the models up to it need " + GiB(total) + " (" + figures +
            "), over the memory budget of " + GiB(*budget) +
            (options.memory_budget.empty() ? " (the memory available now; --memory-budget sets it)" : "") +
            "; give a smaller --kv-cache or fewer models"));
      }
    }
  }
  std::vector<server::ServedEngine> served_engines;
  std::vector<engine::Engine*> engines;
  for (ServingModel& model : models) {
    if (models.size() > 1) model.engine().SetStepGate(&step_gate);
    served_engines.push_back(server::ServedEngine{model.served, &model.engine(), model.metrics.get()});
    engines.push_back(&model.engine());
  }
  std::vector<power::ServedEngineRef> power_engines;
  for (const server::ServedEngine& served : served_engines) power_engines.push_back({served.model.name, served.engine});
  server::OpenAiHandler handler(std::move(served_engines), governance->Access(options), governance->Metering());
  StatusOr<std::unique_ptr<PowerWiring>> started_power = StartPower(options, power_engines);
  if (!started_power.ok()) {
    for (engine::Engine* engine : engines) engine->Shutdown(Clock::now());
    return ReportError(started_power.status());
  }
  std::unique_ptr<PowerWiring> power_wiring = std::move(started_power).value();
  if (power_wiring->coordinator) handler.SetPowerControl(power_wiring->coordinator.get());
  std::unique_ptr<arena::ArenaService> arena;
  std::unique_ptr<arena::SiteHandler> site;
  if (options.arena) {
    StatusOr<std::unique_ptr<arena::ArenaService>> started = StartArena(options, handler, *governance);
    if (!started.ok()) {
      for (engine::Engine* engine : engines) engine->Shutdown(Clock::now());
      return ReportError(started.status());
    }
    arena = std::move(started).value();
    site = std::make_unique<arena::SiteHandler>(handler, *arena);
  }

  server::HttpServerOptions http_options;
  http_options.host = options.host;
  http_options.port = static_cast<uint16_t>(options.port);
  http_options.n_threads = options.http_threads;
  http_options.write_timeout = std::chrono::seconds(options.write_timeout_s);
  http_options.on_response = [&handler](const server::HttpRequest& request, int status, double) {
    handler.ObserveHttpStatus(request, status);
  };
  StatusOr<std::unique_ptr<server::HttpServer>> http = server::HttpServer::Start(
      site ? static_cast<server::RequestHandler&>(*site) : static_cast<server::RequestHandler&>(handler), http_options);
  if (!http.ok()) {
    for (engine::Engine* engine : engines) engine->Shutdown(Clock::now());
    return ReportError(http.status().WithContext("--host " + options.host + " --port " +
                                                 std::to_string(options.port)));
  }
  for (const ServingModel& model : models) {
    const engine::EngineConfig& config = model.api_engine->internals().config;
    std::fprintf(stderr, "tokenfab serve: model %s, %d threads, KV pool %lld tokens (%s), %d sequences at once\n",
                 model.served.name.c_str(), model.api_engine->internals().pool->n_threads(),
                 static_cast<long long>(config.scheduler.kv_cache.capacity_tokens),
                 runtime::KvDTypeName(config.executor.kv_dtype), static_cast<int>(config.scheduler.max_sequences));
  }
  if (models.size() > 1) {
    std::fprintf(stderr, "tokenfab serve: %zu models take turns at the cores, one engine step at a time\n",
                 models.size());
  }
  std::fprintf(stderr, "tokenfab serve: energy from %s, cost in %s at %g per kWh (PUE %g) and %g per machine hour\n",
               governance->cost.energy.source.c_str(), governance->cost.cost.currency.c_str(),
               governance->cost.cost.price_per_kwh, governance->cost.cost.pue,
               governance->cost.cost.hardware_cost_per_hour);
  if (governance->books) {
    std::fprintf(stderr, "tokenfab serve: books %s, authentication %s\n", governance->books->url().c_str(),
                 options.auth ? "on (Authorization: Bearer KEY)" : "off");
  }
  PrintListening(BaseUrl(options.host, (*http)->port()), options.auth);
  if (power_wiring->budget) {
    const std::optional<double> watts = power_wiring->budget->BudgetWatts(UnixMillis());
    std::fprintf(stderr, "tokenfab serve: power budget %s, %zu grid link(s)%s\n",
                 watts ? (std::to_string(static_cast<int64_t>(*watts)) + " W").c_str() : "none (until the grid sets one)",
                 power_wiring->links.size(), options.grid_public_key.empty() && !options.grid_urls.empty()
                                             ? ", unsigned events accepted (no --grid-public-key)" : "");
  }
  if (arena) {
    std::fprintf(stderr, "tokenfab serve: arena at %s/arena, leaderboard at %s/leaderboard (votes in the books%s)\n",
                 BaseUrl(options.host, (*http)->port()).c_str(), BaseUrl(options.host, (*http)->port()).c_str(),
                 options.arena_keep_prompts ? ", with their prompts" : ", prompts only as SHA-256");
  }

  const int signal_number = (*http)->WaitForTerminationSignal();
  std::fprintf(stderr, "tokenfab serve: signal %d, draining for up to %lld s\n", signal_number,
               static_cast<long long>(options.drain_timeout_s));
  Drain(handler, **http, engines, std::chrono::seconds(options.drain_timeout_s));
  power_wiring.reset();  // the coordinator and links stop before the engines go
  // Every finished request's row is written before the books close.
  if (governance->governor) governance->governor->ledger().Flush();
  std::fprintf(stderr, "tokenfab serve: stopped\n");
  return 0;
}

}  // namespace fab::cli
