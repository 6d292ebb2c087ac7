// Black-box tests of `tokenfab chat-template`: the template comes from the
// GGUF (tokenizer.chat_template) or --template, BOS/EOS texts from the
// vocabulary; tools, --no-generation-prompt and template errors behave as
// documented, with exit code 1 and a clear message on failure.
#include <filesystem>
#include <string>

#include <gtest/gtest.h>

#include "cli/tokenfab_runner.h"

namespace fab::cli_test {
namespace {

namespace fs = std::filesystem;

// A tiny SentencePiece-style BPE vocabulary; only its special tokens matter here.
constexpr const char* kTokenizerJson = R"({
  "version": "1.0",
  "added_tokens": [
    {"id": 0, "content": "<unk>", "special": true},
    {"id": 1, "content": "<s>", "special": true},
    {"id": 2, "content": "</s>", "special": true}],
  "normalizer": {"type": "Sequence", "normalizers": [
    {"type": "Prepend", "prepend": "▁"},
    {"type": "Replace", "pattern": {"String": " "}, "content": "▁"}]},
  "pre_tokenizer": null, "post_processor": null, "decoder": null,
  "model": {"type": "BPE", "unk_token": "<unk>", "byte_fallback": true,
    "vocab": {"<unk>": 0, "<s>": 1, "</s>": 2, "▁": 3, "a": 4, "b": 5, "ab": 6},
    "merges": ["a b"]}
})";

// A Llama-2-style template with a tool list, stored as the GGUF's chat template.
constexpr const char* kConfigJson = R"({"bos_token": "<s>", "eos_token": "</s>", "add_bos_token": true,
  "chat_template": "{{ bos_token }}{% if tools %}[TOOLS]{{ tools|map(attribute='function.name')|join(',') }}[/TOOLS]{% endif %}{% for m in messages %}{% if m.role == 'user' %}[INST] {{ m.content }} [/INST]{% elif m.role == 'assistant' %}{{ m.content }}{{ eos_token }}{% else %}{{ raise_exception('Only user and assistant roles are supported!') }}{% endif %}{% endfor %}{% if add_generation_prompt %}<assistant>{% endif %}"})";

class ChatTemplateCommand : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = ScratchDir("chat_template_command_test");
    WriteFile(dir_ / "tokenizer.json", kTokenizerJson);
    WriteFile(dir_ / "tokenizer_config.json", kConfigJson);
    CommandResult r = RunTokenfabCommand("model vocab --from-hf " + (dir_ / "tokenizer.json").string() + " --config " +
                                         (dir_ / "tokenizer_config.json").string() + " -o " + Vocab());
    ASSERT_EQ(r.exit_code, 0) << r.output;
    WriteFile(dir_ / "conv.json", R"([{"role": "user", "content": "안녕?"}, {"role": "assistant", "content": "네!"},
                                     {"role": "user", "content": "Weather?"}])");
    WriteFile(dir_ / "tools.json", R"([{"type": "function", "function": {"name": "get_weather"}},
                                      {"type": "function", "function": {"name": "search"}}])");
  }
  static void TearDownTestSuite() { fs::remove_all(dir_); }
  static std::string Vocab() { return (dir_ / "vocab.gguf").string(); }
  static std::string Path(const char* name) { return (dir_ / name).string(); }
  static fs::path dir_;
};
fs::path ChatTemplateCommand::dir_;

TEST_F(ChatTemplateCommand, RendersTheGgufTemplateWithTheVocabularysSpecialTokens) {
  CommandResult r = RunTokenfabCommand("chat-template -m " + Vocab() + " --messages " + Path("conv.json"), false);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(r.output, "<s>[INST] 안녕? [/INST]네!</s>[INST] Weather? [/INST]<assistant>");
}

TEST_F(ChatTemplateCommand, PassesToolsAndCanOmitTheGenerationPrompt) {
  CommandResult r = RunTokenfabCommand("chat-template -m " + Vocab() + " --messages " + Path("conv.json") +
                                           " --tools " + Path("tools.json") + " --no-generation-prompt",
                                       false);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(r.output, "<s>[TOOLS]get_weather,search[/TOOLS][INST] 안녕? [/INST]네!</s>[INST] Weather? [/INST]");
}

TEST_F(ChatTemplateCommand, AcceptsAConversationObjectWithKwargs) {
  WriteFile(dir_ / "object.json", R"({"messages": [{"role": "user", "content": "hi"}], "add_generation_prompt": false,
                                     "greeting": "hello"})");
  WriteFile(dir_ / "kwargs.jinja", "{{ greeting }} {{ messages[0].content }} {{ add_generation_prompt }}");
  CommandResult r = RunTokenfabCommand("chat-template -m " + Vocab() + " --messages " + Path("object.json") +
                                           " --template " + Path("kwargs.jinja"),
                                       false);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(r.output, "hello hi False");
}

TEST_F(ChatTemplateCommand, TemplateErrorsExitWithTheirMessage) {
  WriteFile(dir_ / "system.json", R"([{"role": "system", "content": "be nice"}])");
  CommandResult raised = RunTokenfabCommand("chat-template -m " + Vocab() + " --messages " + Path("system.json"));
  EXPECT_EQ(raised.exit_code, 1);
  EXPECT_NE(raised.output.find("Only user and assistant roles are supported!"), std::string::npos) << raised.output;
  WriteFile(dir_ / "broken.jinja", "line one\n{% for m in messages %}");
  CommandResult syntax = RunTokenfabCommand("chat-template -m " + Vocab() + " --messages " + Path("conv.json") +
                                            " --template " + Path("broken.jinja"));
  EXPECT_EQ(syntax.exit_code, 1);
  EXPECT_NE(syntax.output.find("line 2:"), std::string::npos) << syntax.output;
}

TEST_F(ChatTemplateCommand, BadInputsAreClearErrors) {
  WriteFile(dir_ / "bad.json", "{not json");
  CommandResult bad_json = RunTokenfabCommand("chat-template -m " + Vocab() + " --messages " + Path("bad.json"));
  EXPECT_EQ(bad_json.exit_code, 1);
  EXPECT_NE(bad_json.output.find("invalid JSON"), std::string::npos) << bad_json.output;
  CommandResult missing = RunTokenfabCommand("chat-template -m " + Vocab() + " --messages " + Path("nope.json"));
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_EQ(RunTokenfabCommand("chat-template --messages " + Path("conv.json")).exit_code, 2);
}

TEST_F(ChatTemplateCommand, AModelWithoutATemplateNeedsTemplateOption) {
  std::string demo = Path("demo.gguf");
  ASSERT_EQ(RunTokenfabCommand("model synth --shape demo-tiny --quant q8_0 -t 2 -o " + demo).exit_code, 0);
  CommandResult r = RunTokenfabCommand("chat-template -m " + demo + " --messages " + Path("conv.json"));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.output.find("--template"), std::string::npos) << r.output;
}

}  // namespace
}  // namespace fab::cli_test
