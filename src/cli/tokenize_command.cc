// `tokenfab tokenize`: {"cases":[{"text":…,"ids":[…]}]} for each line of a
// strings file; no BOS/EOS and control-token texts kept as text unless
// --add-special / --parse-special.
#include <cstdio>

#include <boost/json.hpp>

#include "cli/command_options.h"
#include "cli/model_loader.h"
#include "cli/text_lines.h"
#include "gguf/gguf_file.h"

namespace fab::cli {

int RunTokenize(const TokenizeOptions& options) {
  auto strings = ReadEscapedLines(options.strings_path);
  if (!strings.ok()) return ReportError(strings.status());
  auto gguf = GgufFile::Open(options.model_path);
  if (!gguf.ok()) return ReportError(gguf.status());
  auto tokenizer = Tokenizer::FromGguf(*gguf);
  if (!tokenizer.ok()) return ReportError(tokenizer.status());
  boost::json::array cases;
  for (const std::string& text : *strings) {
    auto ids = (*tokenizer)->Encode(text, EncodeOptions{.add_special = options.add_special,
                                                        .parse_special = options.parse_special});
    if (!ids.ok()) return ReportError(ids.status().WithContext(std::string(1, '"').append(text, 0, 40) + '"'));
    cases.push_back(boost::json::object{{"text", text}, {"ids", boost::json::array(ids->begin(), ids->end())}});
  }
  const std::string json = boost::json::serialize(boost::json::object{{"cases", std::move(cases)}});
  std::printf("%s\n", json.c_str());
  return 0;
}

}  // namespace fab::cli
