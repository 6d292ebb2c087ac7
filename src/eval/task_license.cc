#include "eval/task_license.h"

#include <array>
#include <cctype>

namespace fab::eval {
namespace {

// Lower case, runs of spaces, '_' and '-' as one '-', trimmed: "CC BY-SA 4.0" → "cc-by-sa-4.0".
std::string Normalise(std::string_view text) {
  std::string out;
  for (char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (std::isspace(byte) || c == '_' || c == '-') {
      if (!out.empty() && out.back() != '-') out += '-';
    } else {
      out += static_cast<char>(std::tolower(byte));
    }
  }
  while (!out.empty() && out.back() == '-') out.pop_back();
  return out;
}

bool Contains(const std::string& text, std::string_view part) { return text.find(part) != std::string::npos; }

// The licence ids (normalised) that allow redistribution for any use; a
// version suffix ("-4.0") is optional.
constexpr std::array<std::string_view, 20> kOpen = {
    "cc0",        "cc-by",       "cc-by-sa",   "odc-by",      "odbl",         "pddl",     "cdla-permissive",
    "cdla-sharing", "mit",       "apache",     "bsd-2-clause", "bsd-3-clause", "bsd",     "unlicense",
    "public-domain", "isc",      "zlib",       "cc-pddc",     "0bsd",         "openrail"};

// `id` followed by nothing, or by a version ("-4.0", "-2.0", "-1.0-international").
bool IsOpenId(const std::string& text) {
  for (std::string_view id : kOpen) {
    if (text.rfind(id, 0) != 0) continue;
    if (text.size() == id.size()) return true;
    const char next = text[id.size()];
    if (next == '-' && id.size() + 1 < text.size() && std::isdigit(static_cast<unsigned char>(text[id.size() + 1]))) {
      return true;
    }
    if (next == '-' && text.substr(id.size() + 1).rfind("license", 0) == 0) return true;
  }
  return false;
}

}  // namespace

LicenseVerdict ClassifyLicense(std::string_view license) {
  const std::string text = Normalise(license);
  if (text.empty()) return {Redistribution::kUnknown, "no licence is recorded"};
  struct Marker {
    std::string_view part;
    const char* why;
  };
  static constexpr std::array<Marker, 15> kForbidding = {{
      {"-nc", "its terms are non-commercial"},
      {"noncommercial", "its terms are non-commercial"},
      {"non-commercial", "its terms are non-commercial"},
      {"-nd", "its terms forbid derivatives"},
      {"noderivatives", "its terms forbid derivatives"},
      {"no-redistribut", "its terms forbid redistribution"},
      {"not-redistribut", "its terms forbid redistribution"},
      {"non-redistribut", "its terms forbid redistribution"},
      {"not-be-redistribut", "its terms forbid redistribution"},
      {"all-rights-reserved", "all rights are reserved"},
      {"proprietary", "it is proprietary"},
      {"research-only", "it is for research only"},
      {"research-use-only", "it is for research only"},
      {"internal", "it is for internal use"},
      {"confidential", "it is confidential"},
  }};
  for (const Marker& marker : kForbidding) {
    if (Contains(text, marker.part)) return {Redistribution::kForbidden, marker.why};
  }
  if (IsOpenId(text)) return {Redistribution::kAllowed, ""};
  return {Redistribution::kUnknown, "'" + std::string(license.substr(0, 64)) +
                                        "' is not a licence known to allow redistribution (give its SPDX id)"};
}

const char* RedistributionName(Redistribution redistribution) {
  switch (redistribution) {
    case Redistribution::kAllowed: return "allowed";
    case Redistribution::kForbidden: return "forbidden";
    case Redistribution::kUnknown: break;
  }
  return "unknown";
}

}  // namespace fab::eval
