// A generated SentencePiece-style vocabulary for synthetic models that have no
// real one: <unk>, <s>, </s>, the 256 byte tokens, then letters and letter
// strings with and without the ▁ word prefix, scored so that longer pieces
// merge first. Written as `tokenizer.ggml.*` metadata.
#pragma once

#include <cstdint>

#include "gguf/gguf_writer.h"

namespace fab::model {

void AddGeneratedVocab(GgufWriter& writer, int64_t n_vocab);

}  // namespace fab::model
