// JSON Schema (the draft 2020-12 subset OpenAI structured outputs and
// Pydantic use) compiled to GBNF text, then to a Grammar, so a constrained
// model can only write JSON the schema accepts:
//   type (one or a list), properties / required / additionalProperties,
//   items / prefixItems / minItems / maxItems, enum and const (the values
//   of the sibling type), anyOf, oneOf whose branches have distinct types
//   (then no value matches two), allOf of one schema, $ref into #/$defs or
//   #/definitions or # itself (recursion included), minLength / maxLength,
//   format (date, time, date-time, uuid, email), pattern (grammar/regex.h;
//   unanchored ends take any characters, as JSON Schema searches; not with
//   minLength / maxLength / format), integer minimum / maximum
//   (exclusive too), nullable (OpenAPI). Keywords without a type apply to
//   the type they constrain, as JSON Schema says.
// Choices that keep output valid and bounded (the caller may say so to users):
//   - properties come in the schema's order; with additionalProperties absent
//     no others are written (as OpenAI strict mode); `true` or a schema
//     allows further string keys after the listed ones;
//   - whitespace is compact: ", " and ": " between members, nothing else;
//   - numbers have at most 16 integer and 16 fraction digits and a 2-digit
//     exponent (so every one is a finite double); integers at most 19 digits; a number with bounds other than
//     minimum 0 is written as an integer within them;
//   - a time is written with its zone (Z or ±hh:mm); dates keep February to
//     its 28 days.
// Anything else that constrains (not, if/then/else, multipleOf,
// uniqueItems, patternProperties, $ref / enum / anyOf beside other
// constraints, ...) is refused
// with a Status naming the keyword and where it is; annotations (title,
// description, default, examples, $schema, $id, $comment, ...) are ignored.
#pragma once

#include <string>
#include <vector>

#include <boost/json/value.hpp>

#include "base/status.h"
#include "grammar/grammar.h"

namespace fab::grammar {

// The GBNF text for `schema` (a JSON value: an object, or true / false).
StatusOr<std::string> JsonSchemaToGbnf(const boost::json::value& schema);

// One schema of several that share a grammar: its value matches rule `rule`.
struct NamedSchema {
  std::string rule;                  // a GBNF rule name, unique among them ("tool-0-args")
  const boost::json::value* schema;  // not owned
  std::string where;                 // starts its errors ("tools[0].function.parameters")
};

// The GBNF rules of several schemas: "<rule> ::= …" for each, its helper
// rules (named "<rule>-…"), and the builtin rules any of them use, once.
// No root rule: the caller writes one that refers to them. The first
// refusal, prefixed with its `where`.
StatusOr<std::string> JsonSchemaRulesGbnf(const std::vector<NamedSchema>& schemas);

// JsonSchemaToGbnf, parsed (gbnf.h).
StatusOr<Grammar> JsonSchemaToGrammar(const boost::json::value& schema, const GrammarLimits& limits = {});

// The GBNF of any JSON object (response_format json_object), compact as above.
std::string AnyJsonObjectGbnf();

}  // namespace fab::grammar
