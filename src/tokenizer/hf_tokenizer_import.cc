#include "tokenizer/hf_tokenizer_import.h"

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "tokenizer/hf_json.h"
#include "tokenizer/hf_pipeline.h"
#include "tokenizer/hf_special_tokens.h"
#include "tokenizer/utf8.h"

namespace fab {
namespace hf_import {
namespace {

// One entry of model.merges, checked against the vocabulary.
struct Merge {
  std::string_view left, right;
  TokenId result;  // the id of left + right
};

Status CheckBpeOptions(const JsonNode& model) {
  if (std::optional<JsonNode> dropout = model.NonNullMember("dropout")) {
    if (!dropout->value().is_number() || dropout->value().to_number<double>() != 0.0) {
      return dropout->Unsupported("BPE dropout is not supported");
    }
  }
  for (std::string_view key : {"continuing_subword_prefix", "end_of_word_suffix"}) {
    FAB_ASSIGN_OR_RETURN(std::string_view affix, model.StringMember(key, ""));
    if (!affix.empty()) return model.Member(key)->Unsupported("subword affixes are not supported");
  }
  return OkStatus();
}

// Token texts and types by id while model.vocab and added_tokens are read.
struct IdTable {
  std::vector<std::optional<std::string_view>> texts;
  std::vector<int32_t> types;

