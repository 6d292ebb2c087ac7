// PieceTable: token text → id lookup for the tokenizers' inner loops: an
// open-addressing hash table of (hash tag, id) slots, checked against the
// vocabulary's own strings (one cache line per probe instead of the node
// chasing of std::unordered_map). Insert during construction only; Find is
// const and thread-safe. The vocabulary strings must outlive the table.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/types.h"

namespace fab::tokenizer_internal {

class PieceTable {
 public:
  // `tokens` is the vocabulary the ids index; `capacity_hint` the number of
  // Insert calls to expect.
  PieceTable(const std::vector<std::string>& tokens, size_t capacity_hint);

  // Maps tokens[id] to id; a later Insert of the same text replaces the id.
  // At most capacity_hint distinct texts (checked).
  void Insert(TokenId id);
  // The id of `text`, or -1.
  TokenId Find(std::string_view text) const;

 private:
  struct Slot {
    uint32_t tag;  // high half of the hash
    TokenId id;    // -1: empty
  };
  static uint64_t Hash(std::string_view text);

  const std::vector<std::string>& tokens_;
  std::vector<Slot> slots_;  // size is a power of two, at most half full
  uint64_t mask_;
  size_t n_filled_ = 0;
};

}  // namespace fab::tokenizer_internal
