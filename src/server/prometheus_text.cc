// The lines this reader understands (text format 0.0.4), '\n'-separated:
//   # HELP ... / # TYPE ... / # anything     a comment, skipped
//   name value [timestamp]
//   name{label="value",label2="v\"2\""} value [timestamp]
// Names are [a-zA-Z_:][a-zA-Z0-9_:]* (labels: no ':'); blanks are spaces or
// tabs; label values escape only \\, \" and \n; a value is a Go float
// ("1.5e3", "NaN", "+Inf", "-Inf"); a timestamp is an integer (ignored).
#include "server/prometheus_text.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace fab::server {
namespace {

struct Label {
  std::string name;
  std::string value;
};

bool IsNameStart(char c, bool allow_colon) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || (allow_colon && c == ':');
}
bool IsNameChar(char c, bool allow_colon) { return IsNameStart(c, allow_colon) || (c >= '0' && c <= '9'); }
bool IsBlank(char c) { return c == ' ' || c == '\t'; }

// Reads one line left to right; every Take/Consume stops at the line's end.
class LineCursor {
 public:
  explicit LineCursor(std::string_view line) : rest_(line) {}
  bool AtEnd() const { return rest_.empty(); }
  // Skips spaces and tabs; says whether there were any.
  bool SkipBlanks() {
    const size_t n_blanks = std::min(rest_.find_first_not_of(" \t"), rest_.size());
    rest_.remove_prefix(n_blanks);
    return n_blanks > 0;
  }
  bool Consume(char c) {
    if (rest_.empty() || rest_.front() != c) return false;
    rest_.remove_prefix(1);
    return true;
  }
  // The longest name at the cursor; "" when there is none.
  std::string_view TakeName(bool allow_colon) {
    if (rest_.empty() || !IsNameStart(rest_.front(), allow_colon)) return {};
    size_t length = 1;
    while (length < rest_.size() && IsNameChar(rest_[length], allow_colon)) ++length;
    return Take(length);
  }
  // Everything up to the next blank.
  std::string_view TakeToken() {
    size_t length = 0;
    while (length < rest_.size() && !IsBlank(rest_[length])) ++length;
    return Take(length);
  }
  // A double-quoted, escaped label value into *value.
  bool TakeQuoted(std::string* value) {
    if (!Consume('"')) return false;
    while (!rest_.empty()) {
      const char c = Take(1).front();
      if (c == '"') return true;
      if (c != '\\') {
        value->push_back(c);
        continue;
      }
      if (rest_.empty()) return false;
      const char escaped = Take(1).front();
      if (escaped == '\\' || escaped == '"') value->push_back(escaped);
      else if (escaped == 'n') value->push_back('\n');
      else return false;
    }
    return false;  // no closing quote
  }

 private:
  std::string_view Take(size_t length) {
    const std::string_view taken = rest_.substr(0, length);
    rest_.remove_prefix(length);
    return taken;
  }
  std::string_view rest_;
};

// `name="value", ...}` after an opening brace, through the closing one.
bool ParseLabelSet(LineCursor& cursor, std::vector<Label>* labels) {
  while (true) {
    cursor.SkipBlanks();
    if (cursor.Consume('}')) return true;
    Label label;
    label.name = std::string(cursor.TakeName(/*allow_colon=*/false));
    cursor.SkipBlanks();
    if (label.name.empty() || !cursor.Consume('=')) return false;
    cursor.SkipBlanks();
    if (!cursor.TakeQuoted(&label.value) || labels->size() == kMaxPrometheusLabels) return false;
    labels->push_back(std::move(label));
    cursor.SkipBlanks();
    if (cursor.Consume('}')) return true;
    if (!cursor.Consume(',')) return false;
  }
}

bool EqualsIgnoringCase(std::string_view text, std::string_view lower) {
  if (text.size() != lower.size()) return false;
  for (size_t char_idx = 0; char_idx < text.size(); ++char_idx) {
    const char c = text[char_idx];
    if ((c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c) != lower[char_idx]) return false;
  }
  return true;
}

// A sample value as Go's ParseFloat reads it (decimal; NaN, Inf with a sign).
std::optional<double> ParseValue(std::string_view token) {
  constexpr double kInfinity = std::numeric_limits<double>::infinity();
  if (EqualsIgnoringCase(token, "nan")) return std::numeric_limits<double>::quiet_NaN();
  if (EqualsIgnoringCase(token, "+inf") || EqualsIgnoringCase(token, "inf")) return kInfinity;
  if (EqualsIgnoringCase(token, "-inf")) return -kInfinity;
  if (token.starts_with('+')) {
    token.remove_prefix(1);
    if (token.starts_with('+') || token.starts_with('-')) return std::nullopt;
  }
  double value = 0;
  const auto [end, error] = std::from_chars(token.data(), token.data() + token.size(), value);
  if (error != std::errc() || end != token.data() + token.size()) return std::nullopt;
  return value;
}

