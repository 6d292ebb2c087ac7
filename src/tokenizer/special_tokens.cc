#include "tokenizer/special_tokens.h"

#include <algorithm>
#include <string_view>

namespace fab::tokenizer_internal {
namespace {

constexpr std::string_view kEndOfTurnTexts[] = {
    "<|eot_id|>",  "<|eom_id|>", "<|im_end|>", "<|endoftext|>",
    "<|end_of_text|>", "<end_of_turn>", "<|end|>", "<|return|>",
    "<|call|>",
    "<\xEF\xBD\x9C" "end\xE2\x96\x81of\xE2\x96\x81sentence\xEF\xBD\x9C>",  // <｜end▁of▁sentence｜>
    "<|EOT|>", "<|eot|>", "[|endofturn|]", "<EOT>", "<|END_OF_TURN_TOKEN|>",
};

TokenType TypeOf(const VocabData& vocab, size_t index) {
  return static_cast<TokenType>(vocab.token_types[index]);
}

}  // namespace

SpecialTokenSplitter::SpecialTokenSplitter(const VocabData& vocab) : nodes_(1) {
  for (size_t index = 0; index < vocab.tokens.size(); ++index) {
    const TokenType type = TypeOf(vocab, index);
    const bool is_user = type == TokenType::kUserDefined;
    if (!is_user && type != TokenType::kControl && type != TokenType::kUnknown) continue;
    const std::string& text = vocab.tokens[index];
    if (text.empty()) continue;
    int32_t node = 0;
    for (char c : text) node = AddChild(node, static_cast<uint8_t>(c));
    const auto first = static_cast<uint8_t>(text[0]);
    starts_any_[first] = true;
    if (is_user) {
      starts_user_[first] = true;
      nodes_[node].user_id = static_cast<TokenId>(index);
    } else {
      nodes_[node].control_id = static_cast<TokenId>(index);
    }
  }
}

int32_t SpecialTokenSplitter::Child(int32_t node, uint8_t byte) const {
  const auto& children = nodes_[node].children;
  const auto found = std::lower_bound(
      children.begin(), children.end(), byte,
      [](const std::pair<uint8_t, int32_t>& child, uint8_t value) { return child.first < value; });
  return found != children.end() && found->first == byte ? found->second : -1;
}

int32_t SpecialTokenSplitter::AddChild(int32_t node, uint8_t byte) {
  const int32_t existing = Child(node, byte);
  if (existing != -1) return existing;
  const auto child = static_cast<int32_t>(nodes_.size());
  nodes_.emplace_back();  // may reallocate: index nodes_ afresh below
  auto& children = nodes_[node].children;
  const auto position = std::lower_bound(
      children.begin(), children.end(), byte,
      [](const std::pair<uint8_t, int32_t>& entry, uint8_t value) { return entry.first < value; });
  children.insert(position, {byte, child});
  return child;
}

std::optional<SpecialTokenSplitter::Match> SpecialTokenSplitter::LongestAt(
    std::string_view text, size_t offset, bool include_control) const {
  std::optional<Match> longest;
  int32_t node = 0;
  for (size_t pos = offset; pos < text.size(); ++pos) {
    node = Child(node, static_cast<uint8_t>(text[pos]));
    if (node == -1) break;
    const Node& current = nodes_[node];
    const TokenId id = current.user_id != -1 ? current.user_id
                       : include_control     ? current.control_id
                                             : TokenId{-1};
    if (id != -1) longest = Match{offset, pos + 1 - offset, id};
  }
  return longest;
}

std::optional<SpecialTokenSplitter::Match> SpecialTokenSplitter::FindNext(
    std::string_view text, size_t from, bool include_control) const {
  const std::array<bool, 256>& starts = include_control ? starts_any_ : starts_user_;
  for (size_t offset = from; offset < text.size(); ++offset) {
    if (!starts[static_cast<uint8_t>(text[offset])]) continue;
    if (std::optional<Match> match = LongestAt(text, offset, include_control)) return match;
  }
  return std::nullopt;
}

std::vector<TokenId> FindEndOfGenerationIds(const VocabData& vocab) {
  std::vector<TokenId> ids;
  for (TokenId id : {vocab.eos_id, vocab.eot_id, vocab.eom_id}) {
    if (id != -1) ids.push_back(id);
  }
  const size_t n_declared = ids.size();
  bool has_return = false;
  TokenId end_id = -1;
  for (size_t index = 0; index < vocab.tokens.size(); ++index) {
    if (TypeOf(vocab, index) != TokenType::kControl) continue;
    const std::string_view text = vocab.tokens[index];
    if (std::find(std::begin(kEndOfTurnTexts), std::end(kEndOfTurnTexts), text) ==
        std::end(kEndOfTurnTexts)) {
      continue;
    }
    if (text == "<|return|>") has_return = true;
    if (text == "<|end|>") {
      end_id = static_cast<TokenId>(index);
      continue;
    }
    ids.push_back(static_cast<TokenId>(index));
  }
  const bool end_is_declared =
      std::find(ids.begin(), ids.begin() + n_declared, end_id) != ids.begin() + n_declared;
  if (end_id != -1 && !has_return && !end_is_declared) ids.push_back(end_id);
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  return ids;
}

}  // namespace fab::tokenizer_internal
