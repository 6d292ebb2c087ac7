#include "tokenizer/jinja/value.h"

#include <algorithm>
#include <cstdio>

namespace fab::jinja {

std::optional<std::string> HashKey(const Value& key) {
  switch (key.kind()) {
    case ValueKind::kString: return "s:" + key.as_string();
    case ValueKind::kNone: return std::string("N");
    case ValueKind::kBool:
    case ValueKind::kInt: return "n:" + std::to_string(key.as_int());
    case ValueKind::kFloat: {
      double d = key.as_double();
      if (d == static_cast<double>(static_cast<int64_t>(d)) && d > -9.2e18 && d < 9.2e18) {
        return "n:" + std::to_string(static_cast<int64_t>(d));
      }
      char buf[40];
      std::snprintf(buf, sizeof buf, "f:%.17g", d);
      return std::string(buf);
    }
    case ValueKind::kList: {
      if (!key.as_list().is_tuple) return std::nullopt;
      std::string out = "t:";
      for (const Value& item : key.as_list().items) {
        std::optional<std::string> part = HashKey(item);
        if (!part) return std::nullopt;
        out += std::to_string(part->size()) + ":" + *part;
      }
      return out;
    }
    default: return std::nullopt;
  }
}

const Value* DictData::Find(std::string_view key) const {
  auto it = index_.find("s:" + std::string(key));
  return it == index_.end() ? nullptr : &entries_[it->second].second;
}

const Value* DictData::FindKey(const Value& key) const {
  std::optional<std::string> hash = HashKey(key);
  if (!hash) return nullptr;
  auto it = index_.find(*hash);
  return it == index_.end() ? nullptr : &entries_[it->second].second;
}

void DictData::Set(std::string key, Value value) {
  SetKey(Value::String(std::move(key)), std::move(value));
}

void DictData::Clear() {
  entries_.clear();
  index_.clear();
  depth_ = 1;
}

int ValueDepth(const Value& value) {
  switch (value.kind()) {
    case ValueKind::kList: return value.as_list().depth;
    case ValueKind::kDict: return value.as_dict().depth();
    case ValueKind::kNamespace: return 1;
    default: return 0;
  }
}

bool DictData::SetKey(const Value& key, Value value) {
  std::optional<std::string> hash = HashKey(key);
  if (!hash) return false;
  depth_ = std::max(depth_, 1 + std::max(ValueDepth(key), ValueDepth(value)));
  auto it = index_.find(*hash);
  if (it != index_.end()) {
    entries_[it->second].second = std::move(value);
    return true;
  }
  index_.emplace(std::move(*hash), entries_.size());
  entries_.emplace_back(key, std::move(value));
  return true;
}

Value Value::List(std::vector<Value> items, bool is_tuple) {
  auto data = std::make_shared<ListData>();
  for (const Value& item : items) data->depth = std::max(data->depth, 1 + ValueDepth(item));
  data->items = std::move(items);
  data->is_tuple = is_tuple;
  return Value(ListPtr(std::move(data)));
}

bool Value::Truthy() const {
  switch (kind()) {
    case ValueKind::kUndefined:
    case ValueKind::kNone: return false;
    case ValueKind::kBool: return as_bool();
    case ValueKind::kInt: return as_int() != 0;
    case ValueKind::kFloat: return as_double() != 0.0;
    case ValueKind::kString: return !as_string().empty();
    case ValueKind::kList: return !as_list().items.empty();
    case ValueKind::kDict: return as_dict().size() != 0;
    default: return true;
  }
}

const char* Value::TypeName() const {
  switch (kind()) {
    case ValueKind::kUndefined: return "Undefined";
    case ValueKind::kNone: return "NoneType";
    case ValueKind::kBool: return "bool";
    case ValueKind::kInt: return "int";
    case ValueKind::kFloat: return "float";
    case ValueKind::kString: return "str";
    case ValueKind::kList: return as_list().is_tuple ? "tuple" : "list";
    case ValueKind::kDict: return "dict";
    case ValueKind::kNamespace: return "Namespace";
    case ValueKind::kCallable: return "function";
    case ValueKind::kLoop: return "LoopContext";
  }
  return "object";
}

bool ValuesEqual(const Value& a, const Value& b, int64_t* work, int depth_left) {
  if (depth_left <= 0) return false;
  if (work != nullptr) ++*work;
  if (a.is_number() && b.is_number()) {
    if (a.is_float() || b.is_float()) return a.as_double() == b.as_double();
    return a.as_int() == b.as_int();
  }
  if (a.kind() != b.kind()) return false;
  switch (a.kind()) {
    case ValueKind::kUndefined:
    case ValueKind::kNone: return true;
    case ValueKind::kString:
      if (work != nullptr) *work += static_cast<int64_t>(a.as_string().size() / 64);
      return a.as_string() == b.as_string();
    case ValueKind::kList: {
      const auto& x = a.as_list();
      const auto& y = b.as_list();
      if (&x == &y) return true;  // the same immutable list
      if (x.is_tuple != y.is_tuple || x.items.size() != y.items.size()) return false;
      for (size_t i = 0; i < x.items.size(); ++i) {
        if (!ValuesEqual(x.items[i], y.items[i], work, depth_left - 1)) return false;
      }
      return true;
    }
    case ValueKind::kDict: {
      const auto& x = a.as_dict();
      const auto& y = b.as_dict();
      if (&x == &y) return true;
      if (x.size() != y.size()) return false;
      for (const auto& [key, value] : x.entries()) {
        const Value* other = y.FindKey(key);
        if (other == nullptr || !ValuesEqual(value, *other, work, depth_left - 1)) return false;
      }
      return true;
    }
    case ValueKind::kNamespace: return a.SameNamespace(b);
    default: return false;  // callables and loops compare by identity; treat as distinct
  }
}

std::optional<bool> ValueLess(const Value& a, const Value& b, int64_t* work, int depth_left) {
  if (depth_left <= 0) return std::nullopt;
  if (work != nullptr) ++*work;
  if (a.is_number() && b.is_number()) {
    if (a.is_float() || b.is_float()) return a.as_double() < b.as_double();
    return a.as_int() < b.as_int();
  }
  if (a.is_string() && b.is_string()) {
    if (work != nullptr) *work += static_cast<int64_t>(std::min(a.as_string().size(), b.as_string().size()) / 64);
    return a.as_string() < b.as_string();
  }  // UTF-8 order = code point order
  if (a.is_list() && b.is_list() && a.as_list().is_tuple == b.as_list().is_tuple) {
    const auto& x = a.as_list().items;
    const auto& y = b.as_list().items;
    for (size_t i = 0; i < x.size() && i < y.size(); ++i) {
      if (ValuesEqual(x[i], y[i], work, depth_left - 1)) continue;
      return ValueLess(x[i], y[i], work, depth_left - 1);
    }
    return x.size() < y.size();
  }
  return std::nullopt;
}

}  // namespace fab::jinja