bool IsTimestamp(std::string_view token) {
  int64_t milliseconds = 0;
  const auto [end, error] = std::from_chars(token.data(), token.data() + token.size(), milliseconds);
  return error == std::errc() && end == token.data() + token.size();
}

struct Sample {
  std::vector<Label> labels;
  double value = 0;
};

// The sample on `line` when it is one of `metric`; nullopt for comments,
// other metrics and lines that do not parse.
std::optional<Sample> ParseSampleOf(std::string_view line, std::string_view metric) {
  LineCursor cursor(line);
  cursor.SkipBlanks();
  if (cursor.TakeName(/*allow_colon=*/true) != metric) return std::nullopt;  // "#" lines take no name
  Sample sample;
  bool blank_before_value = cursor.SkipBlanks();
  if (cursor.Consume('{')) {
    if (!ParseLabelSet(cursor, &sample.labels)) return std::nullopt;
    blank_before_value = cursor.SkipBlanks();
  }
  if (!blank_before_value) return std::nullopt;
  const std::optional<double> value = ParseValue(cursor.TakeToken());
  if (!value) return std::nullopt;
  sample.value = *value;
  cursor.SkipBlanks();
  if (!cursor.AtEnd() && !IsTimestamp(cursor.TakeToken())) return std::nullopt;
  cursor.SkipBlanks();
  if (!cursor.AtEnd()) return std::nullopt;
  return sample;
}

// `a="1",b="2"` or `{a="1",b="2"}` into its pairs; "" has none.
StatusOr<std::vector<Label>> ParseLabelFilter(std::string_view filter) {
  if (filter.size() > kMaxPrometheusLineBytes) return InvalidArgumentError("the label filter is too long");
  const size_t first = filter.find_first_not_of(" \t");
  if (first == std::string_view::npos) return std::vector<Label>{};
  const std::string_view trimmed = filter.substr(first, filter.find_last_not_of(" \t") + 1 - first);
  const bool add_braces = !trimmed.starts_with('{');
  std::string braced;
  if (add_braces) braced.push_back('{');
  braced.append(trimmed);
  if (add_braces) braced.push_back('}');
  LineCursor cursor(braced);
  std::vector<Label> labels;
  if (!cursor.Consume('{') || !ParseLabelSet(cursor, &labels) || !cursor.AtEnd()) {
    return InvalidArgumentError("the label filter must be name=\"value\" pairs separated by commas, not '" +
                                std::string(filter) + "'");
  }
  return labels;
}

bool CarriesAll(const std::vector<Label>& labels, const std::vector<Label>& wanted) {
  for (const Label& want : wanted) {
    bool found = false;
    for (const Label& label : labels) found = found || (label.name == want.name && label.value == want.value);
    if (!found) return false;
  }
  return true;
}

bool IsMetricName(std::string_view name) {
  LineCursor cursor(name);
  return !name.empty() && name.size() <= kMaxPrometheusLineBytes && cursor.TakeName(/*allow_colon=*/true).size() == name.size();
}

}  // namespace

StatusOr<double> SumPrometheusSamples(std::string_view page, std::string_view metric,
                                      std::string_view label_filter) {
  if (!IsMetricName(metric)) return InvalidArgumentError("not a Prometheus metric name: '" + std::string(metric) + "'");
  FAB_ASSIGN_OR_RETURN(const std::vector<Label> wanted, ParseLabelFilter(label_filter));
  if (page.size() > kMaxPrometheusPageBytes) {
    return ResourceExhaustedError("metrics page of " + std::to_string(page.size()) + " bytes is over the limit");
  }
  double sum = 0;
  size_t n_summed = 0;
  size_t n_not_finite = 0;
  while (!page.empty()) {
    const size_t line_end = std::min(page.find('\n'), page.size());
    std::string_view line = page.substr(0, line_end);
    page.remove_prefix(std::min(line_end + 1, page.size()));
    if (line.size() > kMaxPrometheusLineBytes) continue;
    if (line.ends_with('\r')) line.remove_suffix(1);
    const std::optional<Sample> sample = ParseSampleOf(line, metric);
    if (!sample || !CarriesAll(sample->labels, wanted)) continue;
    if (!std::isfinite(sample->value)) {
      ++n_not_finite;
      continue;
    }
    sum += sample->value;
    ++n_summed;
  }
  if (n_summed == 0) {
    return NotFoundError("no " + std::string(n_not_finite > 0 ? "finite " : "") + "sample of " + std::string(metric) +
                         (label_filter.empty() ? "" : " with " + std::string(label_filter)) + " on the page");
  }
  if (!std::isfinite(sum)) return OutOfRangeError("the samples of " + std::string(metric) + " overflow a double");
  return sum;
}

}  // namespace fab::server
