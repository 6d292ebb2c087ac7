// tokenfab::Model: load a GGUF file with its tokenizer and chat template.
#include <filesystem>
#include <string>
#include <utility>

#include "api/internals.h"
#include "tokenizer/model_chat_template.h"

namespace tokenfab {
namespace {

std::string NameOf(const fab::GgufFile& gguf, const std::string& path) {
  if (const fab::GgufValue* name = gguf.Find("general.name"); name != nullptr) {
    if (const std::string* text = name->AsString(); text != nullptr && !text->empty()) return *text;
  }
  std::filesystem::path stem = std::filesystem::path(path).filename();
  if (stem.extension() == ".gguf") stem.replace_extension();
  return stem.string();
}

}  // namespace

Model::Model(std::unique_ptr<Internals> internals) : internals_(std::move(internals)) {}
Model::~Model() = default;

StatusOr<std::shared_ptr<const Model>> Model::Load(const std::string& path, const ModelOptions& options) {
  auto internals = std::make_unique<Internals>();
  fab::model::LoadOptions load;
  load.on_progress = options.on_progress;
  load.repack_weights = options.repack_weights;
  FAB_ASSIGN_OR_RETURN(internals->model, fab::model::Model::Load(path, load));
  StatusOr<std::unique_ptr<fab::Tokenizer>> tokenizer = fab::Tokenizer::FromGguf(internals->model->gguf());
  if (!tokenizer.ok()) return tokenizer.status().WithContext(path);
  internals->tokenizer = std::move(tokenizer).value();
  StatusOr<std::optional<fab::ChatTemplate>> own = fab::ModelChatTemplate(*internals->tokenizer);
  bool has_own = false;
  if (!own.ok()) {
    internals->chat_template_error = own.status().WithContext(path);
  } else if (own->has_value()) {
    has_own = true;
    internals->chat_template = std::make_unique<fab::ChatTemplate>(std::move(**own));
  } else {
    StatusOr<fab::ChatTemplate> fallback = fab::ChatTemplate::Parse(fab::kFallbackChatTemplate);
    FAB_CHECK(fallback.ok()) << fallback.status().ToString();
    internals->chat_template = std::make_unique<fab::ChatTemplate>(std::move(fallback).value());
  }
  const fab::model::ModelHparams& hp = internals->model->hparams();
  internals->info = ModelInfo{path, NameOf(internals->model->gguf(), path), hp.arch, hp.n_vocab, hp.n_ctx_train,
                              has_own};
  return std::shared_ptr<const Model>(new Model(std::move(internals)));
}

const ModelInfo& Model::info() const { return internals_->info; }

StatusOr<std::vector<TokenId>> Model::Tokenize(std::string_view text, bool add_special, bool parse_special) const {
  return internals_->tokenizer->Encode(text, fab::EncodeOptions{.add_special = add_special, .parse_special = parse_special});
}

StatusOr<std::string> Model::Detokenize(const std::vector<TokenId>& tokens) const {
  const fab::Tokenizer& tokenizer = *internals_->tokenizer;
  for (size_t i = 0; i < tokens.size(); ++i) {
    if (!tokenizer.IsValid(tokens[i])) {
      return fab::InvalidArgumentError("token " + std::to_string(tokens[i]) + " at index " + std::to_string(i) +
                                       " is outside the vocabulary of " + std::to_string(tokenizer.n_vocab()) +
                                       " tokens");
    }
  }
  return tokenizer.Decode(tokens);
}

}  // namespace tokenfab
