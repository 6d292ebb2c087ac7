#include "tokenizer/jinja/json_value.h"

#include <boost/json.hpp>

namespace fab::jinja {

StatusOr<Value> ValueFromJson(const boost::json::value& json, int max_depth) {
  if (max_depth <= 0) return ResourceExhaustedError("JSON input nests too deeply for the template");
  switch (json.kind()) {
    case boost::json::kind::null: return Value::None();
    case boost::json::kind::bool_: return Value::Bool(json.get_bool());
    case boost::json::kind::int64: return Value::Int(json.get_int64());
    case boost::json::kind::uint64: {
      uint64_t u = json.get_uint64();
      if (u <= static_cast<uint64_t>(INT64_MAX)) return Value::Int(static_cast<int64_t>(u));
      return Value::Float(static_cast<double>(u));
    }
    case boost::json::kind::double_: return Value::Float(json.get_double());
    case boost::json::kind::string: return Value::String(std::string(json.get_string()));
    case boost::json::kind::array: {
      std::vector<Value> items;
      for (const auto& item : json.get_array()) {
        FAB_ASSIGN_OR_RETURN(Value v, ValueFromJson(item, max_depth - 1));
        items.push_back(std::move(v));
      }
      return Value::List(std::move(items));
    }
    case boost::json::kind::object: {
      DictData dict;
      for (const auto& [key, item] : json.get_object()) {
        FAB_ASSIGN_OR_RETURN(Value v, ValueFromJson(item, max_depth - 1));
        dict.Set(std::string(key), std::move(v));
      }
      return Value::Dict(std::move(dict));
    }
  }
  return InternalError("unknown JSON kind");
}

}  // namespace fab::jinja
