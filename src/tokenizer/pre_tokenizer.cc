#include "tokenizer/pre_tokenizer.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include <cstdint>
#include <string>
#include <utility>

namespace fab::tokenizer_internal {
namespace {

// The patterns are those of the families' tokenizer.json files, written the
// way transformers.js runs them: "(?i:'s|'t|…)" spelled out with explicit
// letter classes (JavaScript has no inline flags, so "'ſ" is not "'s"), and
// \s / \S meaning JavaScript's white space (see kWhiteSpaceClass).
constexpr std::string_view kContractions =
    "(?:'(?:[sS]|[tT]|[rR][eE]|[vV][eE]|[mM]|[lL][lL]|[dD]))";

// JavaScript's \s: Unicode Zs, tab, LF, VT, FF, CR, U+2028, U+2029 and the
// byte-order mark U+FEFF (PCRE2's own \s lacks U+FEFF).
constexpr std::string_view kWhiteSpaceClass =
    "\\t\\n\\x{0B}\\f\\r \\x{A0}\\x{1680}\\x{2000}-\\x{200A}\\x{2028}\\x{2029}\\x{202F}"
    "\\x{205F}\\x{3000}\\x{FEFF}";

// `pattern` with "(?i:contractions)" → kContractions and \s, \S → explicit
// classes of kWhiteSpaceClass (inside a [...] class, \s adds its members).
std::string ToPcrePattern(std::string_view pattern) {
  constexpr std::string_view kCaseless = "(?i:'s|'t|'re|'ve|'m|'ll|'d)";
  std::string result;
  bool in_class = false;
  for (size_t pos = 0; pos < pattern.size();) {
    if (pattern.substr(pos, kCaseless.size()) == kCaseless) {
      result.append(kContractions);
      pos += kCaseless.size();
      continue;
    }
    const char c = pattern[pos];
    if (c == '\\' && pos + 1 < pattern.size()) {
      const char escaped = pattern[pos + 1];
      if (escaped == 's') {
        if (in_class) {
          result.append(kWhiteSpaceClass);
        } else {
          result.append("[").append(kWhiteSpaceClass).append("]");
        }
      } else if (escaped == 'S' && !in_class) {
        result.append("[^").append(kWhiteSpaceClass).append("]");
      } else {
        result.append(pattern.substr(pos, 2));
      }
      pos += 2;
      continue;
    }
    if (c == '[' && !in_class) {
      in_class = true;
      result.push_back(c);
      // A ']' (or "^]") right after '[' is a member, not the end.
      if (pos + 1 < pattern.size() && pattern[pos + 1] == '^') result.push_back(pattern[++pos]);
      if (pos + 1 < pattern.size() && pattern[pos + 1] == ']') result.push_back(pattern[++pos]);
      ++pos;
      continue;
    }
    if (c == ']' && in_class) in_class = false;
    result.push_back(c);
    ++pos;
  }
  return result;
}

constexpr std::string_view kLlama3Pattern =
    "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}|"
    " ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
constexpr std::string_view kQwen2Pattern =
    "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}|"
    " ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
constexpr std::string_view kGpt2Pattern =
    "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+";
constexpr std::string_view kDeepSeekV3Digits = "\\p{N}{1,3}";
constexpr std::string_view kDeepSeekV3Cjk =
    "[\\x{4E00}-\\x{9FA5}\\x{3040}-\\x{309F}\\x{30A0}-\\x{30FF}]+";
constexpr std::string_view kDeepSeekV3Words =
    "[!\"#$%&'()*+,\\-./:;<=>?@\\[\\\\\\]^_`{|}~][A-Za-z]+|"
    "[^\\r\\n\\p{L}\\p{P}\\p{S}]?[\\p{L}\\p{M}]+| ?[\\p{P}\\p{S}]+[\\r\\n]*|"
    "\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
constexpr std::string_view kGpt4oPattern =
    "[^\\r\\n\\p{L}\\p{N}]?[\\p{Lu}\\p{Lt}\\p{Lm}\\p{Lo}\\p{M}]*[\\p{Ll}\\p{Lm}\\p{Lo}\\p{M}]+"
    "(?i:'s|'t|'re|'ve|'m|'ll|'d)?|"
    "[^\\r\\n\\p{L}\\p{N}]?[\\p{Lu}\\p{Lt}\\p{Lm}\\p{Lo}\\p{M}]+[\\p{Ll}\\p{Lm}\\p{Lo}\\p{M}]*"
    "(?i:'s|'t|'re|'ve|'m|'ll|'d)?|"
    "\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n/]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
// Mistral's tekken (Nemo): gpt-4o's without contractions, one digit a piece.
constexpr std::string_view kTekkenPattern =
    "[^\\r\\n\\p{L}\\p{N}]?[\\p{Lu}\\p{Lt}\\p{Lm}\\p{Lo}\\p{M}]*[\\p{Ll}\\p{Lm}\\p{Lo}\\p{M}]+|"
    "[^\\r\\n\\p{L}\\p{N}]?[\\p{Lu}\\p{Lt}\\p{Lm}\\p{Lo}\\p{M}]+[\\p{Ll}\\p{Lm}\\p{Lo}\\p{M}]*|"
    "\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n/]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";

// The Split stages of each family, in order; empty for an unknown name.
std::vector<std::string_view> PatternsFor(std::string_view name) {
  if (name == "llama-bpe") return {kLlama3Pattern};
  if (name == "qwen2") return {kQwen2Pattern};
  if (name == "gpt-2" || name == "default") return {kGpt2Pattern};
  if (name == "deepseek-v3") return {kDeepSeekV3Digits, kDeepSeekV3Cjk, kDeepSeekV3Words};
  if (name == "gpt-4o") return {kGpt4oPattern};
  if (name == "tekken") return {kTekkenPattern};
  return {};
}

// The JIT may use up to this much stack per thread before a match falls back
// to the interpreter (reserved lazily; the supported patterns need far less).
constexpr size_t kJitStackStartBytes = 32 * 1024;
constexpr size_t kJitStackMaxBytes = 8 * 1024 * 1024;

// Per-thread PCRE2 match state shared by every pattern: one ovector pair
// (the patterns capture nothing), a JIT stack and a match context.
struct MatchState {
  MatchState()
      : data(pcre2_match_data_create(1, nullptr)),
        context(pcre2_match_context_create(nullptr)),
        jit_stack(pcre2_jit_stack_create(kJitStackStartBytes, kJitStackMaxBytes, nullptr)) {
    if (context != nullptr) {
      // Every supported pattern is linear; the default match limit would
      // refuse long single-character runs under the interpreter.
      pcre2_set_match_limit(context, UINT32_MAX);
      if (jit_stack != nullptr) pcre2_jit_stack_assign(context, nullptr, jit_stack);
    }
  }
  ~MatchState() {
    pcre2_jit_stack_free(jit_stack);
    pcre2_match_context_free(context);
    pcre2_match_data_free(data);
  }
  MatchState(const MatchState&) = delete;
  MatchState& operator=(const MatchState&) = delete;

