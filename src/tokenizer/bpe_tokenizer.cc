#include "tokenizer/bpe_tokenizer.h"

#include <algorithm>
#include <cstdint>
#include <optional>
#include <span>
#include <utility>

#include "tokenizer/byte_unicode.h"
#include "tokenizer/unicode_nfc.h"

namespace fab::tokenizer_internal {
namespace {

// Token types that text may turn into through merging.
bool IsMergeable(TokenType type) {
  return type == TokenType::kNormal || type == TokenType::kUndefined ||
         type == TokenType::kUserDefined;
}

bool IsNormal(TokenType type) {
  return type == TokenType::kNormal || type == TokenType::kUndefined;
}

TokenType TypeOf(const VocabData& vocab, TokenId id) {
  return static_cast<TokenType>(vocab.token_types[id]);
}

// "<0x0A>" → 0x0A; nullopt for anything else.
std::optional<uint8_t> ParseByteToken(std::string_view text) {
  if (text.size() != 6 || text.substr(0, 3) != "<0x" || text[5] != '>') return std::nullopt;
  uint8_t value = 0;
  for (char c : text.substr(3, 2)) {
    int digit = -1;
    if (c >= '0' && c <= '9') digit = c - '0';
    if (c >= 'A' && c <= 'F') digit = c - 'A' + 10;
    if (c >= 'a' && c <= 'f') digit = c - 'a' + 10;
    if (digit < 0) return std::nullopt;
    value = static_cast<uint8_t>(value * 16 + digit);
  }
  return value;
}

}  // namespace

// One byte or merged run of the piece; `id` becomes -1 once merged into its
// left neighbour (a dead symbol).
struct BpeModel::Symbol {
  TokenId id;
  int32_t prev;  // -1: none
  int32_t next;  // -1: none
};

// A queued merge of the symbol at `left` with its right neighbour. Still
// valid when popped if the two symbols there now have the same ids (the
// rule, and so the rank, depends on nothing else).
struct BpeModel::Candidate {
  uint64_t order;  // rank << 32 | left: the lowest rank first, then leftmost
  TokenId left_id;
  TokenId right_id;