  void Reserve(size_t id) {
    if (texts.size() > id) return;
    texts.resize(id + 1);
    types.resize(id + 1, static_cast<int32_t>(TokenType::kNormal));
  }
};

Status ReadModelVocab(const JsonNode& model, IdTable& table) {
  std::optional<JsonNode> vocab = model.Member("vocab");
  if (!vocab) return model.Error("has no \"vocab\"");
  FAB_ASSIGN_OR_RETURN(const boost::json::object* entries, vocab->AsObject());
  if (entries->size() > kMaxVocabSize) {
    return ResourceExhaustedError(vocab->Where() + ": " + std::to_string(entries->size()) +
                                  " tokens (the cap is " + std::to_string(kMaxVocabSize) + ")");
  }
  constexpr int64_t kMaxId = static_cast<int64_t>(kMaxVocabSize) - 1;
  for (const auto& [key, value] : *entries) {
    const std::string_view text(key);
    const int64_t* id = value.if_int64();
    if (id == nullptr || *id < 0 || *id > kMaxId) {
      return vocab->Entry(value, text).AsInt(0, kMaxId).status();
    }
    if (text.empty()) return vocab->Entry(value, text).Error("the empty string cannot be a token");
    table.Reserve(static_cast<size_t>(*id));
    std::optional<std::string_view>& slot = table.texts[static_cast<size_t>(*id)];
    if (slot) {
      return vocab->Entry(value, text).Error("id " + std::to_string(*id) + " is also the id of " +
                                             QuoteForError(*slot));
    }
    slot = text;
  }
  return OkStatus();
}

Status ReadAddedTokens(const JsonNode& root, IdTable& table) {
  std::optional<JsonNode> added = root.NonNullMember("added_tokens");
  if (!added) return OkStatus();
  FAB_ASSIGN_OR_RETURN(const boost::json::array* tokens, added->AsArray());
  if (tokens->size() > kMaxVocabSize) return added->Error("too many added tokens");
  for (size_t i = 0; i < tokens->size(); ++i) {
    JsonNode token = added->Element((*tokens)[i], i);
    FAB_RETURN_IF_ERROR(token.AsObject().status());
    std::optional<JsonNode> id_node = token.Member("id");
    std::optional<JsonNode> content_node = token.Member("content");
    if (!id_node || !content_node) return token.Error("an added token needs \"id\" and \"content\"");
    FAB_ASSIGN_OR_RETURN(int64_t id, id_node->AsInt(0, static_cast<int64_t>(kMaxVocabSize) - 1));
    FAB_ASSIGN_OR_RETURN(std::string_view content, content_node->AsString());
    if (content.empty()) return content_node->Error("the empty string cannot be a token");
    FAB_ASSIGN_OR_RETURN(bool special, token.BoolMember("special", false));
    table.Reserve(static_cast<size_t>(id));
    std::optional<std::string_view>& slot = table.texts[static_cast<size_t>(id)];
    if (slot && *slot != content) {
      return token.Error("id " + std::to_string(id) + " is " + QuoteForError(*slot) +
                         " in model.vocab but " + QuoteForError(content) + " here");
    }
    slot = content;
    table.types[static_cast<size_t>(id)] =
        static_cast<int32_t>(special ? TokenType::kControl : TokenType::kUserDefined);
  }
  return OkStatus();
}

// Moves a dense id table into vocab.tokens / vocab.token_types.
Status TakeTokens(const JsonNode& model, IdTable& table, VocabData& vocab) {
  if (table.texts.empty()) return model.Error("the vocabulary is empty");
  for (size_t id = 0; id < table.texts.size(); ++id) {
    if (!table.texts[id]) {
      return model.Error("no token has id " + std::to_string(id) + " (ids of model.vocab and "
                         "added_tokens must run from 0 to " + std::to_string(table.texts.size() - 1) +
                         " without holes)");
    }
  }
  vocab.tokens.reserve(table.texts.size());
  for (const std::optional<std::string_view>& text : table.texts) vocab.tokens.emplace_back(*text);
  vocab.token_types = std::move(table.types);
  return OkStatus();
}

StatusOr<TokenIndex> BuildIndex(const JsonNode& model, const VocabData& vocab) {
  TokenIndex index;
  index.reserve(vocab.tokens.size());
  for (size_t id = 0; id < vocab.tokens.size(); ++id) {
    auto [it, inserted] = index.emplace(vocab.tokens[id], static_cast<TokenId>(id));
    if (!inserted) {
      return model.Error(QuoteForError(vocab.tokens[id]) + " has two ids, " +
                         std::to_string(it->second) + " and " + std::to_string(id));
    }
  }
  return index;
}

// One merge as "left right" (one space) or [left, right].
StatusOr<std::pair<std::string_view, std::string_view>> SplitMerge(const JsonNode& merge) {
  const boost::json::value& value = merge.value();
  if (const boost::json::string* text = value.if_string()) {
    const std::string_view pair(*text);
    const size_t space = pair.find(' ');
    if (space == std::string_view::npos || space == 0 || space + 1 == pair.size() ||
        pair.find(' ', space + 1) != std::string_view::npos) {
      return merge.Error("expected \"left right\" with one space, found " + QuoteForError(pair));
    }
    return std::pair(pair.substr(0, space), pair.substr(space + 1));
  }
  const boost::json::array* parts = value.if_array();
  if (parts == nullptr || parts->size() != 2 || !(*parts)[0].is_string() ||
      !(*parts)[1].is_string() || (*parts)[0].as_string().empty() || (*parts)[1].as_string().empty()) {
    return merge.Error("expected \"left right\" or [\"left\", \"right\"]");
  }
  return std::pair(std::string_view((*parts)[0].as_string()), std::string_view((*parts)[1].as_string()));
}

StatusOr<std::vector<Merge>> ReadMerges(const JsonNode& model, const TokenIndex& index) {
  std::optional<JsonNode> merges = model.NonNullMember("merges");
  if (!merges) return std::vector<Merge>();
  FAB_ASSIGN_OR_RETURN(const boost::json::array* entries, merges->AsArray());
  if (entries->size() > kMaxHfMerges) {
    return ResourceExhaustedError(merges->Where() + ": " + std::to_string(entries->size()) +
                                  " merges (the cap is " + std::to_string(kMaxHfMerges) + ")");
  }
  std::vector<Merge> result;
  result.reserve(entries->size());
  std::string joined;
  for (size_t rank = 0; rank < entries->size(); ++rank) {
    JsonNode merge = merges->Element((*entries)[rank], rank);
    FAB_ASSIGN_OR_RETURN(auto pair, SplitMerge(merge));
    joined.assign(pair.first).append(pair.second);
    for (std::string_view part : {pair.first, pair.second, std::string_view(joined)}) {
      if (!index.contains(part)) return merge.Error(QuoteForError(part) + " is not in the vocabulary");
    }
    result.push_back({pair.first, pair.second, index.find(std::string_view(joined))->second});
  }
  return result;
}

Status SetByteLevelMerges(const JsonNode& model, const std::vector<Merge>& merges, VocabData& vocab) {
  vocab.merges.reserve(merges.size());
  for (size_t rank = 0; rank < merges.size(); ++rank) {
    const Merge& merge = merges[rank];
    if (merge.left.find(' ') != std::string_view::npos || merge.right.find(' ') != std::string_view::npos) {
      return model.Unsupported("merges[" + std::to_string(rank) + "] has a part with a space, which "
                               "GGUF's \"left right\" merges cannot carry");
    }
    vocab.merges.push_back(std::string(merge.left) + " " + std::string(merge.right));
  }
  return OkStatus();
}

bool IsByteTokenText(std::string_view text) {
  auto is_hex = [](char c) { return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'F'); };
  return text.size() == 6 && text.substr(0, 3) == "<0x" && is_hex(text[3]) && is_hex(text[4]) &&
         text[5] == '>';
}

// SentencePiece-style scores and byte-token types (see the header).
void SetSentencePieceScores(const std::vector<Merge>& merges, VocabData& vocab) {
  const size_t n_vocab = vocab.tokens.size();
  const float unreached = -static_cast<float>(merges.size());
  vocab.scores.assign(n_vocab, unreached);
  for (size_t id = 0; id < n_vocab; ++id) {
    int32_t& type = vocab.token_types[id];
    if (type == static_cast<int32_t>(TokenType::kNormal) && IsByteTokenText(vocab.tokens[id])) {
      type = static_cast<int32_t>(TokenType::kByte);
    }
    const bool one_char = ScanUtf8Char(vocab.tokens[id]).length == vocab.tokens[id].size();
    if (one_char || type == static_cast<int32_t>(TokenType::kByte) ||
        type == static_cast<int32_t>(TokenType::kControl)) {
      vocab.scores[id] = 0.0f;
    }
  }
  std::vector<bool> scored(n_vocab, false);
  for (size_t rank = 0; rank < merges.size(); ++rank) {
    const auto id = static_cast<size_t>(merges[rank].result);
    if (scored[id]) continue;
    scored[id] = true;
    vocab.scores[id] = -static_cast<float>(rank);
  }
}

StatusOr<JsonNode> ModelOf(const JsonNode& root) {
  FAB_RETURN_IF_ERROR(root.AsObject().status());
  std::optional<JsonNode> model = root.Member("model");
  if (!model) return root.Error("has no \"model\"");
  FAB_RETURN_IF_ERROR(model->AsObject().status());
  std::optional<JsonNode> type_node = model->Member("type");
  if (!type_node) return model->Error("has no \"type\"");
  FAB_ASSIGN_OR_RETURN(std::string_view type, type_node->AsString());
  if (type == "Unigram" || type == "WordPiece" || type == "WordLevel") {
    return type_node->Unsupported(std::string(type) + " tokenizers are not supported (only BPE)");
  }
  if (type != "BPE") return type_node->Error("unknown model type " + QuoteForError(type));
  FAB_RETURN_IF_ERROR(CheckBpeOptions(*model));
  return *model;
}

StatusOr<VocabData> Import(const JsonNode& root, const JsonNode* config) {
  FAB_ASSIGN_OR_RETURN(JsonNode model, ModelOf(root));
  FAB_ASSIGN_OR_RETURN(bool byte_fallback, model.BoolMember("byte_fallback", false));
  FAB_ASSIGN_OR_RETURN(HfPipeline pipeline, ReadHfPipeline(root, byte_fallback));
  VocabData vocab;
  IdTable table;
  FAB_RETURN_IF_ERROR(ReadModelVocab(model, table));
  FAB_RETURN_IF_ERROR(ReadAddedTokens(root, table));
  FAB_RETURN_IF_ERROR(TakeTokens(model, table, vocab));
  FAB_ASSIGN_OR_RETURN(TokenIndex index, BuildIndex(model, vocab));
  FAB_ASSIGN_OR_RETURN(std::vector<Merge> merges, ReadMerges(model, index));
  if (pipeline.kind == BpeKind::kByteLevel) {
    vocab.model = "gpt2";
    vocab.pre = pipeline.pre;
    vocab.normalizer = pipeline.normalizer;
    vocab.scores.assign(vocab.tokens.size(), 0.0f);
    vocab.add_space_prefix = false;
    FAB_RETURN_IF_ERROR(SetByteLevelMerges(model, merges, vocab));
  } else {
    vocab.model = "llama";
    vocab.add_space_prefix = pipeline.add_space_prefix;
    SetSentencePieceScores(merges, vocab);
  }
  FAB_RETURN_IF_ERROR(ReadSpecialTokens(root, config, index, pipeline, vocab));
  if (vocab.model == "llama" && vocab.unk_id != -1) {
    vocab.token_types[vocab.unk_id] = static_cast<int32_t>(TokenType::kUnknown);
  }
  FAB_RETURN_IF_ERROR(ValidateVocabData(vocab));
  return vocab;
}

}  // namespace
}  // namespace hf_import

StatusOr<VocabData> ImportHfTokenizer(std::string_view tokenizer_json,
                                      std::string_view tokenizer_config_json) {
  using hf_import::JsonNode;
  FAB_ASSIGN_OR_RETURN(boost::json::value tokenizer,
                       hf_import::ParseHfJson(tokenizer_json, "tokenizer.json", kMaxHfTokenizerJsonBytes));
  JsonNode root(tokenizer, "tokenizer.json");
  if (tokenizer_config_json.empty()) return hf_import::Import(root, nullptr);
  FAB_ASSIGN_OR_RETURN(boost::json::value config,
                       hf_import::ParseHfJson(tokenizer_config_json, "tokenizer_config.json",
                                              kMaxHfConfigJsonBytes));
  JsonNode config_root(config, "tokenizer_config.json");
  FAB_RETURN_IF_ERROR(config_root.AsObject().status());
  return hf_import::Import(root, &config_root);
}

}  // namespace fab
