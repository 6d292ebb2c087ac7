// libFuzzer target for JSON Schemas: the input is a schema's JSON text. Any
// schema must compile to GBNF or be refused with a Status that says why,
// never crash, hang or allocate by a claimed size; what compiles must parse
// as GBNF and compile for the matcher (unless it is over the size limits,
// which is a refusal too), and the same schema as a tool's parameters must
// compile or be refused alike in a tool-call grammar.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include <boost/json.hpp>

#include "fuzz_support.h"
#include "grammar/gbnf.h"
#include "grammar/json_schema.h"
#include "grammar/matcher.h"
#include "toolcall/tool_call_grammar.h"

using fab::fuzz::Require;

extern "C" const char* __ubsan_default_options() { return "halt_on_error=1:print_stacktrace=1"; }

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 16 * 1024) return 0;  // schemas, not documents; the server caps them too
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  boost::system::error_code error;
  const boost::json::value schema = boost::json::parse(text, error);
  if (error) return 0;

  auto gbnf = fab::grammar::JsonSchemaToGbnf(schema);
  auto tools = fab::toolcall::ToolCallGbnf(fab::toolcall::HermesSyntax(), {{"f", &schema, "tools[0]"}}, {});
  if (!gbnf.ok()) {
    Require(!gbnf.status().message().empty(), "a refusal says why");
    // A non-object schema may still be refused only as a tool's parameters.
    Require(!tools.ok(), "a schema refused alone is refused as a tool's parameters");
    return 0;
  }
  Require(tools.ok(), "a schema that compiles alone compiles as a tool's parameters");
  fab::grammar::GrammarLimits limits;
  limits.max_rules = 4096;
  limits.max_symbols = 1 << 16;
  for (const std::string* text_of : {&gbnf.value(), &tools.value()}) {
    auto grammar = fab::grammar::ParseGbnf(*text_of, limits);
    if (!grammar.ok()) {
      Require(grammar.status().message().find("limit") != std::string::npos ||
                  grammar.status().message().find("more than") != std::string::npos ||
                  grammar.status().message().find("above") != std::string::npos,
              "generated GBNF is refused only for its size");
      continue;
    }
    auto compiled = fab::grammar::CompiledGrammar::Compile(std::move(grammar).value(), limits);
    Require(compiled.ok(), "generated GBNF compiles for the matcher");
  }
  return 0;
}
