// JSON Schema compiles to a grammar that accepts the documents the schema
// allows in the compact form it writes, and refuses the others: objects with
// required and optional properties in order, arrays with bounds and prefix
// items, enums and consts, anyOf, $ref recursion, string lengths and
// formats, exact integer ranges. Keywords it cannot honour are refused by
// name, with where they are.
#include "grammar/json_schema.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <string>

#include "grammar/gbnf.h"
#include "grammar/matcher.h"

namespace fab::grammar {
namespace {

GrammarMatcher MatcherForSchema(std::string_view schema) {
  auto grammar = JsonSchemaToGrammar(boost::json::parse(schema));
  auto gbnf = JsonSchemaToGbnf(boost::json::parse(schema));
  EXPECT_TRUE(grammar.ok()) << grammar.status().ToString() << "\n" << (gbnf.ok() ? *gbnf : "");
  auto compiled = CompiledGrammar::Compile(std::move(grammar).value());
  EXPECT_TRUE(compiled.ok()) << compiled.status().ToString();
  return GrammarMatcher(std::move(compiled).value());
}

bool Accepts(GrammarMatcher matcher, std::string_view text) { return matcher.AcceptBytes(text) && matcher.IsComplete(); }

std::string RefusalOf(std::string_view schema) {
  auto grammar = JsonSchemaToGrammar(boost::json::parse(schema));
  EXPECT_FALSE(grammar.ok()) << schema;
  return grammar.ok() ? "" : grammar.status().message();
}

TEST(JsonSchema, ObjectsWriteRequiredAndOptionalPropertiesInOrder) {
  const GrammarMatcher m = MatcherForSchema(R"({"type": "object",
      "properties": {"name": {"type": "string"}, "age": {"type": "integer"}, "email": {"type": "string", "format": "email"}},
      "required": ["name", "email"]})");
  EXPECT_TRUE(Accepts(m, R"({"name": "Kim", "age": 31, "email": "kim@example.co.kr"})"));
  EXPECT_TRUE(Accepts(m, R"({"name": "Kim", "email": "kim@example.com"})"));
  EXPECT_FALSE(Accepts(m, R"({"name": "Kim"})"));                                  // email is required
  EXPECT_FALSE(Accepts(m, R"({"email": "kim@example.com", "name": "Kim"})"));     // order is the schema's
  EXPECT_FALSE(Accepts(m, R"({"name": "Kim", "email": "kim@example.com", "x": 1})"));  // no others
  EXPECT_FALSE(Accepts(m, R"({"name": "Kim", "age": 3.5, "email": "kim@example.com"})"));
}

TEST(JsonSchema, ObjectsWithoutPropertiesTakeAnyMembersAndAdditionalPropertiesExtendListedOnes) {
  EXPECT_TRUE(Accepts(MatcherForSchema(R"({"type": "object"})"), R"({"a": [1, {"b": null}], "c": "d"})"));
  const GrammarMatcher m = MatcherForSchema(
      R"({"type": "object", "properties": {"id": {"type": "integer"}}, "additionalProperties": {"type": "boolean"}})");
  EXPECT_TRUE(Accepts(m, R"({"id": 1, "x": true, "y": false})"));
  EXPECT_TRUE(Accepts(m, R"({"x": true})"));
  EXPECT_FALSE(Accepts(m, R"({"id": 1, "x": 2})"));
}

TEST(JsonSchema, ArraysHonourBoundsPrefixItemsAndItemSchemas) {
  const GrammarMatcher bounded = MatcherForSchema(R"({"type": "array", "items": {"type": "integer"}, "minItems": 2, "maxItems": 3})");
  EXPECT_FALSE(Accepts(bounded, "[1]"));
  EXPECT_TRUE(Accepts(bounded, "[1, 2]"));
  EXPECT_TRUE(Accepts(bounded, "[1, 2, -3]"));
  EXPECT_FALSE(Accepts(bounded, "[1, 2, 3, 4]"));
  EXPECT_FALSE(Accepts(bounded, "[1, \"2\"]"));
  const GrammarMatcher tuple = MatcherForSchema(
      R"({"type": "array", "prefixItems": [{"type": "string"}, {"type": "number"}], "items": false})");
  EXPECT_TRUE(Accepts(tuple, "[]"));
  EXPECT_TRUE(Accepts(tuple, R"(["a", 1.5])"));
  EXPECT_FALSE(Accepts(tuple, R"(["a", 1.5, 2])"));
  EXPECT_FALSE(Accepts(tuple, R"([1.5, "a"])"));
  EXPECT_TRUE(Accepts(MatcherForSchema(R"({"type": "array"})"), R"([1, "two", [3], {"four": 4}, null])"));
}

TEST(JsonSchema, EnumsConstsAnyOfAndNullable) {
  const GrammarMatcher m = MatcherForSchema(R"({"anyOf": [{"enum": ["red", "green", 3, null]}, {"const": {"k": [1, 2]}},
      {"type": "string", "maxLength": 2, "nullable": true}]})");
  for (const char* ok : {R"("red")", "3", "null", R"({"k":[1,2]})", R"("ab")", R"("")"}) EXPECT_TRUE(Accepts(m, ok)) << ok;
  for (const char* bad : {R"("blue")", "4", R"({"k": [1, 2]})", R"("abc")"}) EXPECT_FALSE(Accepts(m, bad)) << bad;
  const GrammarMatcher types = MatcherForSchema(R"({"type": ["boolean", "null"]})");
  EXPECT_TRUE(Accepts(types, "false"));
  EXPECT_TRUE(Accepts(types, "null"));
  EXPECT_FALSE(Accepts(types, "0"));
}

