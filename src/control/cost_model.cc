#include "control/cost_model.h"

#include <toml++/toml.h>

#include <cmath>
#include <fstream>
#include <sstream>

namespace fab::control {
namespace {

constexpr double kHoursPerYear = 8766.0;

Status KeyError(std::string_view table, std::string_view key, const std::string& what) {
  return InvalidArgumentError("cost config: [" + std::string(table) + "] " + std::string(key) + " " + what);
}

// A number (integer or float) in [low, high].
Status ReadNumber(const toml::table& table, std::string_view name, std::string_view key, double low, double high,
                  double* out) {
  const toml::node* node = table.get(key);
  if (node == nullptr) return OkStatus();
  std::optional<double> value = node->value<double>();
  if (!value) return KeyError(name, key, "must be a number");
  if (!std::isfinite(*value) || *value < low || *value > high) {
    return KeyError(name, key, "must be between " + std::to_string(low) + " and " + std::to_string(high));
  }
  *out = *value;
  return OkStatus();
}

Status ReadText(const toml::table& table, std::string_view name, std::string_view key, std::string* out) {
  const toml::node* node = table.get(key);
  if (node == nullptr) return OkStatus();
  std::optional<std::string> value = node->value<std::string>();
  if (!value) return KeyError(name, key, "must be a string");
  if (value->size() > 4096) return KeyError(name, key, "is longer than 4096 bytes");
  *out = *value;
  return OkStatus();
}

Status CheckKeys(const toml::table& table, std::string_view name, std::initializer_list<std::string_view> known) {
  for (const auto& [key, node] : table) {
    bool found = false;
    for (std::string_view k : known) found = found || key.str() == k;
    if (!found) return KeyError(name, key.str(), "is not a known key");
  }
  return OkStatus();
}

Status ReadCost(const toml::table& t, CostModel& cost) {
  FAB_RETURN_IF_ERROR(CheckKeys(t, "cost", {"currency", "price_per_kwh", "pue", "hardware_cost_per_hour",
                                            "hardware_price", "hardware_life_years"}));
  FAB_RETURN_IF_ERROR(ReadText(t, "cost", "currency", &cost.currency));
  FAB_RETURN_IF_ERROR(ReadNumber(t, "cost", "price_per_kwh", 0, 1e6, &cost.price_per_kwh));
  FAB_RETURN_IF_ERROR(ReadNumber(t, "cost", "pue", 1, 10, &cost.pue));
  FAB_RETURN_IF_ERROR(ReadNumber(t, "cost", "hardware_cost_per_hour", 0, 1e9, &cost.hardware_cost_per_hour));
  double price = 0, years = 4;
  FAB_RETURN_IF_ERROR(ReadNumber(t, "cost", "hardware_price", 0, 1e12, &price));
  FAB_RETURN_IF_ERROR(ReadNumber(t, "cost", "hardware_life_years", 0.01, 100, &years));
  if (t.contains("hardware_price")) {
    if (t.contains("hardware_cost_per_hour")) {
      return KeyError("cost", "hardware_price", "and hardware_cost_per_hour are alternatives: give one");
    }
    cost.hardware_cost_per_hour = price / (years * kHoursPerYear);
  }
  return OkStatus();
}

Status ReadEnergy(const toml::table& t, EnergySettings& energy) {
  FAB_RETURN_IF_ERROR(CheckKeys(t, "energy", {"source", "idle_watts", "busy_watts_per_core", "rapl_root", "nvml_library",
                                              "prometheus_url", "prometheus_metric", "prometheus_labels",
                                              "prometheus_kind"}));
  FAB_RETURN_IF_ERROR(ReadText(t, "energy", "source", &energy.source));
  if (energy.source != "model" && energy.source != "rapl" && energy.source != "nvml" && energy.source != "prometheus") {
    return KeyError("energy", "source", "must be model, rapl, nvml or prometheus");
  }
  FAB_RETURN_IF_ERROR(ReadNumber(t, "energy", "idle_watts", 0, 1e6, &energy.model.idle_watts));
  FAB_RETURN_IF_ERROR(ReadNumber(t, "energy", "busy_watts_per_core", 0, 1e4, &energy.model.busy_watts_per_core));
  FAB_RETURN_IF_ERROR(ReadText(t, "energy", "rapl_root", &energy.rapl_root));
  FAB_RETURN_IF_ERROR(ReadText(t, "energy", "nvml_library", &energy.nvml_library));
  FAB_RETURN_IF_ERROR(ReadText(t, "energy", "prometheus_url", &energy.prometheus_url));
  FAB_RETURN_IF_ERROR(ReadText(t, "energy", "prometheus_metric", &energy.prometheus_metric));
  FAB_RETURN_IF_ERROR(ReadText(t, "energy", "prometheus_labels", &energy.prometheus_labels));
  FAB_RETURN_IF_ERROR(ReadText(t, "energy", "prometheus_kind", &energy.prometheus_kind));
  if (energy.prometheus_kind != "counter" && energy.prometheus_kind != "gauge") {
    return KeyError("energy", "prometheus_kind", "must be counter (joules) or gauge (watts)");
  }
  if (energy.source == "prometheus" && (energy.prometheus_url.empty() || energy.prometheus_metric.empty())) {
    return KeyError("energy", "source", "prometheus needs prometheus_url and prometheus_metric");
  }
  return OkStatus();
}

}  // namespace

double CostModel::Cost(double joules, double machine_seconds) const {
  return joules / kJoulesPerKwh * pue * price_per_kwh + machine_seconds * hardware_cost_per_hour / 3600.0;
}

StatusOr<CostConfig> ParseCostConfig(std::string_view toml_text) {
  if (toml_text.size() > kMaxCostConfigBytes) {
    return InvalidArgumentError("cost config: larger than " + std::to_string(kMaxCostConfigBytes) + " bytes");
  }
  // Debian's toml++ is built with exceptions: parse errors are thrown.
  toml::table root;
  try {
    root = toml::parse(toml_text);
  } catch (const toml::parse_error& error) {
    return InvalidArgumentError("cost config: line " + std::to_string(error.source().begin.line) + ": " +
                                std::string(error.description()));
  }
  CostConfig config;
  for (const auto& [key, node] : root) {
    if (key.str() != "cost" && key.str() != "energy") {
      return InvalidArgumentError("cost config: '" + std::string(key.str()).substr(0, 64) +
                                  "' is not a known table ([cost], [energy])");
    }
    if (!node.is_table()) return InvalidArgumentError("cost config: '" + std::string(key.str()) + "' must be a table");
  }
  if (const toml::table* cost = root["cost"].as_table()) FAB_RETURN_IF_ERROR(ReadCost(*cost, config.cost));
  if (const toml::table* energy = root["energy"].as_table()) FAB_RETURN_IF_ERROR(ReadEnergy(*energy, config.energy));
  return config;
}

StatusOr<CostConfig> LoadCostConfig(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return NotFoundError("cannot open the cost config " + path);
  std::string text(kMaxCostConfigBytes + 1, '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  text.resize(static_cast<size_t>(in.gcount()));
  StatusOr<CostConfig> config = ParseCostConfig(text);
  if (!config.ok()) return config.status().WithContext(path);
  return config;
}

}  // namespace fab::control
