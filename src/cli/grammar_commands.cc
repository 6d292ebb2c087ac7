// `tokenfab grammar check (--gbnf FILE | --schema FILE | --regex TEXT) [--print] [--json]`:
// compiles the grammar (a JSON Schema through its GBNF) and prints its size,
// or the refusal (GBNF: line and column; schema: the keyword and where) with
// exit status 1. --print also prints the GBNF.
//
// `tokenfab bench grammar [-m MODEL] [--gbnf FILE] [--text FILE]
// [--repeat N] [--json]`: splits the text into the vocabulary's tokens
// (longest match first, so the tokens' bytes are exactly the text, with no
// SentencePiece space prefix), then walks them through the grammar, timing the token mask
// before each token. The first pass fills the context cache and is reported
// apart (cold); the next N passes give the steady-state p50 / p99 / max per
// mask (a fresh matcher each pass, the cache kept, as a server keeps it per
// grammar). Defaults: a nested JSON grammar and document, the demo model.
#include "cli/grammar_commands.h"

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <vector>

#include <boost/json.hpp>

#include "base/clock.h"
#include "cli/default_model.h"
#include "cli/model_loader.h"
#include "gguf/gguf_file.h"
#include "grammar/gbnf.h"
#include "grammar/json_schema.h"
#include "grammar/regex.h"
#include "grammar/mask_cache.h"
#include "grammar/matcher.h"
#include "platform/mapped_file.h"
#include "tokenizer/tokenizer.h"

namespace fab::cli {
namespace {

// A JSON grammar with bounded whitespace, and a nested document it accepts.
constexpr std::string_view kDefaultGbnf = R"(root ::= object
value ::= object | array | string | number | "true" | "false" | "null"
object ::= "{" ws ( string ":" ws value ws ( "," ws string ":" ws value ws )* )? "}"
array ::= "[" ws ( value ws ( "," ws value ws )* )? "]"
string ::= "\"" ( [^"\\\x00-\x1F] | "\\" ( ["\\/bfnrt] | "u" [0-9a-fA-F]{4} ) )* "\""
number ::= "-"? ( "0" | [1-9] [0-9]{0,15} ) ( "." [0-9]{1,16} )? ( [eE] [-+]? [0-9]{1,3} )?
ws ::= [ \n]{0,2}
)";
constexpr std::string_view kDefaultText =
    R"({"order": {"id": "A-1029", "customer": {"name": "김민준", "email": "minjun@example.com", "tier": "gold"}, )"
    R"("items": [{"sku": "GPU-H100", "qty": 2, "price": 30999.5}, {"sku": "NVME-4T", "qty": 8, "price": 412.25}], )"
    R"("paid": true, "notes": null, "tags": ["priority", "sovereign-cloud", "kr-east"]}})";

StatusOr<std::string> ReadText(const std::string& path, std::string_view fallback) {
  if (path.empty()) return std::string(fallback);
  FAB_ASSIGN_OR_RETURN(MappedFile file, MappedFile::Open(path));
  return std::string(reinterpret_cast<const char*>(file.data()), file.size());
}

// The GBNF of a GBNF file, of a JSON Schema file compiled, or of a regex
// compiled; `fallback` when none is given.
StatusOr<std::string> GbnfOf(const std::string& gbnf_path, const std::string& schema_path, const std::string& regex,
                             std::string_view fallback) {
  if (!gbnf_path.empty() + !schema_path.empty() + !regex.empty() > 1) {
    return InvalidArgumentError("give one of --gbnf, --schema and --regex");
  }
  if (!regex.empty()) {
    FAB_ASSIGN_OR_RETURN(grammar::RegexGbnf compiled, grammar::RegexToGbnf(regex, grammar::RegexContext::kText));
    return "root ::= " + compiled.expression + "\n";
  }
  if (schema_path.empty()) return ReadText(gbnf_path, fallback);
  FAB_ASSIGN_OR_RETURN(std::string text, ReadText(schema_path, ""));
  boost::system::error_code error;
  const boost::json::value schema = boost::json::parse(text, error);
  if (error) return InvalidArgumentError(schema_path + " is not JSON: " + error.message());
  return grammar::JsonSchemaToGbnf(schema);
}

