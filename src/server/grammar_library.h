// GrammarLibrary: the grammars a served model's requests constrain their
// output with, each compiled once and kept with its token mask cache, keyed
// by kind and text (the same schema sent twice reuses the compiled grammar
// and every mask context already classified). At most kMaxGrammars are
// kept; the least recently used goes first (requests holding it keep it
// alive). The vocabulary trie is built on first use (one per set of
// control tokens a grammar writes by their text). Thread-safe.
#pragma once

#include <cstdint>
#include <list>
#include <map>
#include <vector>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include "base/status.h"
#include "grammar/mask_cache.h"
#include "grammar/token_trie.h"
#include "server/grammar_fields.h"
#include "tokenizer/tokenizer.h"

namespace fab::server {

class GrammarLibrary {
 public:
  static constexpr size_t kMaxGrammars = 64;

  // `tokenizer` must outlive the library.
  explicit GrammarLibrary(const Tokenizer& tokenizer) : tokenizer_(tokenizer) {}

  // The mask cache of `spec`'s grammar, compiled on first use; InvalidArgument
  // (what was refused, and where) when it does not compile.
  StatusOr<std::shared_ptr<grammar::TokenMaskCache>> Get(const GrammarSpec& spec);

  size_t size() const;

 private:
  // The vocabulary's trie with `shown` control tokens by their text.
  std::shared_ptr<const grammar::TokenTrie> Trie(const std::vector<TokenId>& shown);

  const Tokenizer& tokenizer_;
  mutable std::mutex mutex_;
  std::map<std::vector<TokenId>, std::shared_ptr<const grammar::TokenTrie>> tries_;  // guarded by mutex_
  std::list<std::string> recent_;                   // keys, most recent first
  struct Entry {
    std::shared_ptr<grammar::TokenMaskCache> cache;
    std::list<std::string>::iterator place;
  };
  std::unordered_map<std::string, Entry> entries_;
};

}  // namespace fab::server
