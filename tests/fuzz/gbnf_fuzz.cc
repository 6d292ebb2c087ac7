// libFuzzer target for GBNF grammars and the byte matcher: the input is a
// grammar text, then (after the first NUL byte, if any) bytes to feed it.
// Any grammar must compile or be refused with a Status, never crash, hang or
// allocate by a claimed size. For one that compiles, every fed byte must be
// accepted exactly when NextBytes says it may follow, a refused byte must
// leave the state as it was, and completion must agree with a fresh matcher
// fed the same accepted bytes.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_support.h"
#include "grammar/gbnf.h"
#include "grammar/matcher.h"

using fab::fuzz::Require;

extern "C" const char* __ubsan_default_options() { return "halt_on_error=1:print_stacktrace=1"; }

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const size_t split = input.find('\0');
  const std::string_view text = input.substr(0, split);
  const std::string_view bytes = split == std::string_view::npos ? std::string_view() : input.substr(split + 1);

  // Smaller caps than a server's, so one input stays within the time limit.
  fab::grammar::GrammarLimits limits;
  limits.max_rules = 4096;
  limits.max_symbols = 1 << 16;
  auto grammar = fab::grammar::ParseGbnf(text, limits);
  if (!grammar.ok()) {
    Require(!grammar.status().message().empty(), "a refusal says why");
    return 0;
  }
  auto compiled = fab::grammar::CompiledGrammar::Compile(std::move(grammar).value(), limits);
  Require(compiled.ok(), "a parsed grammar compiles");

  fab::grammar::GrammarMatcher matcher(*compiled);
  std::string accepted;
  for (char c : bytes) {
    const auto byte = static_cast<uint8_t>(c);
    const bool may_follow = matcher.NextBytes().test(byte);
    const bool was_complete = matcher.IsComplete();
    const size_t stacks = matcher.n_stacks();
    const bool took = matcher.AcceptByte(byte);
    Require(took == may_follow, "a byte is accepted exactly when NextBytes lists it");
    if (!took) {
      Require(matcher.IsComplete() == was_complete && matcher.n_stacks() == stacks, "a refused byte changes nothing");
      continue;
    }
    accepted += c;
  }
  fab::grammar::GrammarMatcher replay(*compiled);
  Require(replay.AcceptBytes(accepted), "the accepted bytes are accepted again in one call");
  Require(replay.IsComplete() == matcher.IsComplete(), "completion depends only on the bytes");
  return 0;
}
