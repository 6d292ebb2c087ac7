#include "grammar/token_trie.h"

#include <algorithm>
#include <numeric>

namespace fab::grammar {

std::shared_ptr<const TokenTrie> TokenTrie::Of(const Tokenizer& tokenizer, std::span<const TokenId> shown) {
  std::vector<std::string> bytes;
  bytes.reserve(static_cast<size_t>(tokenizer.n_vocab()));
  for (TokenId id = 0; id < tokenizer.n_vocab(); ++id) bytes.push_back(tokenizer.TokenBytes(id));
  for (TokenId id : shown) {
    if (tokenizer.IsValid(id)) bytes[static_cast<size_t>(id)] = std::string(tokenizer.TokenText(id));
  }
  return std::make_shared<const TokenTrie>(bytes);
}

TokenTrie::TokenTrie(const std::vector<std::string>& token_bytes)
    : n_vocab_(static_cast<int32_t>(token_bytes.size())), bytes_(token_bytes), rank_(token_bytes.size(), -1) {
  std::vector<int32_t> order;
  for (int32_t id = 0; id < n_vocab_; ++id) {
    if (!token_bytes[static_cast<size_t>(id)].empty()) order.push_back(id);
  }
  std::sort(order.begin(), order.end(), [&](int32_t a, int32_t b) {
    return token_bytes[static_cast<size_t>(a)] < token_bytes[static_cast<size_t>(b)];
  });
  for (size_t i = 0; i < order.size(); ++i) rank_[static_cast<size_t>(order[i])] = static_cast<int32_t>(i);
  // Breadth-first over ranges of `order` sharing a prefix of length depth:
  // each node's children are made together, so they are contiguous.
  struct Pending {
    uint32_t node;
    size_t begin, end;  // tokens of `order` under this node
    size_t depth;
  };
  nodes_.push_back(Node{});
  std::vector<Pending> queue = {{0, 0, order.size(), 0}};
  for (size_t q = 0; q < queue.size(); ++q) {
    const Pending p = queue[q];
    const auto bytes_of = [&](size_t i) -> const std::string& { return token_bytes[static_cast<size_t>(order[i])]; };
    size_t i = p.begin;
    // Tokens that end at this node sort first (shortest).
    nodes_[p.node].first_token = static_cast<uint32_t>(tokens_.size());
    while (i < p.end && bytes_of(i).size() == p.depth) tokens_.push_back(order[i++]);
    nodes_[p.node].n_tokens = static_cast<uint32_t>(tokens_.size()) - nodes_[p.node].first_token;
    nodes_[p.node].first_child = static_cast<uint32_t>(nodes_.size());
    while (i < p.end) {
      const auto byte = static_cast<uint8_t>(bytes_of(i)[p.depth]);
      size_t j = i;
      while (j < p.end && static_cast<uint8_t>(bytes_of(j)[p.depth]) == byte) ++j;
      Node child;
      child.byte = byte;
      queue.push_back({static_cast<uint32_t>(nodes_.size()), i, j, p.depth + 1});
      nodes_.push_back(child);
      ++nodes_[p.node].n_children;
      i = j;
    }
  }
}

}  // namespace fab::grammar
