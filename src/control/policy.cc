#include "control/policy.h"

#include <boost/json.hpp>

#include <charconv>
#include <cmath>
#include <cstdlib>
#include <ctime>

namespace fab::control {
namespace {

namespace json = boost::json;

enum class FieldKind { kCount, kAmount, kPeriod, kModels, kTier };

struct FieldSpec {
  std::string_view name;
  FieldKind kind;
};

constexpr FieldSpec kFields[] = {
    {"requests_per_minute", FieldKind::kCount}, {"tokens_per_minute", FieldKind::kCount},
    {"max_concurrent", FieldKind::kCount},      {"budget_tokens", FieldKind::kCount},
    {"budget_kwh", FieldKind::kAmount},         {"budget_money", FieldKind::kAmount},
    {"budget_period", FieldKind::kPeriod},      {"models", FieldKind::kModels},
    {"tier", FieldKind::kTier},
};

const FieldSpec* FindField(std::string_view name) {
  for (const FieldSpec& spec : kFields) {
    if (spec.name == name) return &spec;
  }
  return nullptr;
}

std::optional<int64_t>* CountField(Policy& p, std::string_view name) {
  if (name == "requests_per_minute") return &p.requests_per_minute;
  if (name == "tokens_per_minute") return &p.tokens_per_minute;
  if (name == "max_concurrent") return &p.max_concurrent;
  return &p.budget_tokens;
}

std::optional<double>* AmountField(Policy& p, std::string_view name) {
  return name == "budget_kwh" ? &p.budget_kwh : &p.budget_money;
}

Status FieldError(std::string_view name, const std::string& what) {
  return InvalidArgumentError("policy field '" + std::string(name) + "' " + what);
}

bool IsPrintableName(std::string_view name) {
  for (const char c : name) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f || c == ',') return false;
  }
  return !name.empty() && name.size() <= kMaxModelNameBytes;
}

Status SetModels(Policy& p, std::string_view name, const json::value& value) {
  if (!value.is_array()) return FieldError(name, "must be an array of model names");
  const json::array& array = value.as_array();
  if (array.size() > kMaxPolicyModels) return FieldError(name, "lists more than " + std::to_string(kMaxPolicyModels) + " models");
  std::vector<std::string> models;
  for (const json::value& item : array) {
    if (!item.is_string() || !IsPrintableName(item.as_string())) {
      return FieldError(name, "must hold non-empty model names of at most " + std::to_string(kMaxModelNameBytes) +
                                  " bytes without commas or control characters");
    }
    models.emplace_back(item.as_string());
  }
  p.models = std::move(models);
  return OkStatus();
}

Status SetField(Policy& p, const FieldSpec& spec, const json::value& value) {
  const std::string_view name = spec.name;
  switch (spec.kind) {
    case FieldKind::kCount: {
      const auto* i = value.if_int64();
      const auto* u = value.if_uint64();
      if (i == nullptr && u == nullptr) return FieldError(name, "must be a whole number");
      if ((i != nullptr && (*i < 0 || *i > kMaxPolicyCount)) || (u != nullptr && *u > uint64_t(kMaxPolicyCount))) {
        return FieldError(name, "must be between 0 and " + std::to_string(kMaxPolicyCount));
      }
      *CountField(p, name) = i != nullptr ? *i : static_cast<int64_t>(*u);
      return OkStatus();
    }
    case FieldKind::kAmount: {
      if (!value.is_number()) return FieldError(name, "must be a number");
      const double amount = value.to_number<double>();
      if (!std::isfinite(amount) || amount < 0 || amount > kMaxPolicyAmount) {
        return FieldError(name, "must be between 0 and 1e15");
      }
      *AmountField(p, name) = amount;
      return OkStatus();
    }
    case FieldKind::kPeriod: {
      const auto period = value.is_string() ? ParseBudgetPeriod(value.as_string()) : std::nullopt;
      if (!period) return FieldError(name, "must be \"day\" or \"month\"");
      p.budget_period = period;
      return OkStatus();
    }
    case FieldKind::kTier: {
      const auto tier = value.is_string() ? ParseTier(value.as_string()) : std::nullopt;
      if (!tier) return FieldError(name, "must be \"premium\", \"standard\" or \"batch\"");
      p.tier = tier;
      return OkStatus();
    }
    case FieldKind::kModels: return SetModels(p, name, value);
  }
  return OkStatus();
}

void ClearField(Policy& p, const FieldSpec& spec) {
  switch (spec.kind) {
    case FieldKind::kCount: CountField(p, spec.name)->reset(); break;
    case FieldKind::kAmount: AmountField(p, spec.name)->reset(); break;
    case FieldKind::kPeriod: p.budget_period.reset(); break;
    case FieldKind::kModels: p.models.reset(); break;
    case FieldKind::kTier: p.tier.reset(); break;
  }
}

}  // namespace

std::string_view TierName(Tier tier) {
  switch (tier) {
    case Tier::kPremium: return "premium";
    case Tier::kStandard: return "standard";
    case Tier::kBatch: return "batch";
  }
  return "standard";
}

std::optional<Tier> ParseTier(std::string_view name) {
  if (name == "premium") return Tier::kPremium;
  if (name == "standard") return Tier::kStandard;
  if (name == "batch") return Tier::kBatch;
  return std::nullopt;
}

std::string_view BudgetPeriodName(BudgetPeriod period) { return period == BudgetPeriod::kDay ? "day" : "month"; }

