#include "tokenizer/vocab_from_gguf.h"

#include <cstdint>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "tokenizer/tokenizer.h"

namespace fab {
namespace {

constexpr std::string_view kModelKey = "tokenizer.ggml.model";
constexpr std::string_view kTokensKey = "tokenizer.ggml.tokens";
constexpr std::string_view kScoresKey = "tokenizer.ggml.scores";
constexpr std::string_view kTokenTypeKey = "tokenizer.ggml.token_type";
constexpr std::string_view kPreKey = "tokenizer.ggml.pre";
constexpr std::string_view kMergesKey = "tokenizer.ggml.merges";
// Ours, not llama.cpp's: "nfc" or "" (absent: "nfc" for pre "qwen2", else "").
constexpr std::string_view kNormalizerKey = "tokenizer.ggml.normalizer";
constexpr std::string_view kChatTemplateKey = "tokenizer.chat_template";

// Defaults for keys a file may omit; llama.cpp's for SPM ("llama") vocabs.
// Byte-level BPE ("gpt2") files get the zero defaults: no BOS unless the
// file names one (llama.cpp's legacy id 11 is not assumed), add_bos false
// unless the key says so, no space prefix.
struct VocabDefaults {
  TokenId bos_id = -1, eos_id = -1, unk_id = -1;
  bool add_bos = false;
  bool add_space_prefix = false;
};

VocabDefaults DefaultsFor(const std::string& model) {
  if (model == "llama") return {.bos_id = 1, .eos_id = 2, .unk_id = 0, .add_bos = true,
                                .add_space_prefix = true};
  return {};
}

std::string KeyError(std::string_view key, const std::string& problem) {
  return std::string(key) + ": " + problem;
}

// The elements of array `key`, or nullptr when the key is absent.
StatusOr<const std::vector<GgufValue>*> FindArray(const GgufFile& gguf, std::string_view key,
                                                  size_t expected_size) {
  const GgufValue* value = gguf.Find(key);
  if (value == nullptr) return static_cast<const std::vector<GgufValue>*>(nullptr);
  const std::vector<GgufValue>* elements = value->AsArray();
  if (elements == nullptr) {
    return InvalidArgumentError(KeyError(key, std::string("expected an array, found ") +
                                                  GgufValueTypeName(value->type())));
  }
  if (expected_size != 0 && elements->size() != expected_size) {
    return InvalidArgumentError(KeyError(key, "has " + std::to_string(elements->size()) +
                                                  " entries for " + std::to_string(expected_size) +
                                                  " tokens"));
  }
  return elements;
}

Status ReadTokens(const GgufFile& gguf, VocabData& vocab) {
  FAB_ASSIGN_OR_RETURN(const std::vector<GgufValue>* elements, FindArray(gguf, kTokensKey, 0));
  if (elements == nullptr) return NotFoundError(KeyError(kTokensKey, "missing"));
  if (elements->empty() || elements->size() > kMaxVocabSize) {
    return InvalidArgumentError(KeyError(kTokensKey, "has " + std::to_string(elements->size()) +
                                                         " tokens (allowed: 1 to " +
                                                         std::to_string(kMaxVocabSize) + ")"));
  }
  vocab.tokens.reserve(elements->size());
  for (const GgufValue& element : *elements) {
    const std::string* text = element.AsString();
    if (text == nullptr) return InvalidArgumentError(KeyError(kTokensKey, "holds a non-string"));
    vocab.tokens.push_back(*text);
  }
  return OkStatus();
}

// The string at `key`, or "" when the key is absent.
StatusOr<std::string> ReadOptionalString(const GgufFile& gguf, std::string_view key) {
  const GgufValue* value = gguf.Find(key);
  if (value == nullptr) return std::string();
  const std::string* text = value->AsString();
  if (text == nullptr) {
    return InvalidArgumentError(KeyError(key, std::string("expected a string, found ") +
                                                  GgufValueTypeName(value->type())));
  }
  return *text;
}

Status ReadMerges(const GgufFile& gguf, VocabData& vocab) {
  FAB_ASSIGN_OR_RETURN(const std::vector<GgufValue>* elements, FindArray(gguf, kMergesKey, 0));
  if (elements == nullptr) return OkStatus();
  if (elements->size() > kMaxMerges) {
    return InvalidArgumentError(KeyError(kMergesKey, "has " + std::to_string(elements->size()) +
                                                         " merges (the cap is " +
                                                         std::to_string(kMaxMerges) + ")"));
  }
  vocab.merges.reserve(elements->size());
  for (const GgufValue& element : *elements) {
    const std::string* merge = element.AsString();
    if (merge == nullptr) return InvalidArgumentError(KeyError(kMergesKey, "holds a non-string"));
    vocab.merges.push_back(*merge);
  }
  return OkStatus();
}

Status ReadBpeKeys(const GgufFile& gguf, VocabData& vocab) {
  FAB_ASSIGN_OR_RETURN(vocab.pre, ReadOptionalString(gguf, kPreKey));
  FAB_RETURN_IF_ERROR(ReadMerges(gguf, vocab));
  if (gguf.Find(kNormalizerKey) != nullptr) {
    FAB_ASSIGN_OR_RETURN(vocab.normalizer, ReadOptionalString(gguf, kNormalizerKey));
  } else {
    vocab.normalizer = vocab.pre == "qwen2" ? "nfc" : "";
  }
  FAB_ASSIGN_OR_RETURN(vocab.chat_template, ReadOptionalString(gguf, kChatTemplateKey));
  return OkStatus();
}

Status ReadScores(const GgufFile& gguf, VocabData& vocab) {
  const size_t n_vocab = vocab.tokens.size();
  FAB_ASSIGN_OR_RETURN(const std::vector<GgufValue>* elements,
                       FindArray(gguf, kScoresKey, n_vocab));
  if (elements == nullptr) {
    vocab.scores.assign(n_vocab, 0.0f);
    return OkStatus();
  }
  vocab.scores.reserve(n_vocab);
  for (const GgufValue& element : *elements) {
    const std::optional<double> score = element.AsFloat();
    if (!score) return InvalidArgumentError(KeyError(kScoresKey, "holds a non-number"));
    vocab.scores.push_back(static_cast<float>(*score));
  }
  return OkStatus();
}

Status ReadTokenTypes(const GgufFile& gguf, VocabData& vocab) {
  const size_t n_vocab = vocab.tokens.size();
  FAB_ASSIGN_OR_RETURN(const std::vector<GgufValue>* elements,
                       FindArray(gguf, kTokenTypeKey, n_vocab));
  if (elements == nullptr) {
    vocab.token_types.assign(n_vocab, static_cast<int32_t>(TokenType::kNormal));
    return OkStatus();
  }
  vocab.token_types.reserve(n_vocab);
  for (const GgufValue& element : *elements) {
    const std::optional<int64_t> type = element.AsInt();
    if (!type || *type < std::numeric_limits<int32_t>::min() ||
        *type > std::numeric_limits<int32_t>::max()) {
      return InvalidArgumentError(KeyError(kTokenTypeKey, "holds a non-int32 value"));
    }
    vocab.token_types.push_back(static_cast<int32_t>(*type));
  }
  return OkStatus();
}

// An optional token id: absent → `fallback` when in range (else none);
// -1 or 0xFFFFFFFF → none; anything else must index the vocabulary.
StatusOr<TokenId> ReadTokenId(const GgufFile& gguf, std::string_view key, TokenId fallback,
                              size_t n_vocab) {
  const GgufValue* value = gguf.Find(key);
  if (value == nullptr) {
    return fallback >= 0 && static_cast<size_t>(fallback) < n_vocab ? fallback : TokenId{-1};
  }
  const std::optional<int64_t> id = value->AsInt();
  if (!id) return InvalidArgumentError(KeyError(key, "expected an integer token id"));
  if (*id == -1 || *id == int64_t{0xFFFFFFFF}) return TokenId{-1};
  if (*id < 0 || static_cast<uint64_t>(*id) >= n_vocab) {
    return OutOfRangeError(KeyError(key, "token id " + std::to_string(*id) +
                                             " is outside the vocabulary of " +
                                             std::to_string(n_vocab)));
  }
  return static_cast<TokenId>(*id);
}

StatusOr<bool> ReadFlag(const GgufFile& gguf, std::string_view key, bool fallback) {
  const GgufValue* value = gguf.Find(key);
  if (value == nullptr) return fallback;
  const std::optional<bool> flag = value->AsBool();
  if (!flag) return InvalidArgumentError(KeyError(key, "expected a bool"));
  return *flag;
}

Status ReadSpecialTokens(const GgufFile& gguf, const VocabDefaults& defaults, VocabData& vocab) {
  const size_t n = vocab.tokens.size();
  FAB_ASSIGN_OR_RETURN(vocab.bos_id, ReadTokenId(gguf, "tokenizer.ggml.bos_token_id",
                                                 defaults.bos_id, n));
  FAB_ASSIGN_OR_RETURN(vocab.eos_id, ReadTokenId(gguf, "tokenizer.ggml.eos_token_id",
                                                 defaults.eos_id, n));
  FAB_ASSIGN_OR_RETURN(vocab.eot_id, ReadTokenId(gguf, "tokenizer.ggml.eot_token_id", -1, n));
  FAB_ASSIGN_OR_RETURN(vocab.eom_id, ReadTokenId(gguf, "tokenizer.ggml.eom_token_id", -1, n));
  FAB_ASSIGN_OR_RETURN(vocab.unk_id, ReadTokenId(gguf, "tokenizer.ggml.unknown_token_id",
                                                 defaults.unk_id, n));
  FAB_ASSIGN_OR_RETURN(vocab.pad_id, ReadTokenId(gguf, "tokenizer.ggml.padding_token_id", -1, n));
  FAB_ASSIGN_OR_RETURN(vocab.add_bos,
                       ReadFlag(gguf, "tokenizer.ggml.add_bos_token", defaults.add_bos));
  FAB_ASSIGN_OR_RETURN(vocab.add_eos, ReadFlag(gguf, "tokenizer.ggml.add_eos_token", false));
  FAB_ASSIGN_OR_RETURN(vocab.add_space_prefix, ReadFlag(gguf, "tokenizer.ggml.add_space_prefix",
                                                        defaults.add_space_prefix));
  return OkStatus();
}

}  // namespace

StatusOr<VocabData> LoadVocabFromGguf(const GgufFile& gguf) {
  VocabData vocab;
  const GgufValue* model = gguf.Find(kModelKey);
  if (model == nullptr) return NotFoundError(KeyError(kModelKey, "missing (no tokenizer)"));
  if (model->AsString() == nullptr) return InvalidArgumentError(KeyError(kModelKey, "not a string"));
  vocab.model = *model->AsString();
  FAB_RETURN_IF_ERROR(ReadTokens(gguf, vocab));
  FAB_RETURN_IF_ERROR(ReadScores(gguf, vocab));
  FAB_RETURN_IF_ERROR(ReadTokenTypes(gguf, vocab));
  FAB_RETURN_IF_ERROR(ReadBpeKeys(gguf, vocab));
  FAB_RETURN_IF_ERROR(ReadSpecialTokens(gguf, DefaultsFor(vocab.model), vocab));
  // A file that asks for BOS/EOS but names none gets the flag cleared rather
  // than refused: there is nothing to add.
  if (vocab.bos_id == -1) vocab.add_bos = false;
  if (vocab.eos_id == -1) vocab.add_eos = false;
  FAB_RETURN_IF_ERROR(ValidateVocabData(vocab));
  return vocab;
}

StatusOr<std::unique_ptr<Tokenizer>> Tokenizer::FromGguf(const GgufFile& gguf) {
  FAB_ASSIGN_OR_RETURN(VocabData vocab, LoadVocabFromGguf(gguf));
  return Create(std::move(vocab));
}

}  // namespace fab
