#include "grammar/matcher.h"

#include <algorithm>

#include "grammar/mask_cache.h"

namespace fab::grammar {
namespace {

// Compaction is first tried when the arena holds this many nodes, and again
// each time it has doubled since (so its cost stays linear in the input).
constexpr size_t kCompactNodes = 1 << 16;

}  // namespace

StatusOr<std::shared_ptr<const CompiledGrammar>> CompiledGrammar::Compile(Grammar grammar,
                                                                          const GrammarLimits& limits) {
  FAB_RETURN_IF_ERROR(Validate(grammar, limits));
  auto compiled = std::shared_ptr<CompiledGrammar>(new CompiledGrammar());
  compiled->alternative_starts_.resize(grammar.rules.size());
  for (size_t r = 0; r < grammar.rules.size(); ++r) {
    for (const std::vector<Symbol>& alternative : grammar.rules[r].alternatives) {
      compiled->alternative_starts_[r].push_back(static_cast<uint32_t>(compiled->slots_.size()));
      for (const Symbol& symbol : alternative) {
        compiled->slots_.push_back(
            Slot{symbol.kind == Symbol::Kind::kBytes ? Slot::kBytes : Slot::kRule, symbol.index});
      }
      compiled->slots_.push_back(Slot{Slot::kEnd, 0});
    }
  }
  compiled->grammar_ = std::move(grammar);
  return std::shared_ptr<const CompiledGrammar>(std::move(compiled));
}

GrammarMatcher::GrammarMatcher(std::shared_ptr<const CompiledGrammar> grammar) : grammar_(std::move(grammar)) {
  Reset();
}

void GrammarMatcher::Reset() {
  nodes_.clear();
  interned_.clear();
  visited_.clear();
  tops_.clear();
  complete_ = false;
  overflowed_ = false;
  compact_at_ = kCompactNodes;
  NextStamp();
  Outcome out{&tops_};
  for (uint32_t start : grammar_->alternatives_of(grammar_->root())) Expand(Intern(start, kRootParent), &out);
  complete_ = out.complete;
  std::sort(tops_.begin(), tops_.end());
}

int32_t GrammarMatcher::Intern(uint32_t position, int32_t parent) {
  const uint64_t key = (static_cast<uint64_t>(position) << 32) | static_cast<uint32_t>(parent);
  const auto [it, inserted] = interned_.emplace(key, static_cast<int32_t>(nodes_.size()));
  if (inserted) {
    nodes_.push_back(Node{position, parent});
    visited_.push_back(0);
  }
  return it->second;
}

void GrammarMatcher::Expand(int32_t start, Outcome* out) {
  const std::vector<CompiledGrammar::Slot>& slots = grammar_->slots();
  work_.clear();
  work_.push_back(start);
  while (!work_.empty()) {
    const int32_t id = work_.back();
    work_.pop_back();
    if (visited_[static_cast<size_t>(id)] == stamp_) continue;
    visited_[static_cast<size_t>(id)] = stamp_;
    const Node node = nodes_[static_cast<size_t>(id)];
    const CompiledGrammar::Slot slot = slots[node.position];
    if (slot.kind == CompiledGrammar::Slot::kBytes) {
      out->tops->push_back(static_cast<uint32_t>(id));
    } else if (slot.kind == CompiledGrammar::Slot::kEnd) {
      if (node.parent == kRootParent) {
        out->complete = true;
      } else if (node.parent == kBoundary) {
        out->left_context = true;
      } else {
        work_.push_back(node.parent);
      }
    } else {
      // A reference that ends its alternative returns straight to the parent.
      const bool tail = slots[node.position + 1].kind == CompiledGrammar::Slot::kEnd;
      const int32_t continuation = tail ? node.parent : Intern(node.position + 1, node.parent);
      for (uint32_t alternative : grammar_->alternatives_of(slot.index)) {
        work_.push_back(Intern(alternative, continuation));
      }
    }
  }
}

void GrammarMatcher::NextStamp() {
  if (++stamp_ == 0) {  // wrapped: no node may look visited
    std::fill(visited_.begin(), visited_.end(), 0);
    stamp_ = 1;
  }
}

bool GrammarMatcher::AcceptByte(uint8_t byte) {
  if (!Step(byte)) return false;
  CompactIfLarge();
  return true;
}

void GrammarMatcher::Advance(const std::vector<uint32_t>& tops, uint8_t byte, Outcome* out) {
  out->tops->clear();
  out->complete = out->left_context = false;
  NextStamp();
  const std::vector<CompiledGrammar::Slot>& slots = grammar_->slots();
  for (uint32_t top : tops) {
    const Node node = nodes_[top];
    if (!grammar_->byte_set(slots[node.position].index).test(byte)) continue;
    Expand(Intern(node.position + 1, node.parent), out);
  }
}

bool GrammarMatcher::Step(uint8_t byte) {
  std::vector<uint32_t> next;
  Outcome out{&next};
  Advance(tops_, byte, &out);
  if (next.size() > kMaxStacks) {
    tops_.clear();
    complete_ = false;
    overflowed_ = true;
    return true;
  }
  if (next.empty() && !out.complete) return false;
  std::sort(next.begin(), next.end());
  tops_ = std::move(next);
  complete_ = out.complete;
  return true;
}

void GrammarMatcher::FillTokenMask(const TokenTrie& trie, std::span<uint32_t> mask) {
  std::fill(mask.begin(), mask.end(), 0u);
  if (levels_.empty()) levels_.resize(1);
  levels_[0] = tops_;
  WalkTrie(trie, mask, nullptr);  // real stacks never leave a context: nothing is uncertain
  CompactIfLarge();
}

bool GrammarMatcher::AcceptBytes(std::string_view bytes) {
  const std::vector<uint32_t> saved_tops = tops_;
  const bool saved_complete = complete_;
  for (char c : bytes) {
    if (!Step(static_cast<uint8_t>(c))) {
      tops_ = saved_tops;  // no compaction ran since they were saved: their nodes are where they were
      complete_ = saved_complete;
      return false;
    }
  }
  CompactIfLarge();
  return true;
}

ByteSet GrammarMatcher::NextBytes() const {
  ByteSet bytes;
  for (uint32_t top : tops_) bytes |= grammar_->byte_set(grammar_->slots()[nodes_[top].position].index);
  return bytes;
}

void GrammarMatcher::CompactIfLarge() {
  if (nodes_.size() < compact_at_) return;
  std::vector<int32_t> remap(nodes_.size(), -1);
  size_t live = 0;
  for (uint32_t top : tops_) {
    for (int32_t id = static_cast<int32_t>(top); id >= 0 && remap[static_cast<size_t>(id)] < 0;
         id = nodes_[static_cast<size_t>(id)].parent) {
      remap[static_cast<size_t>(id)] = 0;
      ++live;
    }
  }
  if (live * 2 > nodes_.size()) {  // mostly live: not worth it yet
    compact_at_ = 2 * nodes_.size();
    return;
  }
  // A parent is always interned before its children, so renumbering in
  // index order maps every parent first.
  std::vector<Node> kept;
  kept.reserve(live);
  interned_.clear();
  for (size_t id = 0; id < nodes_.size(); ++id) {
    if (remap[id] < 0) continue;
    Node node = nodes_[id];
    if (node.parent >= 0) node.parent = remap[static_cast<size_t>(node.parent)];
    remap[id] = static_cast<int32_t>(kept.size());
    interned_.emplace((static_cast<uint64_t>(node.position) << 32) | static_cast<uint32_t>(node.parent), remap[id]);
    kept.push_back(node);
  }
  for (uint32_t& top : tops_) top = static_cast<uint32_t>(remap[top]);
  nodes_ = std::move(kept);
  visited_.assign(nodes_.size(), 0);
  stamp_ = 1;
  compact_at_ = std::max(kCompactNodes, 2 * nodes_.size());
}

void GrammarMatcher::WalkTrie(const TokenTrie& trie, std::span<uint32_t> accepted, std::vector<int32_t>* uncertain) {
  const auto accept = [&](int32_t token) { accepted[static_cast<size_t>(token) / 32] |= 1u << (token % 32); };
  // Every token under `node` (its own ones included) is uncertain.
  const auto all_uncertain = [&](uint32_t node) {
    std::vector<uint32_t> pending = {node};
    while (!pending.empty()) {
      const TokenTrie::Node& n = trie.node(pending.back());
      pending.pop_back();
      for (int32_t token : trie.tokens_at(n)) uncertain->push_back(token);
      for (uint32_t c = 0; c < n.n_children; ++c) pending.push_back(n.first_child + c);
    }
  };
  struct Frame {
    uint32_t node;
    uint32_t next_child;
    bool left;  // some path left the context on this prefix: longer tokens may fit below it
  };
  std::vector<Frame> stack = {{0, 0, false}};
  while (!stack.empty()) {
    Frame& frame = stack.back();
    const TokenTrie::Node& node = trie.node(frame.node);
    if (frame.next_child == node.n_children) {
      stack.pop_back();
      continue;
    }
    const uint32_t child_index = node.first_child + frame.next_child++;
    const bool left_before = frame.left;
    const TokenTrie::Node& child = trie.node(child_index);
    const size_t depth = stack.size();
    if (levels_.size() <= depth) levels_.resize(depth + 1);
    Outcome out{&levels_[depth]};
    Advance(levels_[depth - 1], child.byte, &out);
    if (levels_[depth].size() > kMaxStacks) {  // Step would overflow here: nothing under it fits
      levels_[depth].clear();
      out.complete = out.left_context = false;
    }
    const bool alive = !levels_[depth].empty();
    // Ending exactly where the context ends fits any stack below it.
    if (alive || out.complete || out.left_context) {
      for (int32_t token : trie.tokens_at(child)) accept(token);
    } else if (left_before) {
      for (int32_t token : trie.tokens_at(child)) uncertain->push_back(token);
    }
    const bool left = left_before || out.left_context;
    if (alive && child.n_children > 0) {
      stack.push_back({child_index, 0, left});
    } else if (left) {
      for (uint32_t c = 0; c < child.n_children; ++c) all_uncertain(child.first_child + c);
    }
  }
}

ContextKey GrammarMatcher::ContextOf(uint32_t top) const {
  ContextKey key;
  int32_t id = static_cast<int32_t>(top);
  while (key.depth < kContextDepth) {
    const Node& node = nodes_[static_cast<size_t>(id)];
    key.positions[key.depth++] = node.position;
    if (node.parent == kRootParent) {
      key.at_root = true;
      break;
    }
    id = node.parent;
  }
  return key;
}

void GrammarMatcher::ClassifyTokens(const ContextKey& context, const TokenTrie& trie, TokenClasses* classes) {
  Reset();  // a fresh arena for the scratch work
  classes->accepted.assign((static_cast<size_t>(trie.n_vocab()) + 31) / 32, 0u);
  classes->uncertain.clear();
  int32_t parent = context.at_root ? kRootParent : kBoundary;
  for (int k = context.depth - 1; k >= 0; --k) parent = Intern(context.positions[static_cast<size_t>(k)], parent);
  if (levels_.empty()) levels_.resize(1);
  levels_[0] = {static_cast<uint32_t>(parent)};

  WalkTrie(trie, classes->accepted, &classes->uncertain);
  std::sort(classes->uncertain.begin(), classes->uncertain.end(),
            [&](int32_t a, int32_t b) { return trie.rank(a) < trie.rank(b); });
  Reset();
}

void GrammarMatcher::FillTokenMask(TokenMaskCache& cache, std::span<uint32_t> mask) {
  const TokenTrie& trie = cache.trie();
  std::fill(mask.begin(), mask.end(), 0u);
  uncertain_.clear();
  for (uint32_t top : tops_) {
    const TokenClasses& classes = cache.ClassesFor(ContextOf(top));
    for (size_t w = 0; w < classes.accepted.size(); ++w) mask[w] |= classes.accepted[w];
    uncertain_.insert(uncertain_.end(), classes.uncertain.begin(), classes.uncertain.end());
  }
  if (uncertain_.empty()) return;
  if (tops_.size() > 1) {
    std::sort(uncertain_.begin(), uncertain_.end(), [&](int32_t a, int32_t b) { return trie.rank(a) < trie.rank(b); });
    uncertain_.erase(std::unique(uncertain_.begin(), uncertain_.end()), uncertain_.end());
  }
  // Check each against the real stacks, in byte order so a token reuses the
  // states of the prefix it shares with the one checked before it.
  if (levels_.empty()) levels_.resize(1);
  levels_[0] = tops_;
  const std::string* walked = nullptr;  // the last token walked; levels_[d] holds its first d bytes' states
  size_t dead_at = SIZE_MAX;            // walked died after this many bytes
  for (int32_t token : uncertain_) {
    if ((mask[static_cast<size_t>(token) / 32] >> (token % 32)) & 1u) continue;
    const std::string& bytes = trie.bytes(token);
    size_t shared = 0;
    if (walked != nullptr) {
      const size_t limit = std::min(walked->size(), bytes.size());
      while (shared < limit && (*walked)[shared] == bytes[shared]) ++shared;
      if (shared >= dead_at) continue;  // its prefix already died
    }
    walked = &bytes;
    dead_at = SIZE_MAX;
    bool fits = true;
    // The same bytes as the last walked token (a vocabulary may hold them
    // twice): re-walk the last byte, since only that step says whether the
    // grammar may end there.
    if (shared == bytes.size()) shared = bytes.size() - 1;
    for (size_t d = shared + 1; d <= bytes.size(); ++d) {
      if (levels_.size() <= d) levels_.resize(d + 1);
      Outcome out{&levels_[d]};
      Advance(levels_[d - 1], static_cast<uint8_t>(bytes[d - 1]), &out);
      if (levels_[d].size() > kMaxStacks) levels_[d].clear(), out.complete = false;  // overflow: dead
      if (levels_[d].empty() && !(d == bytes.size() && out.complete)) {
        fits = false;
        dead_at = d;
        break;
      }
    }
    if (fits) mask[static_cast<size_t>(token) / 32] |= 1u << (token % 32);
  }
  CompactIfLarge();
}

}  // namespace fab::grammar
