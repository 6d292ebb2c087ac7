// The values a chat template computes with, modelled on the Python objects
// that jinja2 sees when Hugging Face renders a template: None, bool, int,
// float, str, list/tuple, dict (insertion-ordered, string keys), namespace,
// jinja2's Undefined, and callables (macros, globals, bound methods, loop.cycle).
// Strings, lists and dicts are immutable and shared, so copying a Value is
// O(1); only a Namespace is mutable (through `{% set ns.x = … %}`).
// Thread-safety: a Value tree belongs to one render; do not share across threads.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <variant>
#include <vector>

namespace fab::jinja {

class Value;
struct MacroNode;
struct Frame;

struct Undefined {
  std::string name;  // what was looked up, for error messages
};
struct NoneValue {};

struct ListData;
class DictData;

// What a call on a Callable runs.
struct CallableData {
  enum class Kind { kMacro, kGlobal, kMethod };
  Kind kind = Kind::kGlobal;
  std::string name;                  // macro, global or method name
  const MacroNode* macro = nullptr;  // kMacro: owned by the parsed template
  std::weak_ptr<Frame> closure;      // kMacro: the frame it was defined in
  std::shared_ptr<const Value> receiver;  // kMethod: the object the method is bound to
};


struct LoopState;

using StringPtr = std::shared_ptr<const std::string>;
using ListPtr = std::shared_ptr<const ListData>;
using DictPtr = std::shared_ptr<const DictData>;
using NamespacePtr = std::shared_ptr<DictData>;  // mutable
using CallablePtr = std::shared_ptr<const CallableData>;
using LoopPtr = std::shared_ptr<const LoopState>;

enum class ValueKind { kUndefined, kNone, kBool, kInt, kFloat, kString, kList, kDict, kNamespace, kCallable, kLoop };

class Value {
 public:
  Value() : data_(Undefined{}) {}
  static Value MakeUndefined(std::string name) { return Value(Undefined{std::move(name)}); }
  static Value None() { return Value(NoneValue{}); }
  static Value Bool(bool b) { return Value(b); }
  static Value Int(int64_t i) { return Value(i); }
  static Value Float(double d) { return Value(d); }
  static Value String(std::string s) { return Value(std::make_shared<const std::string>(std::move(s))); }
  static Value List(std::vector<Value> items, bool is_tuple = false);
  static Value Dict(DictData dict);
  static Value Namespace(DictData attributes);
  static Value Callable(CallableData c) { return Value(std::make_shared<const CallableData>(std::move(c))); }
  static Value Loop(LoopPtr loop) { return Value(std::move(loop)); }

  ValueKind kind() const { return static_cast<ValueKind>(data_.index()); }
  bool is_undefined() const { return kind() == ValueKind::kUndefined; }
  bool is_none() const { return kind() == ValueKind::kNone; }
  bool is_bool() const { return kind() == ValueKind::kBool; }
  bool is_int() const { return kind() == ValueKind::kInt; }
  bool is_float() const { return kind() == ValueKind::kFloat; }
  // Python's numbers: bool counts as an int.
  bool is_integral() const { return is_int() || is_bool(); }
  bool is_number() const { return is_integral() || is_float(); }
  bool is_string() const { return kind() == ValueKind::kString; }
  bool is_list() const { return kind() == ValueKind::kList; }
  bool is_dict() const { return kind() == ValueKind::kDict; }
  bool is_namespace() const { return kind() == ValueKind::kNamespace; }
  bool is_callable() const { return kind() == ValueKind::kCallable; }
  bool is_loop() const { return kind() == ValueKind::kLoop; }

  const std::string& undefined_name() const { return std::get<Undefined>(data_).name; }
  bool as_bool() const { return std::get<bool>(data_); }
  // The integer value of an int or bool.
  int64_t as_int() const { return is_bool() ? (as_bool() ? 1 : 0) : std::get<int64_t>(data_); }
  // The float value of any number.
  double as_double() const { return is_float() ? std::get<double>(data_) : static_cast<double>(as_int()); }
  const std::string& as_string() const { return *std::get<StringPtr>(data_); }
  const ListData& as_list() const { return *std::get<ListPtr>(data_); }
  const DictData& as_dict() const { return *std::get<DictPtr>(data_); }
  DictData& as_namespace() const { return *std::get<NamespacePtr>(data_); }
  const CallableData& as_callable() const { return *std::get<CallablePtr>(data_); }
  const LoopState& as_loop() const { return *std::get<LoopPtr>(data_); }
  bool SameNamespace(const Value& other) const {
    return is_namespace() && other.is_namespace() && std::get<NamespacePtr>(data_) == std::get<NamespacePtr>(other.data_);
  }

  // Python truthiness (Undefined is false).
  bool Truthy() const;
  // Python type name for error messages ("str", "int", "NoneType", …).
  const char* TypeName() const;

 private:
  using Variant = std::variant<Undefined, NoneValue, bool, int64_t, double, StringPtr, ListPtr, DictPtr,
                               NamespacePtr, CallablePtr, LoopPtr>;
  template <typename T>
  explicit Value(T v) : data_(std::move(v)) {}
  Variant data_;
};

struct ListData {
  std::vector<Value> items;
  bool is_tuple = false;
  int depth = 1;  // nesting of lists/dicts inside, counting this one
};

// An insertion-ordered dict. Keys are hashable values (str, numbers, None,
// tuples of those); as in Python, 1, 1.0 and True are the same key.
class DictData {
 public:
  const Value* Find(std::string_view key) const;  // string key
  const Value* FindKey(const Value& key) const;   // null when absent or unhashable
  void Set(std::string key, Value value);         // replaces in place or appends
  // False (and no change) when the key is unhashable (a list or dict).
  bool SetKey(const Value& key, Value value);
  const std::vector<std::pair<Value, Value>>& entries() const { return entries_; }
  size_t size() const { return entries_.size(); }
  void Clear();
  int depth() const { return depth_; }  // nesting of lists/dicts inside, counting this one

 private:
  int depth_ = 1;
  std::vector<std::pair<Value, Value>> entries_;
  std::unordered_map<std::string, size_t> index_;  // HashKey(key) -> entry
};

// The identity of a dict key ("s:text", "n:1", …); nullopt for unhashable values.
std::optional<std::string> HashKey(const Value& key);

// The state behind `loop` inside a for body.
struct LoopState {
  int64_t index0 = 0;
  std::shared_ptr<const ListData> items;  // the (filtered) sequence being iterated
};

inline Value Value::Dict(DictData dict) { return Value(std::make_shared<const DictData>(std::move(dict))); }
inline Value Value::Namespace(DictData attributes) { return Value(std::make_shared<DictData>(std::move(attributes))); }

// How deeply lists and dicts nest inside `value` (0 for scalars; a namespace
// counts as 1, since it is mutable and owned by the render that made it).
int ValueDepth(const Value& value);

// Python `a == b` (1 == 1.0 == True; lists and dicts compare deeply;
// Undefined equals only Undefined). `depth_left` bounds recursion; `work`,
// when given, grows by the elements and string bytes/64 visited.
bool ValuesEqual(const Value& a, const Value& b, int64_t* work = nullptr, int depth_left = 600);

// Python `a < b` for numbers, strings and lists; nullopt when the types are
// not orderable (Python raises TypeError). `work` as for ValuesEqual.
std::optional<bool> ValueLess(const Value& a, const Value& b, int64_t* work = nullptr, int depth_left = 600);

}  // namespace fab::jinja
