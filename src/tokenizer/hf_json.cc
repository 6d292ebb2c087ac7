#include "tokenizer/hf_json.h"

#include <string>

namespace fab::hf_import {
namespace {

bool IsIdentifier(std::string_view key) {
  if (key.empty() || (key[0] >= '0' && key[0] <= '9')) return false;
  for (char c : key) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '_';
    if (!ok) return false;
  }
  return true;
}

}  // namespace

const char* JsonKindName(const boost::json::value& value) {
  switch (value.kind()) {
    case boost::json::kind::null: return "null";
    case boost::json::kind::bool_: return "a bool";
    case boost::json::kind::int64:
    case boost::json::kind::uint64:
    case boost::json::kind::double_: return "a number";
    case boost::json::kind::string: return "a string";
    case boost::json::kind::array: return "an array";
    case boost::json::kind::object: return "an object";
  }
  return "an unknown value";
}

std::string QuoteForError(std::string_view text, size_t max_bytes) {
  std::string quoted = "'";
  if (text.size() <= max_bytes) {
    quoted.append(text);
  } else {
    size_t cut = max_bytes;
    while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
    quoted.append(text.substr(0, cut)).append("…");
  }
  return quoted + "'";
}

StatusOr<boost::json::value> ParseHfJson(std::string_view text, std::string_view file_name,
                                         size_t max_bytes) {
  if (text.size() > max_bytes) {
    return ResourceExhaustedError(std::string(file_name) + " is " + std::to_string(text.size()) +
                                  " bytes (the cap is " + std::to_string(max_bytes) + ")");
  }
  boost::json::parse_options options;
  options.max_depth = kMaxJsonDepth;
  boost::json::parser parser(boost::json::make_shared_resource<boost::json::monotonic_resource>(),
                             options);
  boost::system::error_code error;
  const size_t consumed = parser.write(text.data(), text.size(), error);
  if (error) {
    return InvalidArgumentError(std::string(file_name) + ": not valid JSON near byte " +
                                std::to_string(consumed) + ": " + error.message());
  }
  return parser.release();
}

std::string JsonNode::ChildWhere(std::string_view suffix) const {
  std::string where = where_;
  where += is_root_ ? ": " : (suffix[0] == '[' ? "" : ".");
  where += suffix;
  return where;
}

Status JsonNode::Error(std::string_view problem) const {
  return InvalidArgumentError(Where() + ": " + std::string(problem));
}

Status JsonNode::Unsupported(std::string_view problem) const {
  return UnimplementedError(Where() + ": " + std::string(problem));
}

std::optional<JsonNode> JsonNode::Member(std::string_view key) const {
  const boost::json::object* object = value_->if_object();
  if (object == nullptr) return std::nullopt;
  const boost::json::value* member = object->if_contains(key);
  if (member == nullptr) return std::nullopt;
  return Entry(*member, key);
}

std::optional<JsonNode> JsonNode::NonNullMember(std::string_view key) const {
  std::optional<JsonNode> member = Member(key);
  if (member && member->is_null()) return std::nullopt;
  return member;
}

JsonNode JsonNode::Element(const boost::json::value& element, size_t index) const {
  std::string suffix = "[";
  suffix += std::to_string(index);
  suffix += ']';
  return JsonNode(element, ChildWhere(suffix), false);
}

JsonNode JsonNode::Entry(const boost::json::value& entry, std::string_view key) const {
  if (IsIdentifier(key)) return JsonNode(entry, ChildWhere(key), false);
  std::string suffix = "[";
  suffix += QuoteForError(key, 40);
  suffix += ']';
  return JsonNode(entry, ChildWhere(suffix), false);
}

StatusOr<const boost::json::object*> JsonNode::AsObject() const {
  if (const boost::json::object* object = value_->if_object()) return object;
  return Error(std::string("expected an object, found ") + JsonKindName(*value_));
}

StatusOr<const boost::json::array*> JsonNode::AsArray() const {
  if (const boost::json::array* array = value_->if_array()) return array;
  return Error(std::string("expected an array, found ") + JsonKindName(*value_));
}

StatusOr<std::string_view> JsonNode::AsString() const {
  if (const boost::json::string* text = value_->if_string()) return std::string_view(*text);
  return Error(std::string("expected a string, found ") + JsonKindName(*value_));
}

StatusOr<bool> JsonNode::AsBool() const {
  if (const bool* flag = value_->if_bool()) return *flag;
  return Error(std::string("expected true or false, found ") + JsonKindName(*value_));
}

StatusOr<int64_t> JsonNode::AsInt(int64_t min, int64_t max) const {
  if (const int64_t* number = value_->if_int64(); number && *number >= min && *number <= max) {
    return *number;
  }
  if (!value_->is_int64() && !value_->is_uint64()) {
    return Error(std::string("expected an integer, found ") + JsonKindName(*value_));
  }
  // uint64 values are above INT64_MAX, so above every max.
  return Error("expected an integer from " + std::to_string(min) + " to " + std::to_string(max) +
               ", found " + boost::json::serialize(*value_));
}

StatusOr<std::string_view> JsonNode::StringMember(std::string_view key,
                                                  std::string_view fallback) const {
  std::optional<JsonNode> member = NonNullMember(key);
  if (!member) return fallback;
  return member->AsString();
}

StatusOr<bool> JsonNode::BoolMember(std::string_view key, bool fallback) const {
  std::optional<JsonNode> member = NonNullMember(key);
  if (!member) return fallback;
  return member->AsBool();
}

StatusOr<std::string_view> ComponentType(const JsonNode& component) {
  std::optional<JsonNode> type = component.Member("type");
  if (!type) return component.Error("has no \"type\"");
  return type->AsString();
}

StatusOr<std::vector<JsonNode>> ComponentSteps(const JsonNode& component, std::string_view list_key) {
  FAB_ASSIGN_OR_RETURN(std::string_view type, ComponentType(component));
  if (type != "Sequence") return std::vector<JsonNode>{component};
  std::optional<JsonNode> list = component.Member(list_key);
  if (!list) return component.Error("a Sequence without \"" + std::string(list_key) + "\"");
  FAB_ASSIGN_OR_RETURN(const boost::json::array* elements, list->AsArray());
  std::vector<JsonNode> steps;
  for (size_t i = 0; i < elements->size(); ++i) {
    JsonNode step = list->Element((*elements)[i], i);
    FAB_ASSIGN_OR_RETURN(std::string_view step_type, ComponentType(step));
    if (step_type == "Sequence") return step.Unsupported("nested Sequences are not supported");
    steps.push_back(std::move(step));
  }
  return steps;
}

}  // namespace fab::hf_import
