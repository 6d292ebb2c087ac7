#include "tokenizer/tokenizer.h"

#include <algorithm>
#include <optional>
#include <utility>

#include "tokenizer/bpe_tokenizer.h"
#include "tokenizer/special_tokens.h"
#include "tokenizer/spm_tokenizer.h"
#include "tokenizer/tokenizer_model.h"
#include "tokenizer/utf8.h"

namespace fab {

Tokenizer::Tokenizer(VocabData vocab) : vocab_(std::move(vocab)) {}

Tokenizer::~Tokenizer() = default;

StatusOr<std::unique_ptr<Tokenizer>> Tokenizer::Create(VocabData vocab) {
  FAB_RETURN_IF_ERROR(ValidateVocabData(vocab));
  std::unique_ptr<Tokenizer> tokenizer(new Tokenizer(std::move(vocab)));
  const std::string& model_name = tokenizer->vocab_.model;
  if (model_name == "llama") {
    FAB_ASSIGN_OR_RETURN(tokenizer->model_,
                         tokenizer_internal::SpmModel::Create(tokenizer->vocab_));
  } else if (model_name == "gpt2") {
    FAB_ASSIGN_OR_RETURN(tokenizer->model_,
                         tokenizer_internal::BpeModel::Create(tokenizer->vocab_));
  } else {
    return UnimplementedError("unsupported tokenizer model '" + model_name + "'");
  }
  tokenizer->token_bytes_.reserve(tokenizer->vocab_.tokens.size());
  for (TokenId id = 0; id < tokenizer->n_vocab(); ++id) {
    switch (static_cast<TokenType>(tokenizer->vocab_.token_types[id])) {
      case TokenType::kUserDefined:
        tokenizer->token_bytes_.push_back(tokenizer->vocab_.tokens[id]);
        break;
      case TokenType::kUnknown:
      case TokenType::kControl:
      case TokenType::kUnused:
        tokenizer->token_bytes_.emplace_back();
        break;
      case TokenType::kNormal:
      case TokenType::kUndefined:
      case TokenType::kByte:
        tokenizer->token_bytes_.push_back(tokenizer->model_->DecodeToken(id));
        break;
    }
  }
  tokenizer->splitter_ =
      std::make_unique<tokenizer_internal::SpecialTokenSplitter>(tokenizer->vocab_);
  tokenizer->end_of_generation_ids_ =
      tokenizer_internal::FindEndOfGenerationIds(tokenizer->vocab_);
  return tokenizer;
}

StatusOr<std::vector<TokenId>> Tokenizer::Encode(std::string_view text, bool add_bos) const {
  if (add_bos && vocab_.bos_id == -1) {
    return FailedPreconditionError("the vocabulary has no BOS token");
  }
  std::vector<TokenId> ids;
  if (add_bos) ids.push_back(vocab_.bos_id);
  FAB_RETURN_IF_ERROR(EncodeSegments(text, /*parse_special=*/false, &ids));
  return ids;
}

StatusOr<std::vector<TokenId>> Tokenizer::Encode(std::string_view text,
                                                 EncodeOptions options) const {
  std::vector<TokenId> ids;
  // ValidateVocabData guarantees the ids behind add_bos / add_eos.
  if (options.add_special && vocab_.add_bos) ids.push_back(vocab_.bos_id);
  FAB_RETURN_IF_ERROR(EncodeSegments(text, options.parse_special, &ids));
  if (options.add_special && vocab_.add_eos) ids.push_back(vocab_.eos_id);
  return ids;
}

Status Tokenizer::EncodeSegments(std::string_view text, bool parse_special,
                                 std::vector<TokenId>* ids) const {
  if (text.size() > kMaxEncodeTextBytes) {
    return ResourceExhaustedError("text of " + std::to_string(text.size()) +
                                  " bytes is over the tokenizer's cap of " +
                                  std::to_string(kMaxEncodeTextBytes));
  }
  size_t error_offset = 0;
  if (!IsValidUtf8(text, &error_offset)) {
    return InvalidArgumentError("text is not valid UTF-8 (byte " + std::to_string(error_offset) +
                                ")");
  }
  size_t start = 0;
  while (std::optional<tokenizer_internal::SpecialTokenSplitter::Match> match =
             splitter_->FindNext(text, start, parse_special)) {
    if (match->offset > start) {
      FAB_RETURN_IF_ERROR(model_->Encode(text.substr(start, match->offset - start), ids));
    }
    ids->push_back(match->id);
    start = match->offset + match->length;
  }
  if (start < text.size()) FAB_RETURN_IF_ERROR(model_->Encode(text.substr(start), ids));
  return OkStatus();
}

std::string_view Tokenizer::DecodedPiece(TokenId id, const DecodeOptions& options) const {
  if (options.render_special && IsValid(id)) {
    const auto type = static_cast<TokenType>(vocab_.token_types[id]);
    if (type == TokenType::kControl || type == TokenType::kUnknown) return vocab_.tokens[id];
  }
  return TokenBytes(id);
}

std::string Tokenizer::Decode(std::span<const TokenId> ids, DecodeOptions options) const {
  std::string text;
  for (TokenId id : ids) text.append(DecodedPiece(id, options));
  if (options.strip_space_prefix && vocab_.add_space_prefix && !text.empty() && text[0] == ' ') {
    text.erase(0, 1);
  }
  return text;
}

std::string_view Tokenizer::TokenText(TokenId id) const {
  return IsValid(id) ? std::string_view(vocab_.tokens[id]) : std::string_view();
}

const std::string& Tokenizer::TokenBytes(TokenId id) const {
  static const std::string* const kEmpty = new std::string();
  return IsValid(id) ? token_bytes_[id] : *kEmpty;
}

bool Tokenizer::IsEndOfGeneration(TokenId id) const {
  return std::binary_search(end_of_generation_ids_.begin(), end_of_generation_ids_.end(), id);
}

std::string StreamingDetokenizer::Push(TokenId id) {
  pending_.append(tokenizer_->DecodedPiece(id, options_));
  std::string complete;
  size_t offset = 0;
  while (offset < pending_.size()) {
    const Utf8Step step = ScanUtf8Char(std::string_view(pending_).substr(offset));
    if (step.scan == Utf8Scan::kIncomplete) break;  // only ever at the end
    if (step.scan == Utf8Scan::kComplete) {
      complete.append(pending_, offset, step.length);
    } else {
      complete.append(kUtf8ReplacementChar);
    }
    offset += step.length;
  }
  pending_.erase(0, offset);
  return complete;
}

std::string StreamingDetokenizer::Flush() {
  std::string rest = SanitizeUtf8(pending_);
  pending_.clear();
  return rest;
}

}  // namespace fab