  bool ok() const { return data != nullptr && context != nullptr; }

  pcre2_match_data* data;
  pcre2_match_context* context;
  pcre2_jit_stack* jit_stack;
};

MatchState& ThreadMatchState() {
  thread_local MatchState state;
  return state;
}

size_t Utf8CharLength(unsigned char lead) {
  if (lead < 0x80) return 1;
  if (lead < 0xE0) return 2;
  if (lead < 0xF0) return 3;
  return 4;
}

std::string PcreErrorText(int error_code) {
  PCRE2_UCHAR buffer[256];
  if (pcre2_get_error_message(error_code, buffer, sizeof(buffer)) < 0) {
    return "PCRE2 error " + std::to_string(error_code);
  }
  return std::string(reinterpret_cast<const char*>(buffer));
}

}  // namespace

// One compiled Split pattern ("Isolated", not inverted).
class PreTokenizer::Stage {
 public:
  static StatusOr<std::unique_ptr<Stage>> Compile(std::string_view pattern) {
    const std::string pcre_pattern = ToPcrePattern(pattern);
    int error_code = 0;
    PCRE2_SIZE error_offset = 0;
    pcre2_code* code =
        pcre2_compile(reinterpret_cast<PCRE2_SPTR>(pcre_pattern.data()), pcre_pattern.size(),
                      PCRE2_UTF | PCRE2_UCP, &error_code, &error_offset, nullptr);
    if (code == nullptr) {
      return InternalError("pre-tokenizer pattern does not compile at offset " +
                           std::to_string(error_offset) + ": " + PcreErrorText(error_code));
    }
    // Without JIT support (or memory for it) matching uses the interpreter.
    const bool jit = pcre2_jit_compile(code, PCRE2_JIT_COMPLETE) == 0;
    return std::unique_ptr<Stage>(new Stage(code, jit));
  }

  ~Stage() { pcre2_code_free(code_); }
  Stage(const Stage&) = delete;
  Stage& operator=(const Stage&) = delete;

