#include "tokenizer/vocab_to_gguf.h"

#include <cstdint>
#include <string>
#include <vector>

namespace fab {
namespace {

constexpr uint32_t kNoToken = 0xFFFFFFFFu;

GgufValue StringArray(const std::vector<std::string>& texts) {
  std::vector<GgufValue> elements;
  elements.reserve(texts.size());
  for (const std::string& text : texts) elements.push_back(GgufValue::String(text));
  return GgufValue::Array(GgufValueType::kString, std::move(elements));
}

void AddTokenId(GgufWriter& writer, const char* key, TokenId id, bool reader_has_default) {
  if (id != -1) {
    writer.Add(key, GgufValue::Uint32(static_cast<uint32_t>(id)));
  } else if (reader_has_default) {
    writer.Add(key, GgufValue::Uint32(kNoToken));
  }
}

}  // namespace

void AddVocabMetadata(const VocabData& vocab, GgufWriter& writer) {
  writer.Add("tokenizer.ggml.model", GgufValue::String(vocab.model));
  if (!vocab.pre.empty()) writer.Add("tokenizer.ggml.pre", GgufValue::String(vocab.pre));
  writer.Add("tokenizer.ggml.tokens", StringArray(vocab.tokens));
  std::vector<GgufValue> scores, types;
  scores.reserve(vocab.scores.size());
  types.reserve(vocab.token_types.size());
  for (float score : vocab.scores) scores.push_back(GgufValue::Float32(score));
  for (int32_t type : vocab.token_types) types.push_back(GgufValue::Int32(type));
  writer.Add("tokenizer.ggml.scores", GgufValue::Array(GgufValueType::kFloat32, std::move(scores)));
  writer.Add("tokenizer.ggml.token_type", GgufValue::Array(GgufValueType::kInt32, std::move(types)));
  if (!vocab.merges.empty()) writer.Add("tokenizer.ggml.merges", StringArray(vocab.merges));
  // The reader assumes BOS 1, EOS 2 and UNK 0 for "llama" when a key is absent.
  const bool llama_defaults = vocab.model == "llama";
  AddTokenId(writer, "tokenizer.ggml.bos_token_id", vocab.bos_id, llama_defaults);
  AddTokenId(writer, "tokenizer.ggml.eos_token_id", vocab.eos_id, llama_defaults);
  AddTokenId(writer, "tokenizer.ggml.eot_token_id", vocab.eot_id, false);
  AddTokenId(writer, "tokenizer.ggml.eom_token_id", vocab.eom_id, false);
  AddTokenId(writer, "tokenizer.ggml.unknown_token_id", vocab.unk_id, llama_defaults);
  AddTokenId(writer, "tokenizer.ggml.padding_token_id", vocab.pad_id, false);
  writer.Add("tokenizer.ggml.add_bos_token", GgufValue::Bool(vocab.add_bos));
  writer.Add("tokenizer.ggml.add_eos_token", GgufValue::Bool(vocab.add_eos));
  writer.Add("tokenizer.ggml.add_space_prefix", GgufValue::Bool(vocab.add_space_prefix));
  if (!vocab.normalizer.empty()) {
    writer.Add("tokenizer.ggml.normalizer", GgufValue::String(vocab.normalizer));
  }
  if (!vocab.chat_template.empty()) {
    writer.Add("tokenizer.chat_template", GgufValue::String(vocab.chat_template));
  }
}

}  // namespace fab
