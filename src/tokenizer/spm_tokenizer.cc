#include "tokenizer/spm_tokenizer.h"

#include <algorithm>
#include <cstdint>
#include <optional>

#include "tokenizer/utf8.h"

namespace fab::tokenizer_internal {
namespace {

constexpr std::string_view kSpaceMarker = "\xE2\x96\x81";  // U+2581 "▁"

std::optional<int> HexDigitValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return std::nullopt;
}

// "<0x0A>" → 0x0A; nullopt for anything else.
std::optional<uint8_t> ParseByteToken(std::string_view text) {
  if (text.size() != 6 || text.substr(0, 3) != "<0x" || text[5] != '>') return std::nullopt;
  const std::optional<int> high = HexDigitValue(text[3]);
  const std::optional<int> low = HexDigitValue(text[4]);
  if (!high || !low) return std::nullopt;
  return static_cast<uint8_t>(*high * 16 + *low);
}

// Spaces become U+2581; one more is prepended when `add_space_prefix`.
std::string EscapeWhitespace(std::string_view text, bool add_space_prefix) {
  std::string escaped;
  escaped.reserve(text.size() + kSpaceMarker.size() * 8);
  if (add_space_prefix) escaped.append(kSpaceMarker);
  for (char c : text) {
    if (c == ' ') {
      escaped.append(kSpaceMarker);
    } else {
      escaped.push_back(c);
    }
  }
  return escaped;
}

// True when `piece` has a U+2581 right after another character: merging
// could then join a word to the space that starts the next one.
bool JoinsWords(std::string_view piece) {
  for (size_t marker = piece.find(kSpaceMarker, 1); marker != std::string_view::npos;
       marker = piece.find(kSpaceMarker, marker + kSpaceMarker.size())) {
    const bool after_marker =
        marker >= kSpaceMarker.size() &&
        piece.substr(marker - kSpaceMarker.size(), kSpaceMarker.size()) == kSpaceMarker;
    if (!after_marker) return true;
  }
  return false;
}

bool TextCanProduce(TokenType type) {
  return type == TokenType::kNormal || type == TokenType::kUndefined ||
         type == TokenType::kUserDefined;
}

}  // namespace

// A run of the escaped text, linked to its live neighbours; `length` drops
// to 0 when the symbol is merged into its left neighbour.
struct SpmModel::Symbol {
  int32_t prev;
  int32_t next;
  uint32_t offset;
  uint32_t length;
};

// A candidate merge of symbols[left] and symbols[right] (adjacent when
// pushed). `length` detects stale entries: it no longer equals the sum of
// the two lengths once either side has changed.
struct SpmModel::Bigram {
  int32_t left;
  int32_t right;
  float score;
  uint32_t length;

  // Heap order: higher score first, then the leftmost pair.
  friend bool operator<(const Bigram& a, const Bigram& b) {
    return a.score < b.score || (a.score == b.score && a.left > b.left);
  }
};

// Scratch buffers reused across the words of one Encode call.
struct SpmModel::Workspace {
  std::vector<Symbol> symbols;
  std::vector<Bigram> heap;  // a max-heap (std::push_heap order)
  bool last_was_unknown = false;  // the last id emitted is a fallback <unk>
};

StatusOr<std::unique_ptr<SpmModel>> SpmModel::Create(const VocabData& vocab) {
  std::unique_ptr<SpmModel> model(new SpmModel(vocab));
  FAB_RETURN_IF_ERROR(model->IndexPieces());
  return model;
}

Status SpmModel::IndexPieces() {
  byte_to_id_.fill(-1);
  for (size_t index = 0; index < vocab_.tokens.size(); ++index) {
    const std::string& text = vocab_.tokens[index];
    const auto id = static_cast<TokenId>(index);
    const auto type = static_cast<TokenType>(vocab_.token_types[index]);
    if (type == TokenType::kByte) {
      const std::optional<uint8_t> byte = ParseByteToken(text);
      if (!byte) {
        return InvalidArgumentError("byte token " + std::to_string(index) +
                                    " is not spelled <0xNN>");
      }
      byte_to_id_[*byte] = id;
    } else if (TextCanProduce(type)) {
      piece_to_id_.Insert(id);
      words_never_join_ = words_never_join_ && !JoinsWords(text);
    }
  }
  return OkStatus();
}

TokenId SpmModel::FindPiece(std::string_view piece) const {
  return piece_to_id_.Find(piece);
}

// The start of the next word after `start`: the next U+2581 that follows a
// character other than U+2581, or the end of the text.
size_t SpmModel::NextWordStart(std::string_view text, size_t start) {
  size_t search_from = start + 1;
  while (true) {
    const size_t marker = text.find(kSpaceMarker, search_from);
    if (marker == std::string_view::npos) return text.size();
    const bool after_marker =
        marker >= kSpaceMarker.size() &&
        text.substr(marker - kSpaceMarker.size(), kSpaceMarker.size()) == kSpaceMarker;
    if (!after_marker) return marker;
    search_from = marker + kSpaceMarker.size();
  }
}

