// TokenTrie: a vocabulary's token byte strings as a trie, built once per
// vocabulary and shared by every matcher that masks tokens of it. Children
// of a node are contiguous and sorted by byte; a node lists the tokens whose
// bytes end there (a vocabulary may hold the same bytes twice). Tokens with
// no bytes (control tokens) are not in the trie. Immutable, thread-safe.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "tokenizer/tokenizer.h"

namespace fab::grammar {

class TokenTrie {
 public:
  struct Node {
    uint32_t first_child = 0;  // index of the first child node
    uint32_t n_children = 0;
    uint32_t first_token = 0;  // into tokens(): the tokens that end here
    uint32_t n_tokens = 0;
    uint8_t byte = 0;  // the byte that leads here from the parent
  };

  // token_bytes[id] is token id's bytes.
  explicit TokenTrie(const std::vector<std::string>& token_bytes);
  // The trie of `tokenizer`'s tokens, by the bytes they detokenize to
  // (TokenBytes); the control tokens in `shown` by their text instead
  // ("[TOOL_CALLS]"), for grammars that write them.
  static std::shared_ptr<const TokenTrie> Of(const Tokenizer& tokenizer, std::span<const TokenId> shown = {});

  int32_t n_vocab() const { return n_vocab_; }
  const Node& root() const { return nodes_[0]; }
  const Node& node(uint32_t index) const { return nodes_[index]; }
  std::span<const int32_t> tokens_at(const Node& node) const {
    return std::span<const int32_t>(tokens_).subspan(node.first_token, node.n_tokens);
  }
  size_t n_nodes() const { return nodes_.size(); }
  const std::string& bytes(int32_t token) const { return bytes_[static_cast<size_t>(token)]; }
  // The token's place in byte order among the tokens with bytes (-1: none).
  int32_t rank(int32_t token) const { return rank_[static_cast<size_t>(token)]; }

 private:
  int32_t n_vocab_;
  std::vector<std::string> bytes_;
  std::vector<int32_t> rank_;
  std::vector<Node> nodes_;     // nodes_[0] is the root (the empty prefix)
  std::vector<int32_t> tokens_;
};

}  // namespace fab::grammar