TEST(JsonSchema, RefsReachDefsAndRecurse) {
  const GrammarMatcher m = MatcherForSchema(R"({"$defs": {"node": {"type": "object",
      "properties": {"value": {"type": "integer"}, "children": {"type": "array", "items": {"$ref": "#/$defs/node"}}},
      "required": ["value"]}}, "$ref": "#/$defs/node"})");
  EXPECT_TRUE(Accepts(m, R"({"value": 1, "children": [{"value": 2}, {"value": 3, "children": [{"value": 4}]}]})"));
  EXPECT_FALSE(Accepts(m, R"({"value": 1, "children": [{"children": []}]})"));
  EXPECT_NE(RefusalOf(R"({"$ref": "#/$defs/missing"})").find("points at nothing"), std::string::npos);
  EXPECT_NE(RefusalOf(R"({"$ref": "https://example.com/schema"})").find("not local"), std::string::npos);
}

TEST(JsonSchema, StringFormatsAreWrittenInTheirStrictForm) {
  EXPECT_TRUE(Accepts(MatcherForSchema(R"({"type": "string", "format": "date"})"), R"("2026-12-07")"));
  EXPECT_FALSE(Accepts(MatcherForSchema(R"({"type": "string", "format": "date"})"), R"("2026-02-30")"));
  EXPECT_FALSE(Accepts(MatcherForSchema(R"({"type": "string", "format": "date"})"), R"("2026-13-01")"));
  EXPECT_TRUE(Accepts(MatcherForSchema(R"({"type": "string", "format": "date-time"})"), R"("2026-12-07T09:30:00.25+09:00")"));
  EXPECT_FALSE(Accepts(MatcherForSchema(R"({"type": "string", "format": "time"})"), R"("24:00:00Z")"));
  EXPECT_TRUE(Accepts(MatcherForSchema(R"({"type": "string", "format": "uuid"})"), R"("123e4567-e89b-12d3-a456-426614174000")"));
  EXPECT_TRUE(Accepts(MatcherForSchema(R"({"type": "string", "minLength": 2, "maxLength": 3})"), R"("한국어")"));
  EXPECT_FALSE(Accepts(MatcherForSchema(R"({"type": "string", "minLength": 2})"), R"("a")"));
}

TEST(JsonSchema, IntegerRangesAreExact) {
  const GrammarMatcher m = MatcherForSchema(R"({"type": "integer", "minimum": -123, "exclusiveMaximum": 4568})");
  for (int v = -2000; v <= 6000; ++v) {
    ASSERT_EQ(Accepts(m, std::to_string(v)), v >= -123 && v <= 4567) << v;
  }
  EXPECT_FALSE(Accepts(m, "007"));
  EXPECT_FALSE(Accepts(m, "-0"));
  const GrammarMatcher positive = MatcherForSchema(R"({"type": "integer", "exclusiveMinimum": 0})");
  EXPECT_FALSE(Accepts(positive, "0"));
  EXPECT_TRUE(Accepts(positive, "1"));
  EXPECT_TRUE(Accepts(positive, "9223372036854775807"));
  EXPECT_FALSE(Accepts(positive, "-5"));
}

TEST(JsonSchema, PatternsConstrainStringsAsTheirRegexFindsThem) {
  const GrammarMatcher code = MatcherForSchema(R"({"type": "string", "pattern": "^[a-z]{3}-\\d{2}$"})");
  EXPECT_TRUE(Accepts(code, R"("abc-12")"));
  EXPECT_FALSE(Accepts(code, R"("ab-12")"));
  EXPECT_FALSE(Accepts(code, R"("abc-12x")"));
  // Unanchored: JSON Schema searches, so any text may come around a match.
  const GrammarMatcher search = MatcherForSchema(R"({"pattern": "b+"})");
  EXPECT_TRUE(Accepts(search, R"("abbbc")"));
  EXPECT_TRUE(Accepts(search, R"("b")"));
  EXPECT_FALSE(Accepts(search, R"("ac")"));
  const GrammarMatcher quoted = MatcherForSchema(R"({"type": "string", "pattern": "^\"[a-z]+\"$"})");
  EXPECT_TRUE(Accepts(quoted, R"("\"hi\"")")) << "a quote in the pattern is written escaped";
}

TEST(JsonSchema, KeywordsItCannotHonourAreRefusedByName) {
  EXPECT_NE(RefusalOf(R"({"type": "object", "patternProperties": {"^a": {}}})").find("keyword 'patternProperties' is not supported"),
            std::string::npos);
  EXPECT_NE(RefusalOf(R"({"type": "string", "pattern": "(a)\\1"})").find("pattern: regex at offset"), std::string::npos);
  EXPECT_NE(RefusalOf(R"({"type": "string", "pattern": "^a+$", "maxLength": 3})").find("pattern together with"),
            std::string::npos);
  EXPECT_NE(RefusalOf(R"({"type": "object", "properties": {"x": {"not": {"type": "null"}}}})").find("#/properties/x: keyword 'not'"),
            std::string::npos);
  EXPECT_NE(RefusalOf(R"({"type": "number", "minimum": 1.1, "maximum": 1.9})").find("no integer"), std::string::npos);
  EXPECT_NE(RefusalOf(R"({"enum": ["a", "bb"], "minLength": 2})").find("enum beside 'minLength'"), std::string::npos);
  EXPECT_NE(RefusalOf(R"({"oneOf": [{"type": "integer"}, {"minimum": 2}]})").find("distinct single types"),
            std::string::npos);
  EXPECT_NE(RefusalOf(R"({"oneOf": [{"type": "integer"}, {"type": "number"}]})").find("overlaps"), std::string::npos);
  EXPECT_NE(RefusalOf(R"({"type": "object", "anyOf": [{"required": ["a"]}]})").find("anyOf beside 'type'"),
            std::string::npos);
  EXPECT_NE(RefusalOf(R"({"type": "string", "format": "ipv4"})").find("format 'ipv4'"), std::string::npos);
  EXPECT_NE(RefusalOf(R"({"type": "array", "uniqueItems": true})").find("'uniqueItems'"), std::string::npos);
  EXPECT_NE(RefusalOf(R"({"type": "integer", "minimum": 5, "maximum": 4})").find("no integer"), std::string::npos);
  EXPECT_NE(RefusalOf(R"({"type": "object", "properties": {}, "required": ["a"]})").find("'a' is not among"),
            std::string::npos);
  EXPECT_NE(RefusalOf(R"(false)").find("admits no value"), std::string::npos);
  // Counts far beyond any integer type (found by json_schema_fuzz: the cast was undefined).
  EXPECT_NE(RefusalOf(R"({"type": "array", "maxItems": 3e90})").find("maxItems must be a whole number"),
            std::string::npos);
  EXPECT_NE(RefusalOf(R"({"type": "string", "minLength": -1e300})").find("minLength must be a whole number"),
            std::string::npos);
}

TEST(JsonSchema, BoundedNumbersAreWrittenAsIntegersWithinTheirBoundsAndKeywordsApplyToTheirType) {
  const GrammarMatcher number = MatcherForSchema(R"({"type": "number", "exclusiveMaximum": 5.5, "minimum": -2.5})");
  EXPECT_TRUE(Accepts(number, "5"));
  EXPECT_TRUE(Accepts(number, "-2"));
  EXPECT_FALSE(Accepts(number, "-3"));
  EXPECT_FALSE(Accepts(number, "6"));
  EXPECT_TRUE(Accepts(MatcherForSchema(R"({"minimum": 1.1})"), "2"));  // no type: numbers, bounded
  EXPECT_TRUE(Accepts(MatcherForSchema(R"({"type": "number", "minimum": 0})"), "0.25"));
  EXPECT_TRUE(Accepts(MatcherForSchema(R"({"maxItems": 1})"), "[true]"));
  // enum values of another type than the sibling type are never written.
  const GrammarMatcher typed = MatcherForSchema(R"({"type": "string", "enum": ["a", 1, null]})");
  EXPECT_TRUE(Accepts(typed, R"("a")"));
  EXPECT_FALSE(Accepts(typed, "1"));
  // A `false` branch of anyOf admits nothing and is left out.
  EXPECT_TRUE(Accepts(MatcherForSchema(R"({"anyOf": [false, {"type": "null"}]})"), "null"));
}

TEST(JsonSchema, AnyJsonObjectAcceptsObjectsOnly) {
  auto grammar = ParseGbnf(AnyJsonObjectGbnf());
  ASSERT_TRUE(grammar.ok()) << grammar.status().ToString();
  GrammarMatcher m(CompiledGrammar::Compile(std::move(grammar).value()).value());
  EXPECT_TRUE(Accepts(m, R"({"a": {"b": [true, 1e5]}})"));
  EXPECT_FALSE(Accepts(m, "[1]"));
}

}  // namespace
}  // namespace fab::grammar
