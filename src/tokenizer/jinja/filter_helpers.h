// Helpers shared by the filter implementations (filters.cc,
// text_filters.cc, sequence_filters.cc). Internal to the interpreter.
#pragma once

#include <string>
#include <vector>

#include "tokenizer/jinja/interpreter.h"

namespace fab::jinja {

// jinja2's built-in filter names plus HF's tojson: the few we do not
// implement are Unimplemented, any other name "No filter named".
bool IsJinjaFilterName(const std::string& name);

// The value of attribute path "a.b.0" on item, as jinja2's attribute getters read it.
StatusOr<Value> GetAttributePath(Interpreter& interp, const Value& item, const std::string& path, const Expr& at);

// A sort key: strings lowered unless case-sensitive.
Value SortKey(const Value& v, bool case_sensitive);

// `items` stably sorted by `keys` (aligned); InvalidArgument when keys do not compare.
StatusOr<std::vector<Value>> SortValues(Interpreter& interp, std::vector<Value> items, std::vector<Value> keys,
                                        bool reverse, const Expr& at);

// Filters that work on str(input): trim, lower, upper, capitalize, title,
// e/escape, wordcount, replace, center, indent.
bool IsTextFilter(const std::string& name);
StatusOr<Value> ApplyTextFilter(Interpreter& interp, const std::string& name, const std::string& text,
                                const CallArgs& args, const Expr& at);

}  // namespace fab::jinja