int RunGrammarCheck(const GrammarCheckOptions& options) {
  if (options.gbnf_path.empty() && options.schema_path.empty() && options.regex.empty()) {
    return ReportError(InvalidArgumentError("give --gbnf FILE, --schema FILE or --regex TEXT"));
  }
  auto text = GbnfOf(options.gbnf_path, options.schema_path, options.regex, "");
  if (!text.ok()) return ReportError(text.status());
  auto grammar = grammar::ParseGbnf(*text);
  if (!grammar.ok()) return ReportError(grammar.status());
  if (options.print && !options.json) std::printf("%s", text->c_str());
  size_t n_symbols = 0;
  for (const grammar::Rule& rule : grammar->rules) {
    for (const auto& alternative : rule.alternatives) n_symbols += alternative.size();
  }
  if (options.json) {
    boost::json::object result{{"ok", true},
                               {"rules", grammar->rules.size()},
                               {"symbols", n_symbols},
                               {"byte_sets", grammar->byte_sets.size()}};
    if (options.print) result["gbnf"] = *text;
    std::printf("%s\n", boost::json::serialize(result).c_str());
  } else {
    std::printf("ok: %zu rules (helpers included), %zu symbols, %zu byte sets\n", grammar->rules.size(), n_symbols,
                grammar->byte_sets.size());
  }
  return 0;
}

struct MaskTimes {
  std::vector<double> cold_us, warm_us;
  int64_t allowed_sum = 0;
  size_t contexts = 0;
};

// One pass over `ids` with a fresh matcher: the time of each mask.
StatusOr<std::vector<double>> TimePass(const std::shared_ptr<const grammar::CompiledGrammar>& compiled,
                                       grammar::TokenMaskCache& cache, const Tokenizer& tokenizer,
                                       const std::vector<TokenId>& ids, int64_t* allowed_sum) {
  grammar::GrammarMatcher matcher(compiled);
  std::vector<uint32_t> mask((static_cast<size_t>(tokenizer.n_vocab()) + 31) / 32);
  std::vector<double> times;
  for (size_t i = 0; i < ids.size(); ++i) {
    const double start = NowSeconds();
    matcher.FillTokenMask(cache, mask);
    times.push_back((NowSeconds() - start) * 1e6);
    const TokenId id = ids[i];
    if (!((mask[static_cast<size_t>(id) / 32] >> (id % 32)) & 1u) || !matcher.AcceptBytes(tokenizer.TokenBytes(id))) {
      return InvalidArgumentError("the text leaves the grammar at token " + std::to_string(i) + " ('" +
                                  tokenizer.TokenBytes(id) + "')");
    }
    if (allowed_sum != nullptr) {
      for (uint32_t word : mask) *allowed_sum += __builtin_popcount(word);
    }
  }
  if (!matcher.IsComplete()) return InvalidArgumentError("the text ends before the grammar is complete");
  return times;
}

// The text as tokens of `trie`, longest match first.
StatusOr<std::vector<TokenId>> LongestMatchTokens(const grammar::TokenTrie& trie, std::string_view text) {
  std::vector<TokenId> ids;
  size_t pos = 0;
  while (pos < text.size()) {
    uint32_t node = 0;
    TokenId best = -1;
    size_t best_end = pos;
    for (size_t i = pos; i < text.size(); ++i) {
      const grammar::TokenTrie::Node& n = trie.node(node);
      uint32_t next = UINT32_MAX;
      for (uint32_t c = 0; c < n.n_children; ++c) {
        if (trie.node(n.first_child + c).byte == static_cast<uint8_t>(text[i])) next = n.first_child + c;
      }
      if (next == UINT32_MAX) break;
      node = next;
      if (!trie.tokens_at(trie.node(node)).empty()) {
        best = trie.tokens_at(trie.node(node))[0];
        best_end = i + 1;
      }
    }
    if (best < 0) return InvalidArgumentError("no token of the vocabulary starts with byte " + std::to_string(pos));
    ids.push_back(best);
    pos = best_end;
  }
  return ids;
}

double Percentile(std::vector<double> values, double p) {
  if (values.empty()) return 0.0;
  std::sort(values.begin(), values.end());
  return values[std::min(values.size() - 1, static_cast<size_t>(p * static_cast<double>(values.size())))];
}

