// CompiledGrammar and GrammarMatcher: a Grammar run over bytes.
//
// The matcher's state is every parse stack still alive, kept as a
// graph-structured stack: stacks share their tails as nodes of one arena,
// each node interned by (position, parent), so ambiguity costs the distinct
// stacks, not the derivations. A stack's top is the position of the next
// byte set to match; expanding a rule reference pushes its alternatives, and
// a reference that ends its alternative is a tail call (it pushes nothing),
// so right recursion (repetition) keeps stacks shallow. Left recursion is
// refused by Validate.
//
// CompiledGrammar is immutable and shared (thread-safe reads); a matcher
// belongs to one sequence and one thread.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "base/status.h"
#include "grammar/grammar.h"
#include "grammar/token_trie.h"

namespace fab::grammar {

struct ContextKey;
struct TokenClasses;
class TokenMaskCache;

class CompiledGrammar {
 public:
  // Validates and flattens `grammar`.
  static StatusOr<std::shared_ptr<const CompiledGrammar>> Compile(Grammar grammar, const GrammarLimits& limits = {});

  // Every alternative's symbols back to back, each alternative followed by
  // an end marker; positions index this array.
  struct Slot {
    enum Kind : uint8_t { kBytes, kRule, kEnd };
    Kind kind;
    uint32_t index;  // byte set or rule
  };
  const std::vector<Slot>& slots() const { return slots_; }
  const std::vector<uint32_t>& alternatives_of(uint32_t rule) const { return alternative_starts_[rule]; }
  const ByteSet& byte_set(uint32_t index) const { return grammar_.byte_sets[index]; }
  uint32_t root() const { return grammar_.root; }
  const Grammar& grammar() const { return grammar_; }

 private:
  Grammar grammar_;
  std::vector<Slot> slots_;
  std::vector<std::vector<uint32_t>> alternative_starts_;  // [rule] -> first positions
};

class GrammarMatcher {
 public:
  // Stacks one byte may leave. A grammar so ambiguous that a byte leaves
  // more (`root ::= item*  item ::= "(" root root ")" | "a"` doubles them at
  // every "(") would take exponential time: that byte is consumed and the
  // matcher is then overflowed — nothing may follow and it is not complete,
  // so a constrained generation ends there — rather than hang.
  static constexpr size_t kMaxStacks = size_t{1} << 12;

  explicit GrammarMatcher(std::shared_ptr<const CompiledGrammar> grammar);

  // True once a byte left more than kMaxStacks stacks (until Reset).
  bool overflowed() const { return overflowed_; }

  // Feeds one byte. False, leaving the state as it was, when the grammar
  // cannot continue with it.
  bool AcceptByte(uint8_t byte);
  // Feeds bytes in order; false, leaving the state as it was, when any is refused.
  bool AcceptBytes(std::string_view bytes);
  // True when the bytes so far are a whole sentence of the grammar.
  bool IsComplete() const { return complete_; }
  // True when some byte may follow.
  bool CanContinue() const { return !tops_.empty(); }
  // The bytes that may follow now.
  ByteSet NextBytes() const;
  // Back to the empty input.
  void Reset();

  // Sets bit t of `mask` (bit t % 32 of word t / 32; at least
  // ceil(n_vocab / 32) words) for each token of `trie` whose bytes may all
  // come next, in order, and clears every other bit. Tokens without bytes
  // (control tokens) are cleared: the caller allows end-of-generation when
  // IsComplete(). The state is unchanged. One depth-first walk of the trie,
  // pruned where no stack survives.
  void FillTokenMask(const TokenTrie& trie, std::span<uint32_t> mask);
  // The same mask, from `cache` (built for this matcher's grammar): the
  // union of the tops' cached accepted tokens plus the uncertain ones that
  // the real stacks take (mask_cache.h). Equal to the trie walk's, faster
  // once the contexts are cached.
  void FillTokenMask(TokenMaskCache& cache, std::span<uint32_t> mask);

  // Distinct live stack tops and arena nodes (for tests and limits).
  size_t n_stacks() const { return tops_.size(); }
  size_t n_nodes() const { return nodes_.size(); }

 private:
  friend class TokenMaskCache;

  // Node::parent values that are not nodes.
  static constexpr int32_t kRootParent = -1;  // the root's alternative: ending it completes the input
  static constexpr int32_t kBoundary = -2;    // a context's bottom (TokenMaskCache): what lies below is unknown

  struct Node {
    uint32_t position;
    int32_t parent;  // node index, kRootParent or kBoundary
  };

  // Where an advance or expansion led: new tops, and whether the root can
  // end there or a context's bottom was reached.
  struct Outcome {
    std::vector<uint32_t>* tops;
    bool complete = false;
    bool left_context = false;
  };

  int32_t Intern(uint32_t position, int32_t parent);
  // AcceptByte without compaction (so node indices saved before it stay valid).
  bool Step(uint8_t byte);
  // The tops after `byte` from `tops` into *out->tops (cleared first, unsorted).
  void Advance(const std::vector<uint32_t>& tops, uint8_t byte, Outcome* out);
  void NextStamp();
  // Adds the tops reachable from `node` (expanding rule references and
  // finishing alternatives) to *out.
  void Expand(int32_t node, Outcome* out);
  // Walks `trie` depth-first from levels_[0]'s tops: sets the bits of the
  // tokens that fit in `accepted` and appends those that leave a context
  // with bytes to spare to *uncertain (null: the tops are real stacks, which
  // have no context boundary). Prunes prefixes where nothing survives.
  void WalkTrie(const TokenTrie& trie, std::span<uint32_t> accepted, std::vector<int32_t>* uncertain);
  // The context of top node `top` (mask_cache.h).
  ContextKey ContextOf(uint32_t top) const;
  // Fills *classes for `context`, using this matcher's arena as scratch.
  void ClassifyTokens(const ContextKey& context, const TokenTrie& trie, TokenClasses* classes);
  // Drops arena nodes no live stack reaches.
  void CompactIfLarge();

  std::shared_ptr<const CompiledGrammar> grammar_;
  std::vector<Node> nodes_;
  std::unordered_map<uint64_t, int32_t> interned_;
  std::vector<uint32_t> tops_;  // sorted node indices whose position is a byte set
  bool complete_ = false;
  bool overflowed_ = false;
  // Expansion scratch: a node is visited in the current expansion when its
  // stamp equals stamp_.
  std::vector<uint32_t> visited_;
  uint32_t stamp_ = 0;
  std::vector<int32_t> work_;
  std::vector<std::vector<uint32_t>> levels_;  // FillTokenMask: tops after each prefix depth
  std::vector<int32_t> uncertain_;             // FillTokenMask(cache): tokens to check
  size_t compact_at_;  // arena size that triggers the next compaction attempt
};

}  // namespace fab::grammar
