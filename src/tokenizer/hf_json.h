// Reading the JSON files of a Hugging Face tokenizer (tokenizer.json,
// tokenizer_config.json) with errors that name where the problem is.
// ParseHfJson parses with a byte cap and a nesting cap; JsonNode walks the
// parsed document, each node carrying the JSON path of its value
// ("tokenizer.json: model.merges[3]") for error messages. Used by
// hf_tokenizer_import.cc and its parts. A JsonNode borrows its value: the
// document must outlive it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/json.hpp>

#include "base/status.h"

namespace fab::hf_import {

inline constexpr int kMaxJsonDepth = 64;

// The document in `text`, or InvalidArgument "<file_name>: ..." with the byte
// offset of a syntax error; ResourceExhausted when text is over max_bytes.
StatusOr<boost::json::value> ParseHfJson(std::string_view text, std::string_view file_name,
                                         size_t max_bytes);

class JsonNode {
 public:
  // The root of a document read from `file_name` (named in every error).
  JsonNode(const boost::json::value& value, std::string_view file_name)
      : JsonNode(value, std::string(file_name), /*is_root=*/true) {}

  const boost::json::value& value() const { return *value_; }
  bool is_null() const { return value_->is_null(); }
  // "tokenizer.json: model.merges[3]" (just the file name at the root).
  const std::string& Where() const { return where_; }
  // InvalidArgument "<Where()>: <problem>".
  Status Error(std::string_view problem) const;
  // Unimplemented "<Where()>: <problem>".
  Status Unsupported(std::string_view problem) const;

  // Member `key` of an object, nullopt when absent (a null member is present;
  // a non-object has no members).
  std::optional<JsonNode> Member(std::string_view key) const;
  // Member `key` when present and not null; nullopt otherwise.
  std::optional<JsonNode> NonNullMember(std::string_view key) const;
  // A child node for an element or member the caller found itself.
  JsonNode Element(const boost::json::value& element, size_t index) const;
  JsonNode Entry(const boost::json::value& entry, std::string_view key) const;

  // The value as the given type, or an error naming the type found.
  StatusOr<const boost::json::object*> AsObject() const;
  StatusOr<const boost::json::array*> AsArray() const;
  StatusOr<std::string_view> AsString() const;
  StatusOr<bool> AsBool() const;
  // An integer in [min, max] (JSON numbers with a fraction are refused).
  StatusOr<int64_t> AsInt(int64_t min, int64_t max) const;

  // Member `key` as a string / bool; `fallback` when absent or null.
  StatusOr<std::string_view> StringMember(std::string_view key, std::string_view fallback) const;
  StatusOr<bool> BoolMember(std::string_view key, bool fallback) const;

 private:
  JsonNode(const boost::json::value& value, std::string where, bool is_root)
      : value_(&value), where_(std::move(where)), is_root_(is_root) {}
  std::string ChildWhere(std::string_view suffix) const;

  const boost::json::value* value_;
  std::string where_;     // the file name, then ": " and the path below the root
  bool is_root_ = false;
};

// The "type" member of a tokenizer.json component (normalizer, pre_tokenizer,
// post_processor, decoder).
StatusOr<std::string_view> ComponentType(const JsonNode& component);
// The parts of a component: the elements of a {"type": "Sequence"} under
// `list_key` ("normalizers", "pretokenizers", "processors", "decoders"), or
// the component itself. Nested Sequences are Unimplemented.
StatusOr<std::vector<JsonNode>> ComponentSteps(const JsonNode& component, std::string_view list_key);

// "a string", "a number", "an object", ... for error messages.
const char* JsonKindName(const boost::json::value& value);

// `text` quoted, cut to at most max_bytes at a UTF-8 boundary ("…" marks a cut).
std::string QuoteForError(std::string_view text, size_t max_bytes = 80);

}  // namespace fab::hf_import
