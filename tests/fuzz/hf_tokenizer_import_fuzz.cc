// libFuzzer target for ImportHfTokenizer: any bytes (tokenizer.json, then
// after the first NUL byte tokenizer_config.json) must give a VocabData or a
// Status, never a crash, hang or UB. An imported vocabulary must pass
// ValidateVocabData, survive the GGUF round trip (AddVocabMetadata →
// LoadVocabFromGguf gives the same tokens, types and merges), and either
// build a Tokenizer that encodes a short text or be refused with a Status.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>
#include <vector>

#include "fuzz_support.h"
#include "gguf/gguf_file.h"
#include "gguf/gguf_writer.h"
#include "tokenizer/hf_tokenizer_import.h"
#include "tokenizer/tokenizer.h"
#include "tokenizer/vocab_from_gguf.h"
#include "tokenizer/vocab_to_gguf.h"

namespace {

using fab::fuzz::Require;

void CheckRoundTrip(const fab::VocabData& vocab) {
  fab::GgufWriter writer;
  fab::AddVocabMetadata(vocab, writer);
  auto bytes = writer.WriteToBytes();
  Require(bytes.ok());
  auto gguf = fab::GgufFile::Parse(bytes->data(), bytes->size());
  Require(gguf.ok());
  auto read = fab::LoadVocabFromGguf(*gguf);
  Require(read.ok());
  Require(read->tokens == vocab.tokens && read->token_types == vocab.token_types &&
          read->merges == vocab.merges && read->bos_id == vocab.bos_id &&
          read->add_bos == vocab.add_bos && read->chat_template == vocab.chat_template);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const size_t split = input.find('\0');
  const std::string_view tokenizer_json = input.substr(0, split);
  const std::string_view config_json =
      split == std::string_view::npos ? std::string_view() : input.substr(split + 1);
  auto vocab = fab::ImportHfTokenizer(tokenizer_json, config_json);
  if (!vocab.ok()) return 0;
  Require(fab::ValidateVocabData(*vocab).ok());
  CheckRoundTrip(*vocab);
  auto tokenizer = fab::Tokenizer::Create(*std::move(vocab));
  if (tokenizer.ok()) (void)(*tokenizer)->Encode("ab a\n안녕 12", /*add_bos=*/false);
  return 0;
}
