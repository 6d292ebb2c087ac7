// `tokenfab model vocab --from-hf tokenizer.json [--config tokenizer_config.json]
// [--chat-template FILE] -o FILE.gguf`: a vocabulary-only GGUF (tokenizer.*
// metadata, no tensors, no general.architecture) that `tokenize -m`,
// `model inspect` and `model synth --vocab-from` read.
#include <cstdio>
#include <string>
#include <string_view>

#include "cli/command_options.h"
#include "cli/model_loader.h"
#include "gguf/gguf_writer.h"
#include "platform/mapped_file.h"
#include "tokenizer/hf_tokenizer_import.h"
#include "tokenizer/tokenizer.h"
#include "tokenizer/vocab_to_gguf.h"

namespace fab::cli {
namespace {

constexpr size_t kMaxTemplateFileBytes = size_t{4} << 20;

std::string_view Bytes(const MappedFile& file) {
  return {reinterpret_cast<const char*>(file.data()), file.size()};
}

std::string IdText(TokenId id) { return id == -1 ? "none" : std::to_string(id); }

void PrintSummary(const std::string& path, const VocabData& vocab) {
  std::printf("%s: model %s, pre %s, %zu tokens, %zu merges, bos %s, eos %s, eot %s, eom %s, "
              "unk %s, pad %s, add_bos %s, add_eos %s, chat template %s\n",
              path.c_str(), vocab.model.c_str(), vocab.pre.empty() ? "-" : vocab.pre.c_str(),
              vocab.tokens.size(), vocab.merges.size(), IdText(vocab.bos_id).c_str(),
              IdText(vocab.eos_id).c_str(), IdText(vocab.eot_id).c_str(), IdText(vocab.eom_id).c_str(),
              IdText(vocab.unk_id).c_str(), IdText(vocab.pad_id).c_str(), vocab.add_bos ? "yes" : "no",
              vocab.add_eos ? "yes" : "no", vocab.chat_template.empty() ? "no" : "yes");
}

StatusOr<VocabData> ImportFiles(const ModelVocabOptions& options) {
  FAB_ASSIGN_OR_RETURN(MappedFile tokenizer_file, MappedFile::Open(options.tokenizer_json_path));
  MappedFile config_file;
  if (!options.config_path.empty()) {
    FAB_ASSIGN_OR_RETURN(config_file, MappedFile::Open(options.config_path));
  }
  FAB_ASSIGN_OR_RETURN(VocabData vocab, ImportHfTokenizer(Bytes(tokenizer_file), Bytes(config_file)));
  if (!options.chat_template_path.empty()) {
    FAB_ASSIGN_OR_RETURN(MappedFile template_file, MappedFile::Open(options.chat_template_path));
    if (template_file.size() > kMaxTemplateFileBytes) {
      return ResourceExhaustedError(options.chat_template_path + " is larger than 4 MiB");
    }
    vocab.chat_template = std::string(Bytes(template_file));
    FAB_RETURN_IF_ERROR(ValidateVocabData(vocab));
  }
  return vocab;
}

}  // namespace

int RunModelVocab(const ModelVocabOptions& options) {
  auto vocab = ImportFiles(options);
  if (!vocab.ok()) return ReportError(vocab.status());
  GgufWriter writer;
  AddVocabMetadata(*vocab, writer);
  if (Status written = writer.WriteFile(options.out_path); !written.ok()) return ReportError(written);
  PrintSummary(options.out_path, *vocab);
  // The file is written either way; say so when this build cannot use it yet.
  auto tokenizer = Tokenizer::Create(std::move(vocab).value());
  if (!tokenizer.ok()) {
    std::fprintf(stderr, "tokenfab: note: this build cannot tokenize with it: %s\n",
                 tokenizer.status().ToString().c_str());
  }
  return 0;
}

}  // namespace fab::cli
