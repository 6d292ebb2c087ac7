#include "server/grammar_fields.h"

#include <vector>

#include "grammar/gbnf.h"
#include "server/errors.h"
#include "server/json_fields.h"

namespace fab::server {
namespace {

namespace json = boost::json;

ApiError TooLarge(const std::string& field) {
  return InvalidFieldError(field, "'" + field + "' is larger than " + std::to_string(kMaxGrammarBytes) + " bytes");
}

ApiResult<GrammarSpec> SchemaSpec(const json::value& schema, const std::string& field) {
  if (!schema.is_object() && !schema.is_bool()) return WrongTypeError(field, "a JSON Schema object", schema);
  GrammarSpec spec{GrammarSpec::Kind::kJsonSchema, json::serialize(schema), field, {}};
  if (spec.text.size() > kMaxGrammarBytes) return TooLarge(field);
  return spec;
}

ApiResult<std::optional<GrammarSpec>> ParseResponseFormat(const json::value& value) {
  const std::string field = "response_format";
  if (!value.is_object()) return WrongTypeError(field, "an object", value);
  const json::object& format = value.as_object();
  const json::value* type = FindField(format, "type");
  if (type == nullptr || !type->is_string()) {
    return InvalidFieldError(field, "'response_format.type' must be \"text\", \"json_object\" or \"json_schema\"");
  }
  if (type->as_string() == "text") return std::optional<GrammarSpec>();
  if (type->as_string() == "json_object") return std::optional<GrammarSpec>(GrammarSpec{GrammarSpec::Kind::kJsonObject, "", field, {}});
  if (type->as_string() != "json_schema") {
    return InvalidFieldError(field, "'response_format.type' must be \"text\", \"json_object\" or \"json_schema\"");
  }
  const json::value* wrapper = FindField(format, "json_schema");
  if (wrapper == nullptr || !wrapper->is_object()) {
    return InvalidFieldError(field, "'response_format.json_schema' must be an object with a 'schema'");
  }
  const json::value* schema = FindField(wrapper->as_object(), "schema");
  if (schema == nullptr) return InvalidFieldError(field, "'response_format.json_schema.schema' is missing");
  FAB_ASSIGN_OR_RETURN_API_ERROR(GrammarSpec spec, SchemaSpec(*schema, field));
  return std::optional<GrammarSpec>(std::move(spec));
}

ApiResult<GrammarSpec> GbnfSpec(const json::value& value, const std::string& field) {
  FAB_ASSIGN_OR_RETURN_API_ERROR(std::string text, ReadString(value, field, {.max_bytes = kMaxGrammarBytes, .allow_empty = false}));
  return GrammarSpec{GrammarSpec::Kind::kGbnf, std::move(text), field, {}};
}

ApiResult<GrammarSpec> RegexSpec(const json::value& value, const std::string& field) {
  FAB_ASSIGN_OR_RETURN_API_ERROR(std::string text, ReadString(value, field, {.max_bytes = kMaxGrammarBytes, .allow_empty = false}));
  return GrammarSpec{GrammarSpec::Kind::kRegex, std::move(text), field, {}};
}

ApiResult<GrammarSpec> GuidedJsonSpec(const json::value& value, const std::string& field) {
  if (!value.is_string()) return SchemaSpec(value, field);
  if (value.as_string().size() > kMaxGrammarBytes) return TooLarge(field);
  boost::system::error_code error;
  const json::value schema = json::parse(value.as_string(), error);
  if (error) return InvalidFieldError(field, "'" + field + "' is a string that is not JSON: " + error.message());
  return SchemaSpec(schema, field);
}

// root ::= "a" | "b" ...: one of the choices, as plain text (as vLLM writes them).
ApiResult<GrammarSpec> ChoiceSpec(const json::value& value, const std::string& field) {
  if (!value.is_array() || value.as_array().empty()) return WrongTypeError(field, "a non-empty array of strings", value);
  std::string text = "root ::=";
  for (size_t i = 0; i < value.as_array().size(); ++i) {
    FAB_ASSIGN_OR_RETURN_API_ERROR(
        std::string choice, ReadString(value.as_array()[i], ElementParam(field, i), {.max_bytes = kMaxGrammarBytes, .allow_empty = false}));
    text += (i ? " | " : " ") + grammar::GbnfLiteral(choice);
    if (text.size() > kMaxGrammarBytes) return TooLarge(field);
  }
  return GrammarSpec{GrammarSpec::Kind::kGbnf, std::move(text), field, {}};
}

}  // namespace

ApiResult<std::optional<GrammarSpec>> ParseGrammarFields(const json::object& request) {
  std::vector<std::string> given;
  for (const char* field :
       {"response_format", "grammar", "guided_grammar", "guided_json", "guided_choice", "regex", "guided_regex"}) {
    if (FindField(request, field) != nullptr) given.emplace_back(field);
  }
  if (given.empty()) return std::optional<GrammarSpec>();
  if (given.size() > 1) {
    return InvalidFieldError(given[1], "'" + given[0] + "' and '" + given[1] + "' both constrain the output; give one");
  }
  const std::string& field = given[0];
  const json::value& value = *FindField(request, field);
  if (field == "response_format") return ParseResponseFormat(value);
  ApiResult<GrammarSpec> spec = field == "guided_json"     ? GuidedJsonSpec(value, field)
                                : field == "guided_choice" ? ChoiceSpec(value, field)
                                : field == "regex" || field == "guided_regex" ? RegexSpec(value, field)
                                                           : GbnfSpec(value, field);
  if (!spec.ok()) return spec.error();
  return std::optional<GrammarSpec>(std::move(spec).value());
}

}  // namespace fab::server