  // Appends the matches of the pattern in `text` and the gaps between them.
  Status Split(std::string_view text, std::vector<std::string_view>* pieces) const {
    MatchState& state = ThreadMatchState();
    if (!state.ok()) return ResourceExhaustedError("no memory for the pre-tokenizer's matcher");
    size_t gap_start = 0;
    size_t offset = 0;
    while (offset < text.size()) {
      FAB_ASSIGN_OR_RETURN(const bool found, Match(text, offset, state));
      if (!found) break;
      const PCRE2_SIZE* ovector = pcre2_get_ovector_pointer(state.data);
      const size_t start = ovector[0];
      const size_t end = ovector[1];
      if (end == start) {  // never for the built-in patterns; step over one character
        if (start >= text.size()) break;
        offset = start + Utf8CharLength(static_cast<unsigned char>(text[start]));
        continue;
      }
      if (start > gap_start) pieces->push_back(text.substr(gap_start, start - gap_start));
      pieces->push_back(text.substr(start, end - start));
      gap_start = offset = end;
    }
    if (gap_start < text.size()) pieces->push_back(text.substr(gap_start));
    return OkStatus();
  }

 private:
  Stage(pcre2_code* code, bool jit) : code_(code), jit_(jit) {}

  // Searches from `offset`; true when a match is in state.data's ovector.
  StatusOr<bool> Match(std::string_view text, size_t offset, MatchState& state) const {
    const auto* subject = reinterpret_cast<PCRE2_SPTR>(text.data());
    int rc = PCRE2_ERROR_JIT_STACKLIMIT;
    if (jit_) {
      rc = pcre2_match(code_, subject, text.size(), offset, PCRE2_NO_UTF_CHECK, state.data,
                       state.context);
    }
    if (rc == PCRE2_ERROR_JIT_STACKLIMIT) {
      rc = pcre2_match(code_, subject, text.size(), offset, PCRE2_NO_UTF_CHECK | PCRE2_NO_JIT,
                       state.data, state.context);
    }
    if (rc >= 0) return true;  // 0: matched, ovector too small for captures
    if (rc == PCRE2_ERROR_NOMATCH) return false;
    if (rc == PCRE2_ERROR_HEAPLIMIT || rc == PCRE2_ERROR_MATCHLIMIT ||
        rc == PCRE2_ERROR_DEPTHLIMIT || rc == PCRE2_ERROR_NOMEMORY) {
      return ResourceExhaustedError("pre-tokenizer regex ran out of resources: " +
                                    PcreErrorText(rc));
    }
    return InternalError("pre-tokenizer regex failed: " + PcreErrorText(rc));
  }

  pcre2_code* code_;
  bool jit_;
};

StatusOr<std::unique_ptr<PreTokenizer>> PreTokenizer::Create(std::string_view name) {
  const std::vector<std::string_view> patterns = PatternsFor(name);
  if (patterns.empty()) {
    return UnimplementedError("unsupported BPE pre-tokenizer '" + std::string(name) + "'");
  }
  std::vector<std::unique_ptr<Stage>> stages;
  for (std::string_view pattern : patterns) {
    FAB_ASSIGN_OR_RETURN(std::unique_ptr<Stage> stage, Stage::Compile(pattern));
    stages.push_back(std::move(stage));
  }
  return std::unique_ptr<PreTokenizer>(new PreTokenizer(std::move(stages)));
}

bool PreTokenizer::IgnoresMerges(std::string_view name) {
  return name == "llama-bpe" || name == "gpt-4o" || name == "tekken";
}

PreTokenizer::PreTokenizer(std::vector<std::unique_ptr<Stage>> stages)
    : stages_(std::move(stages)) {}

PreTokenizer::~PreTokenizer() = default;

Status PreTokenizer::Split(std::string_view text, std::vector<std::string_view>* pieces) const {
  if (text.empty()) return OkStatus();
  if (stages_.size() == 1) return stages_[0]->Split(text, pieces);
  // A Sequence: every stage splits each piece of the stage before.
  std::vector<std::string_view> current = {text};
  std::vector<std::string_view> next;
  for (size_t stage = 0; stage < stages_.size(); ++stage) {
    const bool last = stage + 1 == stages_.size();
    std::vector<std::string_view>* out = last ? pieces : &next;
    for (std::string_view piece : current) FAB_RETURN_IF_ERROR(stages_[stage]->Split(piece, out));
    current.swap(next);
    next.clear();
  }
  return OkStatus();
}

}  // namespace fab::tokenizer_internal
