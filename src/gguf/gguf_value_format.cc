// GgufValue::ToShortString: one-line renderings of metadata values for
// `model inspect`, bounded in length however large the value is.
#include <charconv>
#include <cstdio>
#include <string>
#include <string_view>

#include "gguf/gguf_value.h"

namespace fab {
namespace {

constexpr std::string_view kEllipsis = "...";

// Appends text until the output holds more than `budget` bytes, then ignores
// the rest, so rendering a 256K-element array costs only what is shown.
class BoundedText {
 public:
  explicit BoundedText(size_t budget) : budget_(budget) {}
  bool full() const { return text_.size() > budget_; }
  void Append(std::string_view piece) {
    if (!full()) text_.append(piece);
  }
  std::string Finish(size_t max_chars) &&;

 private:
  size_t budget_;
  std::string text_;
};

// Largest cut <= limit that does not split a UTF-8 sequence.
size_t Utf8Boundary(const std::string& text, size_t limit) {
  size_t cut = limit;
  while (cut > 0 && cut < text.size() && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
  return cut;
}

std::string BoundedText::Finish(size_t max_chars) && {
  if (text_.size() <= max_chars) return std::move(text_);
  if (max_chars < kEllipsis.size()) return text_.substr(0, Utf8Boundary(text_, max_chars));
  std::string cut = text_.substr(0, Utf8Boundary(text_, max_chars - kEllipsis.size()));
  cut.append(kEllipsis);
  return cut;
}

template <typename Float>
std::string FloatText(Float value) {
  char buffer[64];
  auto result = std::to_chars(buffer, buffer + sizeof(buffer), value);
  return std::string(buffer, result.ptr);
}

void AppendQuoted(const std::string& value, BoundedText& out) {
  out.Append("\"");
  for (char c : value) {
    if (out.full()) return;
    unsigned char byte = static_cast<unsigned char>(c);
    switch (c) {
      case '"': out.Append("\\\""); break;
      case '\\': out.Append("\\\\"); break;
      case '\n': out.Append("\\n"); break;
      case '\r': out.Append("\\r"); break;
      case '\t': out.Append("\\t"); break;
      default:
        if (byte < 0x20 || byte == 0x7F) {
          char escaped[8];
          std::snprintf(escaped, sizeof(escaped), "\\x%02x", byte);
          out.Append(escaped);
        } else {
          out.Append(std::string_view(&c, 1));
        }
    }
  }
  out.Append("\"");
}

void AppendArrayHeader(const GgufValue& value, BoundedText& out) {
  out.Append("[");
  out.Append(std::to_string(value.AsArray()->size()));
  out.Append(" × ");
  out.Append(GgufValueTypeName(value.array_element_type()));
  out.Append("]");
}

void AppendScalar(const GgufValue& value, BoundedText& out) {
  switch (value.type()) {
    case GgufValueType::kBool: out.Append(*value.AsBool() ? "true" : "false"); return;
    case GgufValueType::kString: AppendQuoted(*value.AsString(), out); return;
    case GgufValueType::kFloat32: out.Append(FloatText(static_cast<float>(*value.AsFloat()))); return;
    case GgufValueType::kFloat64: out.Append(FloatText(*value.AsFloat())); return;
    case GgufValueType::kArray: AppendArrayHeader(value, out); return;
    default: break;
  }
  if (std::optional<uint64_t> unsigned_value = value.AsUint()) {
    out.Append(std::to_string(*unsigned_value));
  } else if (std::optional<int64_t> signed_value = value.AsInt()) {
    out.Append(std::to_string(*signed_value));
  }
}

}  // namespace

std::string GgufValue::ToShortString(size_t max_chars) const {
  BoundedText out(max_chars);
  if (type_ != GgufValueType::kArray) {
    AppendScalar(*this, out);
    return std::move(out).Finish(max_chars);
  }
  AppendArrayHeader(*this, out);
  bool first = true;
  for (const GgufValue& element : *AsArray()) {
    if (out.full()) break;
    out.Append(first ? " " : ", ");
    first = false;
    AppendScalar(element, out);  // nested arrays show only their header
  }
  return std::move(out).Finish(max_chars);
}

}  // namespace fab