std::optional<BudgetPeriod> ParseBudgetPeriod(std::string_view name) {
  if (name == "day") return BudgetPeriod::kDay;
  if (name == "month") return BudgetPeriod::kMonth;
  return std::nullopt;
}

std::string PeriodKey(BudgetPeriod period, int64_t at_ms) {
  const std::time_t seconds = static_cast<std::time_t>(at_ms / 1000);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char buffer[32];
  std::strftime(buffer, sizeof buffer, period == BudgetPeriod::kDay ? "day:%Y-%m-%d" : "month:%Y-%m", &utc);
  return buffer;
}

Policy Overlay(const Policy& base, const Policy& over) {
  Policy merged = base;
  if (over.requests_per_minute) merged.requests_per_minute = over.requests_per_minute;
  if (over.tokens_per_minute) merged.tokens_per_minute = over.tokens_per_minute;
  if (over.max_concurrent) merged.max_concurrent = over.max_concurrent;
  if (over.budget_tokens) merged.budget_tokens = over.budget_tokens;
  if (over.budget_kwh) merged.budget_kwh = over.budget_kwh;
  if (over.budget_money) merged.budget_money = over.budget_money;
  if (over.budget_period) merged.budget_period = over.budget_period;
  if (over.models) merged.models = over.models;
  if (over.tier) merged.tier = over.tier;
  return merged;
}

bool AllowsModel(const Policy& policy, std::string_view model) {
  if (!policy.models) return true;
  for (const std::string& allowed : *policy.models) {
    if (allowed == model) return true;
  }
  return false;
}

Tier EffectiveTier(const Policy& policy) { return policy.tier.value_or(Tier::kStandard); }

std::string PolicyToJson(const Policy& p) {
  json::object out;
  if (p.requests_per_minute) out["requests_per_minute"] = *p.requests_per_minute;
  if (p.tokens_per_minute) out["tokens_per_minute"] = *p.tokens_per_minute;
  if (p.max_concurrent) out["max_concurrent"] = *p.max_concurrent;
  if (p.budget_tokens) out["budget_tokens"] = *p.budget_tokens;
  if (p.budget_kwh) out["budget_kwh"] = *p.budget_kwh;
  if (p.budget_money) out["budget_money"] = *p.budget_money;
  if (p.budget_period) out["budget_period"] = BudgetPeriodName(*p.budget_period);
  if (p.models) {
    json::array models;
    for (const std::string& model : *p.models) models.emplace_back(model);
    out["models"] = std::move(models);
  }
  if (p.tier) out["tier"] = TierName(*p.tier);
  return json::serialize(out);
}

StatusOr<Policy> ApplyPolicyChange(const Policy& policy, std::string_view change_json) {
  if (change_json.size() > kMaxPolicyJsonBytes) {
    return InvalidArgumentError("a policy is larger than " + std::to_string(kMaxPolicyJsonBytes) + " bytes");
  }
  boost::system::error_code error;
  json::parse_options options;
  options.max_depth = 8;
  const json::value parsed = json::parse(change_json, error, {}, options);
  if (error) return InvalidArgumentError("a policy is not valid JSON: " + error.message());
  if (!parsed.is_object()) return InvalidArgumentError("a policy must be a JSON object");
  Policy changed = policy;
  for (const auto& [key, value] : parsed.as_object()) {
    const FieldSpec* spec = FindField(key);
    if (spec == nullptr) {
      return InvalidArgumentError("unknown policy field '" + std::string(key.substr(0, 64)) +
                                  "' (known: requests_per_minute, tokens_per_minute, max_concurrent, budget_tokens, "
                                  "budget_kwh, budget_money, budget_period, models, tier)");
    }
    if (value.is_null()) {
      ClearField(changed, *spec);
    } else {
      FAB_RETURN_IF_ERROR(SetField(changed, *spec, value));
    }
  }
  return changed;
}

StatusOr<Policy> PolicyFromJson(std::string_view json_text) { return ApplyPolicyChange(Policy{}, json_text); }

StatusOr<std::string> PolicyChangeFromFlags(const std::vector<std::pair<std::string, std::string>>& flags) {
  json::object change;
  for (const auto& [name, text] : flags) {
    const FieldSpec* spec = FindField(name);
    if (spec == nullptr) return InvalidArgumentError("unknown policy field '" + name + "'");
    if (text == "unset") {
      change[name] = nullptr;
      continue;
    }
    switch (spec->kind) {
      case FieldKind::kCount: {
        int64_t value = 0;
        const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
        if (ec != std::errc() || end != text.data() + text.size()) {
          return FieldError(name, "must be a whole number or 'unset', not '" + text.substr(0, 64) + "'");
        }
        change[name] = value;
        break;
      }
      case FieldKind::kAmount: {
        char* end = nullptr;
        const double value = std::strtod(text.c_str(), &end);
        if (text.empty() || end != text.c_str() + text.size() || !std::isfinite(value)) {
          return FieldError(name, "must be a number or 'unset', not '" + text.substr(0, 64) + "'");
        }
        change[name] = value;
        break;
      }
      case FieldKind::kModels: {
        json::array models;
        size_t start = 0;
        while (start <= text.size()) {
          const size_t comma = text.find(',', start);
          const size_t end = comma == std::string::npos ? text.size() : comma;
          models.emplace_back(text.substr(start, end - start));
          start = end + 1;
        }
        change[name] = std::move(models);
        break;
      }
      case FieldKind::kPeriod:
      case FieldKind::kTier: change[name] = text; break;
    }
  }
  return json::serialize(change);
}

}  // namespace fab::control