int RunBenchGrammar(const BenchGrammarOptions& options) {
  std::string model_path = options.model_path;
  if (model_path.empty()) {
    auto demo = EnsureDemoModel();
    if (!demo.ok()) return ReportError(demo.status());
    model_path = *demo;
  }
  auto gguf = GgufFile::Open(model_path);
  if (!gguf.ok()) return ReportError(gguf.status());
  auto tokenizer = Tokenizer::FromGguf(*gguf);
  if (!tokenizer.ok()) return ReportError(tokenizer.status());
  auto gbnf = GbnfOf(options.gbnf_path, options.schema_path, options.regex, kDefaultGbnf);
  auto text = ReadText(options.text_path, kDefaultText);
  if (!gbnf.ok()) return ReportError(gbnf.status());
  if (!text.ok()) return ReportError(text.status());
  auto grammar = grammar::ParseGbnf(*gbnf);
  if (!grammar.ok()) return ReportError(grammar.status());
  auto compiled = grammar::CompiledGrammar::Compile(std::move(grammar).value());
  if (!compiled.ok()) return ReportError(compiled.status());
  const double build_start = NowSeconds();
  const std::shared_ptr<const grammar::TokenTrie> trie = grammar::TokenTrie::Of(**tokenizer);
  const double trie_ms = (NowSeconds() - build_start) * 1e3;
  auto ids = LongestMatchTokens(*trie, *text);
  if (!ids.ok()) return ReportError(ids.status());
  grammar::TokenMaskCache cache(*compiled, trie);
  int64_t allowed_sum = 0;
  auto cold = TimePass(*compiled, cache, **tokenizer, *ids, &allowed_sum);
  if (!cold.ok()) return ReportError(cold.status());
  std::vector<double> warm;
  for (int pass = 0; pass < options.repeat; ++pass) {
    auto times = TimePass(*compiled, cache, **tokenizer, *ids, nullptr);
    if (!times.ok()) return ReportError(times.status());
    warm.insert(warm.end(), times->begin(), times->end());
  }
  double cold_total_ms = 0.0;
  for (double us : *cold) cold_total_ms += us / 1e3;
  const double p50 = Percentile(warm, 0.5), p99 = Percentile(warm, 0.99), max = Percentile(warm, 1.0);
  const double mean_allowed = ids->empty() ? 0.0 : static_cast<double>(allowed_sum) / static_cast<double>(ids->size());
  if (options.json) {
    boost::json::object result{{"vocab", (*tokenizer)->n_vocab()},  {"tokens", ids->size()},
                               {"contexts", cache.n_contexts()},   {"trie_ms", trie_ms},
                               {"cold_total_ms", cold_total_ms},   {"mask_us_p50", p50},
                               {"mask_us_p99", p99},               {"mask_us_max", max},
                               {"mean_allowed", mean_allowed},     {"passes", options.repeat}};
    std::printf("%s\n", boost::json::serialize(result).c_str());
  } else {
    std::printf("vocabulary %d tokens, text %zu tokens, %zu stack contexts cached\n", (*tokenizer)->n_vocab(),
                ids->size(), cache.n_contexts());
    std::printf("trie %.1f ms; first pass (fills the cache) %.1f ms in all\n", trie_ms, cold_total_ms);
    std::printf("mask per token: p50 %.1f us, p99 %.1f us, max %.1f us (%d passes; %.0f tokens allowed on average)\n",
                p50, p99, max, options.repeat, mean_allowed);
  }
  return 0;
}

}  // namespace

void AddGrammarCommands(CLI::App& app, CLI::App* bench, GrammarCheckOptions& check, BenchGrammarOptions& bench_options,
                        int& code) {
  CLI::App* grammar = app.add_subcommand("grammar", "Constrained-decoding grammars");
  grammar->require_subcommand(1);
  CLI::App* cmd = grammar->add_subcommand("check", "Compile a grammar and report what was refused");
  cmd->add_option("--gbnf", check.gbnf_path, "GBNF grammar file (llama.cpp's format)");
  cmd->add_option("--schema", check.schema_path, "JSON Schema file");
  cmd->add_option("--regex", check.regex, "A regular expression (the subset in src/grammar/regex.h)");
  cmd->add_flag("--print", check.print, "Also print the grammar as GBNF");
  cmd->add_flag("--json", check.json, "Print one JSON object");
  cmd->callback([&] { code = RunGrammarCheck(check); });

  CLI::App* timing = bench->add_subcommand("grammar", "Token mask time per token along a text, on a model's vocabulary");
  timing->add_option("-m,--model", bench_options.model_path, "GGUF model or vocabulary file (default: the demo model)");
  timing->add_option("--gbnf", bench_options.gbnf_path, "GBNF grammar file (default: a JSON grammar)");
  timing->add_option("--schema", bench_options.schema_path, "JSON Schema file instead of --gbnf");
  timing->add_option("--regex", bench_options.regex, "A regular expression instead of --gbnf");
  timing->add_option("--text", bench_options.text_path, "Text the grammar accepts (default: a nested JSON document)");
  timing->add_option("--repeat", bench_options.repeat, "Timed passes after the cache-filling one")
      ->check(CLI::Range(1, 1000));
  timing->add_flag("--json", bench_options.json, "Print one JSON object");
  timing->callback([&] { code = RunBenchGrammar(bench_options); });
}

}  // namespace fab::cli
