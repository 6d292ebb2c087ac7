// jinja2's string filters: each works on str(input).
#include <algorithm>
#include <optional>

#include "tokenizer/jinja/filter_helpers.h"
#include "tokenizer/jinja/python_string.h"

namespace fab::jinja {
namespace {

std::string HtmlEscape(const std::string& s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&#34;"; break;
      case '\'': out += "&#39;"; break;
      default: out.push_back(c);
    }
  }
  return out;
}

// jinja2's `indent` filter (3.x): every line but the first (unless `first`)
// gets the indentation; blank lines only when `blank`. nullopt when the
// result would exceed max_bytes.
std::optional<std::string> Indent(const std::string& text, const std::string& indentation, bool first, bool blank,
                                  size_t max_bytes) {
  std::vector<std::string> lines = PythonSplitLines(text + "\n");
  std::string out;
  for (size_t i = 0; i < lines.size(); ++i) {
    if (i > 0) out += "\n";
    bool indent_line = i == 0 ? first : (blank || !lines[i].empty());
    if (indent_line) out += indentation;
    out += lines[i];
    if (out.size() > max_bytes) return std::nullopt;
  }
  if (lines.empty() && first) out = indentation;
  return out;
}

// Python str.center(width): the odd space goes right unless both the
// padding and the width are odd.
std::string Center(const std::string& text, int64_t width) {
  int64_t length = static_cast<int64_t>(CodePointCount(text));
  if (width <= length) return text;
  int64_t pad = width - length;
  int64_t left = pad / 2 + (pad & width & 1);
  return std::string(static_cast<size_t>(left), ' ') + text + std::string(static_cast<size_t>(pad - left), ' ');
}

int64_t WordCount(const std::string& text) {
  int64_t words = 0;
  bool in_word = false;
  for (char32_t c : DecodeUtf8(text)) {
    bool word_char = c == '_' || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                     (c >= 0x80 && !IsPythonSpace(c));
    if (word_char && !in_word) ++words;
    in_word = word_char;
  }
  return words;
}

}  // namespace

bool IsTextFilter(const std::string& name) {
  return name == "trim" || name == "lower" || name == "upper" || name == "capitalize" || name == "title" ||
         name == "e" || name == "escape" || name == "wordcount" || name == "replace" || name == "indent" ||
         name == "center";
}

StatusOr<Value> ApplyTextFilter(Interpreter& interp, const std::string& name, const std::string& text,
                                const CallArgs& args, const Expr& at) {
  FAB_RETURN_IF_ERROR(interp.Charge(static_cast<int64_t>(text.size()) / 64));
  if (name == "trim") {
    const Value* chars = args.Get(0, "chars");
    std::optional<std::string> set;
    if (chars != nullptr && !chars->is_none()) {
      if (!chars->is_string()) return interp.Error(at, "trim: chars must be a string");
      set = chars->as_string();
    }
    return interp.MakeString(PythonStrip(text, set, true, true));
  }
  if (name == "lower") return interp.MakeString(PythonLower(text));
  if (name == "upper") return interp.MakeString(PythonUpper(text));
  if (name == "capitalize") return interp.MakeString(PythonCapitalize(text));
  if (name == "title") return interp.MakeString(JinjaTitle(text));
  if (name == "e" || name == "escape") return interp.MakeString(HtmlEscape(text));
  if (name == "wordcount") return Value::Int(WordCount(text));
  if (name == "replace") {
    const Value* from = args.Get(0, "old");
    const Value* to = args.Get(1, "new");
    const Value* count = args.Get(2, "count");
    if (from == nullptr || to == nullptr) return interp.Error(at, "replace: expected old and new");
    FAB_ASSIGN_OR_RETURN(std::string from_text, interp.Str(*from));
    FAB_ASSIGN_OR_RETURN(std::string to_text, interp.Str(*to));
    int64_t n = count != nullptr && count->is_integral() ? count->as_int() : -1;
    auto out = PythonReplace(text, from_text, to_text, n, interp.limits().max_output_bytes);
    if (!out) return ResourceExhaustedError("replace result exceeds the size limit");
    return interp.MakeString(std::move(*out));
  }
  if (name == "center") {
    const Value* width = args.Get(0, "width");
    int64_t w = width != nullptr && width->is_integral() ? width->as_int() : 80;
    if (w > static_cast<int64_t>(interp.limits().max_output_bytes)) return ResourceExhaustedError("center width over the size limit");
    return interp.MakeString(Center(text, w));
  }
  std::string indentation = "    ";
  if (const Value* w = args.Get(0, "width")) {
    if (w->is_string()) {
      indentation = w->as_string();
    } else if (w->is_integral()) {
      if (w->as_int() > 1024) return ResourceExhaustedError("indent width over 1024");
      indentation = std::string(static_cast<size_t>(std::max<int64_t>(0, w->as_int())), ' ');
    }
  }
  const Value* first = args.Get(1, "first");
  const Value* blank = args.Get(2, "blank");
  std::optional<std::string> out = Indent(text, indentation, first && first->Truthy(), blank && blank->Truthy(),
                                          interp.limits().max_output_bytes);
  if (!out) return ResourceExhaustedError("indent result exceeds the size limit");
  return interp.MakeString(std::move(*out));
}

}  // namespace fab::jinja
