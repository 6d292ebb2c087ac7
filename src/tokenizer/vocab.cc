#include "tokenizer/vocab.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "tokenizer/utf8.h"

namespace fab {
namespace {

Status CheckSpecialId(const char* name, TokenId id, size_t n_vocab) {
  if (id == -1 || (id >= 0 && static_cast<size_t>(id) < n_vocab)) return OkStatus();
  return OutOfRangeError(std::string(name) + " token id " + std::to_string(id) +
                         " is outside the vocabulary of " + std::to_string(n_vocab));
}

Status CheckToken(const VocabData& vocab, size_t index) {
  const std::string& text = vocab.tokens[index];
  if (text.size() > kMaxTokenTextBytes) {
    return InvalidArgumentError("token " + std::to_string(index) + " is " +
                                std::to_string(text.size()) + " bytes long (the cap is " +
                                std::to_string(kMaxTokenTextBytes) + ")");
  }
  size_t error_offset = 0;
  if (!IsValidUtf8(text, &error_offset)) {
    return InvalidArgumentError("token " + std::to_string(index) +
                                " is not valid UTF-8 (byte " + std::to_string(error_offset) + ")");
  }
  const int32_t type = vocab.token_types[index];
  if (type < static_cast<int32_t>(TokenType::kUndefined) ||
      type > static_cast<int32_t>(TokenType::kByte)) {
    return InvalidArgumentError("token " + std::to_string(index) + " has unknown type " +
                                std::to_string(type));
  }
  if (std::isnan(vocab.scores[index])) {
    return InvalidArgumentError("token " + std::to_string(index) + " has a NaN score");
  }
  return OkStatus();
}

Status CheckMerge(const std::string& merge, size_t index) {
  const std::string where = "merge " + std::to_string(index);
  if (merge.size() > 2 * kMaxTokenTextBytes + 1) {
    return InvalidArgumentError(where + " is " + std::to_string(merge.size()) + " bytes long");
  }
  size_t error_offset = 0;
  if (!IsValidUtf8(merge, &error_offset)) {
    return InvalidArgumentError(where + " is not valid UTF-8 (byte " +
                                std::to_string(error_offset) + ")");
  }
  const size_t separator = merge.find(' ', 1);
  if (separator == std::string::npos || separator + 1 == merge.size()) {
    return InvalidArgumentError(where + " is not two non-empty halves joined by a space");
  }
  return OkStatus();
}

Status CheckBpeFields(const VocabData& vocab) {
  if (!vocab.normalizer.empty() && vocab.normalizer != "nfc") {
    return InvalidArgumentError("unknown normalizer '" + SanitizeUtf8(vocab.normalizer) +
                                "' (known: nfc)");
  }
  const bool pre_is_a_name =
      vocab.pre.size() <= kMaxPreTokenizerNameBytes &&
      std::all_of(vocab.pre.begin(), vocab.pre.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               c == '.' || c == '_' || c == '-';
      });
  if (!pre_is_a_name) {
    return InvalidArgumentError("the pre-tokenizer name is not a short [A-Za-z0-9._-] name");
  }
  if (vocab.merges.size() > kMaxMerges) {
    return InvalidArgumentError("the vocabulary has " + std::to_string(vocab.merges.size()) +
                                " merges (the cap is " + std::to_string(kMaxMerges) + ")");
  }
  if (vocab.model == "gpt2" && vocab.merges.empty()) {
    return InvalidArgumentError("a byte-level BPE ('gpt2') vocabulary has no merges");
  }
  for (size_t index = 0; index < vocab.merges.size(); ++index) {
    FAB_RETURN_IF_ERROR(CheckMerge(vocab.merges[index], index));
  }
  return OkStatus();
}

}  // namespace

Status ValidateVocabData(const VocabData& vocab) {
  const size_t n_vocab = vocab.tokens.size();
  if (n_vocab == 0) return InvalidArgumentError("the vocabulary is empty");
  if (n_vocab > kMaxVocabSize) {
    return InvalidArgumentError("the vocabulary has " + std::to_string(n_vocab) +
                                " tokens (the cap is " + std::to_string(kMaxVocabSize) + ")");
  }
  if (vocab.scores.size() != n_vocab || vocab.token_types.size() != n_vocab) {
    return InvalidArgumentError("vocabulary arrays differ in length: " + std::to_string(n_vocab) +
                                " tokens, " + std::to_string(vocab.scores.size()) + " scores, " +
                                std::to_string(vocab.token_types.size()) + " token types");
  }
  for (size_t index = 0; index < n_vocab; ++index) {
    FAB_RETURN_IF_ERROR(CheckToken(vocab, index));
  }
  FAB_RETURN_IF_ERROR(CheckSpecialId("BOS", vocab.bos_id, n_vocab));
  FAB_RETURN_IF_ERROR(CheckSpecialId("EOS", vocab.eos_id, n_vocab));
  FAB_RETURN_IF_ERROR(CheckSpecialId("EOT", vocab.eot_id, n_vocab));
  FAB_RETURN_IF_ERROR(CheckSpecialId("EOM", vocab.eom_id, n_vocab));
  FAB_RETURN_IF_ERROR(CheckSpecialId("unknown", vocab.unk_id, n_vocab));
  FAB_RETURN_IF_ERROR(CheckSpecialId("padding", vocab.pad_id, n_vocab));
  if (vocab.add_bos && vocab.bos_id == -1) {
    return InvalidArgumentError("the vocabulary asks for a BOS token but has none");
  }
  if (vocab.add_eos && vocab.eos_id == -1) {
    return InvalidArgumentError("the vocabulary asks for an EOS token but has none");
  }
  return CheckBpeFields(vocab);
}

}  // namespace fab