Status SpmModel::Encode(std::string_view text, std::vector<TokenId>* ids) const {
  const std::string escaped = EscapeWhitespace(text, vocab_.add_space_prefix);
  // Words are merged one at a time when no piece can span two of them: the
  // same result as merging the whole text, with a small, cache-resident heap.
  Workspace workspace;
  for (size_t start = 0; start < escaped.size();) {
    const size_t end = words_never_join_ ? NextWordStart(escaped, start) : escaped.size();
    FAB_RETURN_IF_ERROR(
        EncodeWord(std::string_view(escaped).substr(start, end - start), workspace, ids));
    start = end;
  }
  return OkStatus();
}

Status SpmModel::EncodeWord(std::string_view word, Workspace& workspace,
                            std::vector<TokenId>* ids) const {
  std::vector<Symbol>& symbols = workspace.symbols;
  symbols.clear();
  for (size_t offset = 0; offset < word.size();) {
    const size_t length = ScanUtf8Char(word.substr(offset)).length;
    const auto index = static_cast<int32_t>(symbols.size());
    symbols.push_back({index - 1, index + 1, static_cast<uint32_t>(offset),
                       static_cast<uint32_t>(length)});
    offset += length;
  }
  if (symbols.empty()) return OkStatus();
  symbols.back().next = -1;
  MergeSymbols(word, workspace);
  for (int32_t index = 0; index != -1; index = symbols[index].next) {
    const Symbol& symbol = symbols[index];
    FAB_RETURN_IF_ERROR(EmitSymbol(word.substr(symbol.offset, symbol.length), ids));
    // A run of characters the vocabulary cannot spell is one <unk>, as in
    // sentencepiece (and Hugging Face's fuse_unk). Only EmitSymbol's
    // fallback emits unk_id: text never produces an unknown-type piece.
    const bool unknown = ids->back() == vocab_.unk_id;
    if (unknown && workspace.last_was_unknown) ids->pop_back();
    workspace.last_was_unknown = unknown;
  }
  return OkStatus();
}

void SpmModel::MergeSymbols(std::string_view text, Workspace& workspace) const {
  std::vector<Symbol>& symbols = workspace.symbols;
  std::vector<Bigram>& heap = workspace.heap;
  heap.clear();
  auto try_add_bigram = [&](int32_t left, int32_t right) {
    if (left == -1 || right == -1) return;
    const uint32_t length = symbols[left].length + symbols[right].length;
    const TokenId id = FindPiece(text.substr(symbols[left].offset, length));
    if (id == -1) return;
    heap.push_back({left, right, vocab_.scores[id], length});
    std::push_heap(heap.begin(), heap.end());
  };
  for (int32_t index = 1; index < static_cast<int32_t>(symbols.size()); ++index) {
    try_add_bigram(index - 1, index);
  }
  while (!heap.empty()) {
    std::pop_heap(heap.begin(), heap.end());
    const Bigram bigram = heap.back();
    heap.pop_back();
    Symbol& left = symbols[bigram.left];
    Symbol& right = symbols[bigram.right];
    if (left.length == 0 || right.length == 0 || left.length + right.length != bigram.length) {
      continue;  // stale: one side was merged since this pair was queued
    }
    left.length += right.length;
    right.length = 0;
    left.next = right.next;
    if (right.next != -1) symbols[right.next].prev = bigram.left;
    try_add_bigram(left.prev, bigram.left);
    try_add_bigram(bigram.left, left.next);
  }
}

Status SpmModel::EmitSymbol(std::string_view piece, std::vector<TokenId>* ids) const {
  const TokenId id = FindPiece(piece);
  if (id != -1) {
    ids->push_back(id);
    return OkStatus();
  }
  // Only single characters reach here: every merge result is a vocabulary piece.
  bool has_all_bytes = true;
  for (char c : piece) has_all_bytes = has_all_bytes && byte_to_id_[static_cast<uint8_t>(c)] != -1;
  if (has_all_bytes) {
    for (char c : piece) ids->push_back(byte_to_id_[static_cast<uint8_t>(c)]);
    return OkStatus();
  }
  if (vocab_.unk_id != -1) {
    ids->push_back(vocab_.unk_id);
    return OkStatus();
  }
  return InvalidArgumentError("the vocabulary has no piece, byte token or unknown token for '" +
                              std::string(piece) + "'");
}

std::string SpmModel::DecodeToken(TokenId id) const {
  const std::string& text = vocab_.tokens[id];
  switch (static_cast<TokenType>(vocab_.token_types[id])) {
    case TokenType::kNormal:
    case TokenType::kUndefined: {
      std::string result;
      result.reserve(text.size());
      for (size_t offset = 0; offset < text.size();) {
        if (std::string_view(text).substr(offset, kSpaceMarker.size()) == kSpaceMarker) {
          result.push_back(' ');
          offset += kSpaceMarker.size();
        } else {
          result.push_back(text[offset++]);
        }
      }
      return result;
    }
    case TokenType::kByte:
      return std::string(1, static_cast<char>(*ParseByteToken(text)));
    default:  // the Tokenizer decodes the other types itself
      return "";
  }
}

}  // namespace fab::tokenizer_internal
