#include "tokenizer/hf_pipeline.h"

#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace fab::hf_import {
namespace {

constexpr std::string_view kSpaceMarker = "\xE2\x96\x81";  // U+2581 "▁"

// The split regexes (in order) of each pre-tokenizer we can name, as the
// Split pre-tokenizers of tokenizer.json spell them.
struct KnownPreTokenizer {
  std::string_view name;
  std::array<std::string_view, 3> patterns;  // unused slots are empty
};

constexpr std::string_view kLlama3Pattern =
    R"re((?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)re";
constexpr std::string_view kQwen2Pattern =
    R"re((?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)re";
// DeepSeek V3 writes real CR and LF characters (not \r \n escapes) in its
// third pattern, so it is an ordinary literal.
constexpr std::string_view kDeepSeekV3Patterns[] = {
    R"re(\p{N}{1,3})re",
    "[\u4e00-\u9fa5\u3040-\u309f\u30a0-\u30ff]+",
    "[!\"#$%&'()*+,\\-./:;<=>?@\\[\\\\\\]^_`{|}~][A-Za-z]+|[^\r\n\\p{L}\\p{P}\\p{S}]?[\\p{L}\\p{M}]+"
    "| ?[\\p{P}\\p{S}]+[\r\n]*|\\s*[\r\n]+|\\s+(?!\\S)|\\s+",
};
constexpr std::string_view kGpt4oPattern =
    R"re([^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?|[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n/]*|\s*[\r\n]+|\s+(?!\S)|\s+)re";
constexpr std::string_view kTekkenPattern =
    R"re([^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+|[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n/]*|\s*[\r\n]+|\s+(?!\S)|\s+)re";

constexpr KnownPreTokenizer kKnownPreTokenizers[] = {
    {"llama-bpe", {kLlama3Pattern}},
    {"qwen2", {kQwen2Pattern}},
    {"deepseek-v3", {kDeepSeekV3Patterns[0], kDeepSeekV3Patterns[1], kDeepSeekV3Patterns[2]}},
    {"gpt-4o", {kGpt4oPattern}},
    {"tekken", {kTekkenPattern}},
};

std::optional<std::string_view> NameOfSplits(const std::vector<std::string_view>& patterns) {
  for (const KnownPreTokenizer& known : kKnownPreTokenizers) {
    size_t n_known = 0;
    while (n_known < known.patterns.size() && !known.patterns[n_known].empty()) ++n_known;
    if (n_known != patterns.size()) continue;
    bool same = true;
    for (size_t i = 0; i < n_known; ++i) same = same && known.patterns[i] == patterns[i];
    if (same) return known.name;
  }
  return std::nullopt;
}

StatusOr<bool> HasByteLevelPreTokenizer(const JsonNode& root) {
  std::optional<JsonNode> pre = root.NonNullMember("pre_tokenizer");
  if (!pre) return false;
  FAB_ASSIGN_OR_RETURN(std::vector<JsonNode> steps, ComponentSteps(*pre, "pretokenizers"));
  for (const JsonNode& step : steps) {
    FAB_ASSIGN_OR_RETURN(std::string_view type, ComponentType(step));
    if (type == "ByteLevel") return true;
  }
  return false;
}

// A Split step's regex: Isolated, not inverted, a {"Regex": …} pattern.
StatusOr<std::string_view> SplitRegex(const JsonNode& split) {
  FAB_ASSIGN_OR_RETURN(std::string_view behavior, split.StringMember("behavior", ""));
  if (behavior != "Isolated") {
    return split.Unsupported("Split with behavior " + QuoteForError(behavior) +
                             " (only 'Isolated' is supported)");
  }
  FAB_ASSIGN_OR_RETURN(bool invert, split.BoolMember("invert", false));
  if (invert) return split.Unsupported("inverted Split is not supported");
  std::optional<JsonNode> pattern = split.Member("pattern");
  if (!pattern) return split.Error("a Split without \"pattern\"");
  std::optional<JsonNode> regex = pattern->Member("Regex");
  if (!regex) return pattern->Unsupported("only {\"Regex\": …} split patterns are supported");
  return regex->AsString();
}

StatusOr<std::string> ByteLevelPreName(const JsonNode& pre) {
  FAB_ASSIGN_OR_RETURN(std::vector<JsonNode> steps, ComponentSteps(pre, "pretokenizers"));
  std::vector<std::string_view> patterns;
  for (size_t i = 0; i < steps.size(); ++i) {
    const JsonNode& step = steps[i];
    FAB_ASSIGN_OR_RETURN(std::string_view type, ComponentType(step));
    if (type == "Split") {
      FAB_ASSIGN_OR_RETURN(std::string_view regex, SplitRegex(step));
      patterns.push_back(regex);
      continue;
    }
    if (type != "ByteLevel") {
      return step.Unsupported("pre-tokenizer " + QuoteForError(type) +
                              " is not supported with byte-level BPE");
    }
    if (i + 1 != steps.size()) return step.Unsupported("ByteLevel must be the last pre-tokenizer");
    FAB_ASSIGN_OR_RETURN(bool add_prefix_space, step.BoolMember("add_prefix_space", true));
    if (add_prefix_space) return step.Unsupported("ByteLevel add_prefix_space is not supported");
    FAB_ASSIGN_OR_RETURN(bool use_regex, step.BoolMember("use_regex", true));
    if (use_regex && patterns.empty()) return std::string("gpt-2");
    if (use_regex) return step.Unsupported("Split followed by a ByteLevel with use_regex");
  }
  if (patterns.empty()) return pre.Unsupported("byte-level BPE without any split pattern");
  if (std::optional<std::string_view> name = NameOfSplits(patterns)) return std::string(*name);
  std::string listed;
  for (std::string_view pattern : patterns) listed += (listed.empty() ? "" : ", ") + QuoteForError(pattern, 400);
  return pre.Unsupported("no supported pre-tokenizer splits with " + listed);
}

StatusOr<std::string> ByteLevelNormalizer(const JsonNode& root) {
  std::optional<JsonNode> normalizer = root.NonNullMember("normalizer");
  if (!normalizer) return std::string();
  FAB_ASSIGN_OR_RETURN(std::vector<JsonNode> steps, ComponentSteps(*normalizer, "normalizers"));
  std::string name;
  for (const JsonNode& step : steps) {
    FAB_ASSIGN_OR_RETURN(std::string_view type, ComponentType(step));
    if (type != "NFC") return step.Unsupported("normalizer " + QuoteForError(type) + " is not supported");
    name = "nfc";
  }
  return name;
}

Status CheckByteLevelDecoder(const JsonNode& root) {
  std::optional<JsonNode> decoder = root.NonNullMember("decoder");
  if (!decoder) return OkStatus();
  FAB_ASSIGN_OR_RETURN(std::vector<JsonNode> steps, ComponentSteps(*decoder, "decoders"));
  for (const JsonNode& step : steps) {
    FAB_ASSIGN_OR_RETURN(std::string_view type, ComponentType(step));
    if (type != "ByteLevel") {
      return step.Unsupported("decoder " + QuoteForError(type) + " is not supported with byte-level BPE");
    }
  }
  return OkStatus();
}

// Normalizer steps of SentencePiece-style BPE: Prepend("▁") and
// Replace(" " → "▁"). Sets *replaces_spaces and *prepends.
Status ReadSentencePieceNormalizer(const JsonNode& root, bool* replaces_spaces, bool* prepends) {
  std::optional<JsonNode> normalizer = root.NonNullMember("normalizer");
  if (!normalizer) return OkStatus();
  FAB_ASSIGN_OR_RETURN(std::vector<JsonNode> steps, ComponentSteps(*normalizer, "normalizers"));
  for (const JsonNode& step : steps) {
    FAB_ASSIGN_OR_RETURN(std::string_view type, ComponentType(step));
    if (type == "Prepend") {
      FAB_ASSIGN_OR_RETURN(std::string_view prepend, step.StringMember("prepend", ""));
      if (prepend != kSpaceMarker) return step.Unsupported("Prepend of " + QuoteForError(prepend));
      *prepends = true;
    } else if (type == "Replace") {
      std::optional<JsonNode> pattern = step.Member("pattern");
      std::optional<JsonNode> from = pattern ? pattern->Member("String") : std::nullopt;
      FAB_ASSIGN_OR_RETURN(std::string_view to, step.StringMember("content", ""));
      if (!from || !from->value().is_string() || from->value().as_string() != " " || to != kSpaceMarker) {
        return step.Unsupported("only Replace(\" \" → \"▁\") is supported");
      }
      *replaces_spaces = true;
    } else {
      return step.Unsupported("normalizer " + QuoteForError(type) + " is not supported");
    }
  }
  return OkStatus();
}

// Pre-tokenizers of SentencePiece-style BPE: Metaspace("▁"), or a Split on
// " " that is a no-op once the normalizer has replaced every space.
Status ReadSentencePiecePreTokenizer(const JsonNode& root, bool* replaces_spaces, bool* prepends) {
  std::optional<JsonNode> pre = root.NonNullMember("pre_tokenizer");
  if (!pre) return OkStatus();
  FAB_ASSIGN_OR_RETURN(std::string_view type, ComponentType(*pre));
  if (type == "Metaspace") {
    FAB_ASSIGN_OR_RETURN(std::string_view replacement, pre->StringMember("replacement", kSpaceMarker));
    if (replacement != kSpaceMarker) return pre->Unsupported("Metaspace replacement " + QuoteForError(replacement));
    FAB_ASSIGN_OR_RETURN(bool add_prefix_space, pre->BoolMember("add_prefix_space", true));
    FAB_ASSIGN_OR_RETURN(std::string_view scheme,
                         pre->StringMember("prepend_scheme", add_prefix_space ? "always" : "never"));
    if (scheme != "always" && scheme != "first" && scheme != "never") {
      return pre->Unsupported("Metaspace prepend_scheme " + QuoteForError(scheme));
    }
    // Splitting at every "▁" keeps merges inside words, which SPM cannot do.
    FAB_ASSIGN_OR_RETURN(bool split, pre->BoolMember("split", true));
    if (split) return pre->Unsupported("Metaspace with split (only \"split\": false is supported)");
    *prepends = *prepends || scheme != "never";
    *replaces_spaces = true;
    return OkStatus();
  }
  if (type == "Split" && *replaces_spaces) {
    std::optional<JsonNode> pattern = pre->Member("pattern");
    std::optional<JsonNode> text = pattern ? pattern->Member("String") : std::nullopt;
    if (text && text->value().is_string() && text->value().as_string() == " ") return OkStatus();
  }
  return pre->Unsupported("pre-tokenizer " + QuoteForError(type) +
                          " is not supported with SentencePiece-style BPE");
}

StatusOr<HfPipeline> ReadSentencePiecePipeline(const JsonNode& root) {
  HfPipeline pipeline;
  pipeline.kind = BpeKind::kSentencePiece;
  bool replaces_spaces = false;
  FAB_RETURN_IF_ERROR(ReadSentencePieceNormalizer(root, &replaces_spaces, &pipeline.add_space_prefix));
  FAB_RETURN_IF_ERROR(ReadSentencePiecePreTokenizer(root, &replaces_spaces, &pipeline.add_space_prefix));
  if (!replaces_spaces) {
    return root.Unsupported("SentencePiece-style BPE (byte_fallback) whose normalizer or pre-tokenizer "
                            "does not turn spaces into \"▁\"");
  }
  return pipeline;
}

}  // namespace

StatusOr<HfPipeline> ReadHfPipeline(const JsonNode& root, bool byte_fallback) {
  FAB_ASSIGN_OR_RETURN(bool byte_level, HasByteLevelPreTokenizer(root));
  if (byte_level && byte_fallback) {
    return root.Unsupported("BPE with both byte_fallback and a ByteLevel pre-tokenizer");
  }
  if (!byte_level && !byte_fallback) {
    return root.Unsupported("BPE needs a ByteLevel pre-tokenizer (GPT-2 style) or "
                            "model.byte_fallback (SentencePiece style)");
  }
  if (byte_fallback) return ReadSentencePiecePipeline(root);
  HfPipeline pipeline;
  pipeline.kind = BpeKind::kByteLevel;
  FAB_ASSIGN_OR_RETURN(pipeline.normalizer, ByteLevelNormalizer(root));
  FAB_ASSIGN_OR_RETURN(pipeline.pre, ByteLevelPreName(*root.Member("pre_tokenizer")));
  FAB_RETURN_IF_ERROR(CheckByteLevelDecoder(root));
  return pipeline;
}

}  // namespace fab::hf_import
