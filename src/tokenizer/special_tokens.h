// Special-token handling shared by every tokenizer model:
//  - SpecialTokenSplitter finds the texts of added tokens in input text the
//    way Hugging Face's added-token splitter does (leftmost, then longest):
//    user-defined tokens always, control and unknown tokens when the caller
//    parses special tokens.
//  - FindEndOfGenerationIds lists the ids that end a generated turn.
// Immutable after construction; thread-safe.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>
#include <utility>
#include <vector>

#include "base/types.h"
#include "tokenizer/vocab.h"

namespace fab::tokenizer_internal {

class SpecialTokenSplitter {
 public:
  struct Match {
    size_t offset;  // byte offset of the token text in the searched text
    size_t length;  // its length in bytes
    TokenId id;
  };

  // Indexes the non-empty texts of `vocab`'s control, unknown and
  // user-defined tokens (for duplicate texts of one kind, the last id wins).
  explicit SpecialTokenSplitter(const VocabData& vocab);

  // The first position at or after `from` where a token text starts, with
  // the longest such text; control/unknown texts count only when
  // `include_control`. nullopt when there is none. Cost: a byte scan, plus a
  // trie walk at bytes that start some indexed text.
  std::optional<Match> FindNext(std::string_view text, size_t from, bool include_control) const;

 private:
  struct Node {
    TokenId control_id = -1;  // a control or unknown token ends here
    TokenId user_id = -1;     // a user-defined token ends here
    std::vector<std::pair<uint8_t, int32_t>> children;  // (byte, node), sorted by byte
  };
  int32_t Child(int32_t node, uint8_t byte) const;
  int32_t AddChild(int32_t node, uint8_t byte);
  std::optional<Match> LongestAt(std::string_view text, size_t offset,
                                 bool include_control) const;

  std::vector<Node> nodes_;  // nodes_[0] is the root
  std::array<bool, 256> starts_any_{};   // some indexed text starts with the byte
  std::array<bool, 256> starts_user_{};  // some user-defined text starts with it
};

// The ids that end generation, sorted and unique: EOS, EOT and EOM when set,
// and every control token whose text is a known end-of-turn marker
// (<|eot_id|>, <|eom_id|>, <|im_end|>, <|endoftext|>, <|end_of_text|>,
// <end_of_turn>, <|end|>, <|return|>, <|call|>, <｜end▁of▁sentence｜>,
// <|EOT|>, <|eot|>, [|endofturn|], <EOT>, <|END_OF_TURN_TOKEN|>). As in
// llama.cpp, <|end|> is left out when <|return|> is a control token too
// (gpt-oss ends messages with <|end|> but turns with <|return|>/<|call|>)
// unless it is the EOS, EOT or EOM id itself.
std::vector<TokenId> FindEndOfGenerationIds(const VocabData& vocab);

}  // namespace fab::tokenizer_internal
