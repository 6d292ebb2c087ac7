#include "server/grammar_library.h"

#include <boost/json.hpp>

#include "grammar/gbnf.h"
#include "grammar/json_schema.h"
#include "grammar/regex.h"

namespace fab::server {
namespace {

StatusOr<std::string> GbnfOf(const GrammarSpec& spec) {
  switch (spec.kind) {
    case GrammarSpec::Kind::kGbnf:
      return spec.text;
    case GrammarSpec::Kind::kJsonObject:
      return grammar::AnyJsonObjectGbnf();
    case GrammarSpec::Kind::kRegex: {
      FAB_ASSIGN_OR_RETURN(grammar::RegexGbnf regex, grammar::RegexToGbnf(spec.text, grammar::RegexContext::kText));
      return "root ::= " + regex.expression + "\n";
    }
    case GrammarSpec::Kind::kJsonSchema:
      break;
  }
  boost::system::error_code error;
  const boost::json::value schema = boost::json::parse(spec.text, error);
  if (error) return InvalidArgumentError("the schema is not JSON: " + error.message());
  return grammar::JsonSchemaToGbnf(schema);
}

}  // namespace

std::shared_ptr<const grammar::TokenTrie> GrammarLibrary::Trie(const std::vector<TokenId>& shown) {
  std::shared_ptr<const grammar::TokenTrie>& trie = tries_[shown];
  if (trie == nullptr) trie = grammar::TokenTrie::Of(tokenizer_, shown);
  return trie;
}

StatusOr<std::shared_ptr<grammar::TokenMaskCache>> GrammarLibrary::Get(const GrammarSpec& spec) {
  std::string key = std::to_string(static_cast<int>(spec.kind));
  for (TokenId shown : spec.shown_control_tokens) key += "," + std::to_string(shown);
  key += ":" + spec.text;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (auto found = entries_.find(key); found != entries_.end()) {
      recent_.splice(recent_.begin(), recent_, found->second.place);
      return found->second.cache;
    }
  }
  // Compiled outside the lock: a large grammar must not stall other requests.
  FAB_ASSIGN_OR_RETURN(std::string gbnf, GbnfOf(spec));
  FAB_ASSIGN_OR_RETURN(grammar::Grammar parsed, grammar::ParseGbnf(gbnf));
  FAB_ASSIGN_OR_RETURN(std::shared_ptr<const grammar::CompiledGrammar> compiled,
                       grammar::CompiledGrammar::Compile(std::move(parsed)));
  std::lock_guard<std::mutex> lock(mutex_);
  if (auto found = entries_.find(key); found != entries_.end()) return found->second.cache;  // raced: keep the first
  auto cache = std::make_shared<grammar::TokenMaskCache>(std::move(compiled), Trie(spec.shown_control_tokens));
  recent_.push_front(key);
  entries_[key] = Entry{cache, recent_.begin()};
  while (entries_.size() > kMaxGrammars) {
    entries_.erase(recent_.back());
    recent_.pop_back();
  }
  return cache;
}

size_t GrammarLibrary::size() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return entries_.size();
}

}  // namespace fab::server