  int32_t left() const { return static_cast<int32_t>(order & 0xFFFFFFFFu); }
  // std heaps keep the greatest first: make that the smallest order.
  friend bool operator<(const Candidate& a, const Candidate& b) { return a.order > b.order; }
};

// Scratch buffers reused across the pieces of one Encode call.
struct BpeModel::Workspace {
  std::vector<std::string_view> pieces;
  std::vector<Symbol> symbols;
  std::vector<Candidate> heap;
};

BpeModel::BpeModel(const VocabData& vocab, std::unique_ptr<PreTokenizer> pre_tokenizer,
                   bool ignore_merges)
    : vocab_(vocab),
      pre_tokenizer_(std::move(pre_tokenizer)),
      ignore_merges_(ignore_merges),
      normalize_nfc_(vocab.normalizer == "nfc"),
      merges_(vocab.merges.size()),
      bytes_to_id_(token_bytes_, ignore_merges ? vocab.tokens.size() : 0),
      cache_(kWordCacheEntries) {}

StatusOr<std::unique_ptr<BpeModel>> BpeModel::Create(const VocabData& vocab) {
  if (!vocab.normalizer.empty() && vocab.normalizer != "nfc") {
    return UnimplementedError("unsupported tokenizer normalizer '" + vocab.normalizer + "'");
  }
  const std::string pre_name = vocab.pre.empty() ? "default" : vocab.pre;
  FAB_ASSIGN_OR_RETURN(std::unique_ptr<PreTokenizer> pre_tokenizer,
                       PreTokenizer::Create(pre_name));
  std::unique_ptr<BpeModel> model(new BpeModel(vocab, std::move(pre_tokenizer),
                                               PreTokenizer::IgnoresMerges(pre_name)));
  PieceTable text_to_id(vocab.tokens, vocab.tokens.size());
  for (size_t index = 0; index < vocab.tokens.size(); ++index) {
    if (IsMergeable(TypeOf(vocab, static_cast<TokenId>(index)))) {
      text_to_id.Insert(static_cast<TokenId>(index));
    }
  }
  for (int byte = 0; byte < 256; ++byte) {
    const char raw = static_cast<char>(byte);
    model->byte_to_id_[byte] = text_to_id.Find(BytesToBpeText(std::string_view(&raw, 1)));
  }
  model->IndexMerges(text_to_id);
  if (model->ignore_merges_) {
    model->token_bytes_.resize(vocab.tokens.size());
    for (size_t index = 0; index < vocab.tokens.size(); ++index) {
      const auto id = static_cast<TokenId>(index);
      if (!IsNormal(TypeOf(vocab, id))) continue;
      std::optional<std::string> bytes = BpeTextToBytes(vocab.tokens[index]);
      if (!bytes || bytes->empty()) continue;
      model->token_bytes_[index] = std::move(*bytes);
      model->bytes_to_id_.Insert(id);
    }
  }
  return model;
}

void BpeModel::IndexMerges(const PieceTable& text_to_id) {
  std::string joined;
  for (size_t rank = 0; rank < vocab_.merges.size(); ++rank) {
    const std::string_view merge = vocab_.merges[rank];
    const size_t separator = merge.find(' ', 1);
    if (separator == std::string_view::npos) continue;  // ValidateVocabData refuses these
    const std::string_view left = merge.substr(0, separator);
    const std::string_view right = merge.substr(separator + 1);
    joined.assign(left).append(right);
    const TokenId left_id = text_to_id.Find(left);
    const TokenId right_id = text_to_id.Find(right);
    const TokenId result = text_to_id.Find(joined);
    if (left_id == -1 || right_id == -1 || result == -1) continue;
    merges_.Insert(left_id, right_id, {static_cast<int32_t>(rank), result});
  }
}

Status BpeModel::Encode(std::string_view text, std::vector<TokenId>* ids) const {
  std::string normalized;
  if (normalize_nfc_ && !IsQuickNfc(text)) {
    FAB_ASSIGN_OR_RETURN(normalized, ToNfc(text));
    text = normalized;
  }
  Workspace workspace;
  workspace.pieces.reserve(text.size() / 4 + 1);
  FAB_RETURN_IF_ERROR(pre_tokenizer_->Split(text, &workspace.pieces));
  for (std::string_view piece : workspace.pieces) {
    FAB_RETURN_IF_ERROR(EncodePiece(piece, workspace, ids));
  }
  return OkStatus();
}

Status BpeModel::EncodePiece(std::string_view piece, Workspace& workspace,
                             std::vector<TokenId>* ids) const {
  if (ignore_merges_) {
    const TokenId whole = bytes_to_id_.Find(piece);
    if (whole != -1) {
      ids->push_back(whole);
      return OkStatus();
    }
  }
  if (piece.size() == 1) {
    const auto byte = static_cast<uint8_t>(piece[0]);
    if (byte_to_id_[byte] == -1) return EmitUnmergeable(byte, ids);
    ids->push_back(byte_to_id_[byte]);
    return OkStatus();
  }
  if (cache_.Lookup(piece, ids)) return OkStatus();

  std::vector<Symbol>& symbols = workspace.symbols;
  symbols.resize(piece.size());
  const auto n_symbols = static_cast<int32_t>(piece.size());
  for (int32_t index = 0; index < n_symbols; ++index) {
    symbols[index] = {byte_to_id_[static_cast<uint8_t>(piece[index])], index - 1,
                      index + 1 < n_symbols ? index + 1 : -1};
  }
  MergeSymbols(workspace);
  const size_t first_id = ids->size();
  for (int32_t index = 0; index != -1; index = symbols[index].next) {
    if (symbols[index].id == -1) {
      // Only an unmerged byte can lack an id (every merge result is a token).
      FAB_RETURN_IF_ERROR(EmitUnmergeable(static_cast<uint8_t>(piece[index]), ids));
    } else {
      ids->push_back(symbols[index].id);
    }
  }
  cache_.Insert(piece, std::span<const TokenId>(ids->data() + first_id, ids->size() - first_id));
  return OkStatus();
}

void BpeModel::MergeSymbols(Workspace& workspace) const {
  std::vector<Symbol>& symbols = workspace.symbols;
  std::vector<Candidate>& heap = workspace.heap;
  heap.clear();
  // Appends the candidate for symbols[left] and its neighbour, if a rule applies.
  auto add_candidate = [&](int32_t left) {
    if (left == -1 || symbols[left].next == -1) return false;
    const TokenId left_id = symbols[left].id;
    const TokenId right_id = symbols[symbols[left].next].id;
    const MergeTable::Merge* merge = merges_.Find(left_id, right_id);
    if (merge == nullptr) return false;
    const uint64_t order = (static_cast<uint64_t>(merge->rank) << 32) | static_cast<uint32_t>(left);
    heap.push_back({order, left_id, right_id});
    return true;
  };
  for (int32_t index = 0; index + 1 < static_cast<int32_t>(symbols.size()); ++index) {
    add_candidate(index);
  }
  std::make_heap(heap.begin(), heap.end());
  while (!heap.empty()) {
    std::pop_heap(heap.begin(), heap.end());
    const Candidate candidate = heap.back();
    heap.pop_back();
    const int32_t left_index = candidate.left();
    Symbol& left = symbols[left_index];
    if (left.id != candidate.left_id || left.next == -1 ||
        symbols[left.next].id != candidate.right_id) {
      continue;  // stale: the pair at `left` changed since it was queued
    }
    Symbol& right = symbols[left.next];
    left.id = merges_.Find(candidate.left_id, candidate.right_id)->result;
    left.next = right.next;
    if (right.next != -1) symbols[right.next].prev = left_index;
    right.id = -1;
    right.next = -1;
    if (add_candidate(left.prev)) std::push_heap(heap.begin(), heap.end());
    if (add_candidate(left_index)) std::push_heap(heap.begin(), heap.end());
  }
}

Status BpeModel::EmitUnmergeable(uint8_t byte, std::vector<TokenId>* ids) const {
  if (vocab_.unk_id == -1) {
    return InvalidArgumentError("the vocabulary has no token for byte " + std::to_string(byte) +
                                " and no unknown token");
  }
  ids->push_back(vocab_.unk_id);
  return OkStatus();
}

std::string BpeModel::DecodeToken(TokenId id) const {
  const std::string& text = vocab_.tokens[id];
  switch (TypeOf(vocab_, id)) {
    case TokenType::kByte:
      if (std::optional<uint8_t> byte = ParseByteToken(text)) {
        return std::string(1, static_cast<char>(*byte));
      }
      [[fallthrough]];
    case TokenType::kNormal:
    case TokenType::kUndefined: {
      std::optional<std::string> bytes = BpeTextToBytes(text);
      return bytes ? std::move(*bytes) : text;
    }
    default:  // the Tokenizer decodes the other types itself
      return "";
  }
}

}  // namespace fab::tokenizer_internal
