// GgufFile typed getters: found values, absent keys, wrong types.
#include "gguf/gguf_file.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "gguf/gguf_writer.h"

namespace fab {
namespace {

using ::testing::HasSubstr;

class GgufFileGetters : public ::testing::Test {
 protected:
  void SetUp() override {
    GgufWriter writer;
    writer.Add("general.architecture", GgufValue::String("llama"));
    writer.Add("llama.block_count", GgufValue::Uint32(2));
    writer.Add("llama.rope.freq_base", GgufValue::Float32(10000.0f));
    writer.Add("huge", GgufValue::Uint64(~0ULL));
    writer.Add("flag", GgufValue::Bool(true));
    bytes_ = writer.WriteToBytes().value();
    StatusOr<GgufFile> file = GgufFile::Parse(bytes_.data(), bytes_.size());
    ASSERT_TRUE(file.ok()) << file.status().ToString();
    file_.emplace(std::move(file).value());
  }
  std::vector<uint8_t> bytes_;
  std::optional<GgufFile> file_;
};

TEST_F(GgufFileGetters, ReturnValuesOfTheRightType) {
  EXPECT_EQ(file_->GetString("general.architecture").value(), "llama");
  EXPECT_EQ(file_->GetInt("llama.block_count").value(), 2);
  EXPECT_EQ(file_->GetFloat("llama.rope.freq_base").value(), 10000.0);
  EXPECT_EQ(file_->GetFloat("llama.block_count").value(), 2.0);  // integers read as floats
  EXPECT_EQ(file_->GetBool("flag").value(), true);
}

TEST_F(GgufFileGetters, NameTheKeyWhenAbsent) {
  StatusOr<int64_t> missing = file_->GetInt("llama.context_length");
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  EXPECT_THAT(missing.status().message(), HasSubstr("'llama.context_length' not found"));
  EXPECT_EQ(file_->Find("llama.context_length"), nullptr);
}

TEST_F(GgufFileGetters, NameTheKeyAndTypeWhenTheTypeIsWrong) {
  StatusOr<int64_t> as_int = file_->GetInt("general.architecture");
  EXPECT_EQ(as_int.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(as_int.status().message(), HasSubstr("'general.architecture' is string \"llama\", not an integer"));
  EXPECT_THAT(file_->GetString("llama.block_count").status().message(), HasSubstr("is uint32 2, not a string"));
  EXPECT_THAT(file_->GetBool("llama.block_count").status().message(), HasSubstr("not a bool"));
  EXPECT_THAT(file_->GetFloat("flag").status().message(), HasSubstr("not a number"));
  EXPECT_THAT(file_->GetInt("huge").status().message(), HasSubstr("not an integer that fits int64"));
}

TEST(GgufFileOpen, ReportsAMissingFileAsNotFound) {
  StatusOr<GgufFile> file = GgufFile::Open("/nonexistent/model.gguf");
  EXPECT_EQ(file.status().code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace fab
