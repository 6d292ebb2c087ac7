// CreateOrDie: Tokenizer::Create for unit tests that build a valid
// vocabulary by hand; a failure is reported as a test failure (with the
// status) and gives nullptr.
#pragma once

#include <memory>
#include <utility>

#include <gtest/gtest.h>

#include "tokenizer/tokenizer.h"

namespace fab::testing {

inline std::unique_ptr<Tokenizer> CreateOrDie(VocabData vocab) {
  StatusOr<std::unique_ptr<Tokenizer>> tokenizer = Tokenizer::Create(std::move(vocab));
  EXPECT_TRUE(tokenizer.ok()) << tokenizer.status().ToString();
  return tokenizer.ok() ? std::move(tokenizer).value() : nullptr;
}

}  // namespace fab::testing
