#include "tokenizer/hf_special_tokens.h"

#include <optional>
#include <span>
#include <string>
#include <vector>

namespace fab::hf_import {
namespace {

constexpr std::string_view kBosNames[] = {"<|begin_of_text|>", "<s>", "<bos>",
                                          "<｜begin▁of▁sentence｜>", "<|startoftext|>"};
constexpr std::string_view kEosNames[] = {"<|end_of_text|>", "</s>", "<eos>",
                                          "<｜end▁of▁sentence｜>", "<|endoftext|>"};
constexpr std::string_view kEotNames[] = {"<|eot_id|>", "<|im_end|>", "<end_of_turn>", "<|end|>",
                                          "<|eot|>"};
constexpr std::string_view kEomName = "<|eom_id|>";

// What TemplateProcessing adds around a single text: the token before and
// after it (-1: none). present is false without a TemplateProcessing.
struct TextTemplate {
  bool present = false;
  TokenId first = -1, last = -1;
};

StatusOr<TokenId> LookUp(const JsonNode& where, std::string_view content, const TokenIndex& index) {
  auto it = index.find(content);
  if (it == index.end()) return where.Error(QuoteForError(content) + " is not in the vocabulary");
  return it->second;
}

// The id a TemplateProcessing "SpecialToken" piece stands for: its entry in
// special_tokens (exactly one id) or, without one, the token of that text.
StatusOr<TokenId> TemplateTokenId(const JsonNode& processor, const JsonNode& piece,
                                  const TokenIndex& index, size_t n_vocab) {
  std::optional<JsonNode> name = piece.Member("id");
  if (!name) return piece.Error("a SpecialToken without \"id\"");
  FAB_ASSIGN_OR_RETURN(std::string_view content, name->AsString());
  std::optional<JsonNode> specials = processor.NonNullMember("special_tokens");
  std::optional<JsonNode> entry = specials ? specials->Member(content) : std::nullopt;
  std::optional<JsonNode> ids = entry ? entry->Member("ids") : std::nullopt;
  if (!ids) return LookUp(*name, content, index);
  FAB_ASSIGN_OR_RETURN(const boost::json::array* id_list, ids->AsArray());
  if (id_list->size() != 1) return ids->Unsupported("special tokens of other than one id");
  FAB_ASSIGN_OR_RETURN(int64_t id, ids->Element((*id_list)[0], 0).AsInt(0, int64_t(n_vocab) - 1));
  return static_cast<TokenId>(id);
}

// "single": [SpecialToken]? Sequence [SpecialToken]?
StatusOr<TextTemplate> ReadTemplateProcessing(const JsonNode& processor, const TokenIndex& index,
                                              size_t n_vocab) {
  std::optional<JsonNode> single = processor.Member("single");
  if (!single) return processor.Error("a TemplateProcessing without \"single\"");
  FAB_ASSIGN_OR_RETURN(const boost::json::array* pieces, single->AsArray());
  TextTemplate result{.present = true};
  bool seen_text = false;
  for (size_t i = 0; i < pieces->size(); ++i) {
    JsonNode piece = single->Element((*pieces)[i], i);
    if (piece.Member("Sequence")) {
      if (seen_text) return piece.Unsupported("a template with the text twice");
      seen_text = true;
      continue;
    }
    std::optional<JsonNode> special = piece.Member("SpecialToken");
    if (!special) return piece.Error("expected {\"SpecialToken\": …} or {\"Sequence\": …}");
    TokenId& slot = seen_text ? result.last : result.first;
    if (slot != -1) return piece.Unsupported("more than one token on one side of the text");
    FAB_ASSIGN_OR_RETURN(slot, TemplateTokenId(processor, *special, index, n_vocab));
  }
  if (!seen_text) return single->Error("the template has no {\"Sequence\": …}");
  return result;
}

StatusOr<TextTemplate> ReadPostProcessor(const JsonNode& tokenizer, const TokenIndex& index,
                                         size_t n_vocab) {
  std::optional<JsonNode> processor = tokenizer.NonNullMember("post_processor");
  if (!processor) return TextTemplate{};
  FAB_ASSIGN_OR_RETURN(std::vector<JsonNode> steps, ComponentSteps(*processor, "processors"));
  TextTemplate result;
  for (const JsonNode& step : steps) {
    FAB_ASSIGN_OR_RETURN(std::string_view type, ComponentType(step));
    if (type == "ByteLevel") continue;  // offsets only; ids are unchanged
    if (type != "TemplateProcessing") {
      return step.Unsupported("post-processor " + QuoteForError(type) + " is not supported");
    }
    if (result.present) return step.Unsupported("two TemplateProcessing post-processors");
    FAB_ASSIGN_OR_RETURN(result, ReadTemplateProcessing(step, index, n_vocab));
  }
  return result;
}

// A special token named in the config: nullopt when the key is absent,
// -1 when it is null, else its id.
StatusOr<std::optional<TokenId>> ConfigToken(const JsonNode* config, std::string_view key,
                                             const TokenIndex& index) {
  std::optional<JsonNode> member = config ? config->Member(key) : std::nullopt;
  if (!member) return std::optional<TokenId>();
  if (member->is_null()) return std::optional<TokenId>(-1);
  if (member->value().is_string()) {
    FAB_ASSIGN_OR_RETURN(TokenId id, LookUp(*member, member->value().as_string(), index));
    return std::optional<TokenId>(id);
  }
  std::optional<JsonNode> content = member->Member("content");
  if (!content) return member->Error("expected a string or an object with \"content\"");
  FAB_ASSIGN_OR_RETURN(std::string_view text, content->AsString());
  FAB_ASSIGN_OR_RETURN(TokenId id, LookUp(*content, text, index));
  return std::optional<TokenId>(id);
}

TokenId FirstPresent(std::span<const std::string_view> names, const TokenIndex& index,
                     const VocabData& vocab, bool allow_user_defined) {
  for (std::string_view name : names) {
    auto it = index.find(name);
    if (it == index.end()) continue;
    const auto type = static_cast<TokenType>(vocab.token_types[it->second]);
    if (type == TokenType::kControl || (allow_user_defined && type == TokenType::kUserDefined)) {
      return it->second;
    }
  }
  return -1;
}

StatusOr<std::optional<bool>> ConfigFlag(const JsonNode* config, std::string_view key) {
  std::optional<JsonNode> member = config ? config->NonNullMember(key) : std::nullopt;
  if (!member) return std::optional<bool>();
  FAB_ASSIGN_OR_RETURN(bool flag, member->AsBool());
  return std::optional<bool>(flag);
}

StatusOr<std::string> ReadChatTemplate(const JsonNode* config) {
  std::optional<JsonNode> member = config ? config->NonNullMember("chat_template") : std::nullopt;
  if (!member) return std::string();
  std::string_view text;
  if (member->value().is_array()) {
    const boost::json::array& entries = member->value().as_array();
    for (size_t i = 0; i < entries.size(); ++i) {
      JsonNode entry = member->Element(entries[i], i);
      FAB_ASSIGN_OR_RETURN(std::string_view name, entry.StringMember("name", ""));
      if (name != "default") continue;
      std::optional<JsonNode> source = entry.Member("template");
      if (!source) return entry.Error("a chat template without \"template\"");
      FAB_ASSIGN_OR_RETURN(text, source->AsString());
    }
  } else {
    FAB_ASSIGN_OR_RETURN(text, member->AsString());
  }
  if (text.size() > kMaxChatTemplateBytes) {
    return ResourceExhaustedError(member->Where() + ": the chat template is " +
                                  std::to_string(text.size()) + " bytes (the cap is " +
                                  std::to_string(kMaxChatTemplateBytes) + ")");
  }
  return std::string(text);
}

// bos or eos: the config's, else the template's, else a usual name.
StatusOr<TokenId> ChooseEndToken(const JsonNode* config, std::string_view key, TokenId from_template,
                                 std::span<const std::string_view> usual_names,
                                 const TokenIndex& index, const VocabData& vocab) {
  FAB_ASSIGN_OR_RETURN(std::optional<TokenId> configured, ConfigToken(config, key, index));
  if (configured) return *configured;
  if (from_template != -1) return from_template;
  return FirstPresent(usual_names, index, vocab, /*allow_user_defined=*/false);
}

// add_bos or add_eos: the config's flag, else what the template does (a
// template that adds a different token than `id` is Unimplemented).
StatusOr<bool> ChooseAddFlag(const JsonNode& tokenizer, const JsonNode* config, std::string_view key,
                             const TextTemplate& text_template, TokenId from_template, TokenId id,
                             bool fallback) {
  FAB_ASSIGN_OR_RETURN(std::optional<bool> configured, ConfigFlag(config, key));
  if (from_template != -1 && from_template != id && configured.value_or(true)) {
    return tokenizer.Unsupported("post_processor adds token " + std::to_string(from_template) +
                                 " where " + std::string(key) + " names token " +
                                 std::to_string(id));
  }
  if (configured) return *configured;
  if (text_template.present) return from_template != -1;
  return fallback;
}

}  // namespace

Status ReadSpecialTokens(const JsonNode& tokenizer, const JsonNode* config,
                         const TokenIndex& index, const HfPipeline& pipeline, VocabData& vocab) {
  const size_t n_vocab = vocab.tokens.size();
  FAB_ASSIGN_OR_RETURN(TextTemplate text_template, ReadPostProcessor(tokenizer, index, n_vocab));
  FAB_ASSIGN_OR_RETURN(vocab.bos_id, ChooseEndToken(config, "bos_token", text_template.first,
                                                    kBosNames, index, vocab));
  FAB_ASSIGN_OR_RETURN(vocab.eos_id, ChooseEndToken(config, "eos_token", text_template.last,
                                                    kEosNames, index, vocab));
  const bool default_add_bos = pipeline.kind == BpeKind::kSentencePiece || pipeline.pre == "llama-bpe";
  FAB_ASSIGN_OR_RETURN(vocab.add_bos, ChooseAddFlag(tokenizer, config, "add_bos_token", text_template,
                                                    text_template.first, vocab.bos_id, default_add_bos));
  FAB_ASSIGN_OR_RETURN(vocab.add_eos, ChooseAddFlag(tokenizer, config, "add_eos_token", text_template,
                                                    text_template.last, vocab.eos_id, false));
  if (vocab.bos_id == -1) vocab.add_bos = false;
  if (vocab.eos_id == -1) vocab.add_eos = false;

  vocab.unk_id = -1;
  std::optional<JsonNode> model = tokenizer.Member("model");
  std::optional<JsonNode> model_unk = model ? model->NonNullMember("unk_token") : std::nullopt;
  if (model_unk) {
    FAB_ASSIGN_OR_RETURN(std::string_view unk_text, model_unk->AsString());
    FAB_ASSIGN_OR_RETURN(vocab.unk_id, LookUp(*model_unk, unk_text, index));
  }
  FAB_ASSIGN_OR_RETURN(std::optional<TokenId> config_unk, ConfigToken(config, "unk_token", index));
  if (config_unk) vocab.unk_id = *config_unk;
  FAB_ASSIGN_OR_RETURN(std::optional<TokenId> pad, ConfigToken(config, "pad_token", index));
  vocab.pad_id = pad.value_or(-1);
  vocab.eot_id = FirstPresent(kEotNames, index, vocab, /*allow_user_defined=*/true);
  vocab.eom_id = FirstPresent({&kEomName, 1}, index, vocab, /*allow_user_defined=*/true);
  FAB_ASSIGN_OR_RETURN(vocab.chat_template, ReadChatTemplate(config));
  return OkStatus();
}

}  // namespace fab::hf_import
