// The special tokens, BOS/EOS flags and chat template of a Hugging Face
// tokenizer, from tokenizer_config.json with tokenizer.json's post_processor
// and model.unk_token as fallbacks. Rules, in order, for each value:
//   bos/eos: the config's bos_token/eos_token (a string or {"content": …};
//     null = none); else the token the post_processor's TemplateProcessing
//     puts before/after the text; else the first control token among the
//     usual names (<|begin_of_text|>, <s>, <bos>, …).
//   unk: the config's unk_token, else model.unk_token. pad: pad_token.
//   add_bos/add_eos: the config's add_bos_token/add_eos_token; else whether
//     TemplateProcessing adds a token there; else (no template) true for
//     SentencePiece-style BPE and for the "llama-bpe" pre-tokenizer (as
//     llama.cpp does for Llama 3), false otherwise. Cleared when the id is none.
//   eot: the first control or user-defined token among <|eot_id|>,
//     <|im_end|>, <end_of_turn>, <|end|>, <|eot|>; eom: <|eom_id|>.
//   chat_template: a string, or from a list of {name, template} the one
//     named "default" (other named templates are dropped: VocabData holds one).
// A named token that is not in the vocabulary is InvalidArgument.
#pragma once

#include <string_view>
#include <unordered_map>

#include "base/status.h"
#include "base/types.h"
#include "tokenizer/hf_json.h"
#include "tokenizer/hf_pipeline.h"
#include "tokenizer/vocab.h"

namespace fab::hf_import {

// Token text → id over the whole vocabulary (views into VocabData::tokens).
using TokenIndex = std::unordered_map<std::string_view, TokenId>;

// Chat templates longer than this are refused (ResourceExhausted).
inline constexpr size_t kMaxChatTemplateBytes = size_t{4} << 20;

// Fills the ids, add_bos/add_eos and chat_template of `vocab`, whose tokens
// and token_types are complete. `config` is nullptr when there is no
// tokenizer_config.json.
Status ReadSpecialTokens(const JsonNode& tokenizer, const JsonNode* config,
                         const TokenIndex& index, const HfPipeline& pipeline, VocabData& vocab);

}  // namespace fab::hf_import
