// Every chat template under tests/tokenizer/data/chat_templates rendered with
// every conversation of chat_conversations.json (and the feature snippets of
// chat_template_snippets.json) must equal, byte for byte, what jinja2 renders
// under Hugging Face's settings (tests/tools/render_chat_template.py run with
// /usr/bin/python3); where Python raises, we must fail too.
// Skips when /usr/bin/python3 or its jinja2 module is absent.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <boost/json.hpp>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <unistd.h>
#include <vector>

#include "jinja_test_util.h"
#include "tokenizer/chat_template.h"

namespace fab {
namespace {

namespace fs = std::filesystem;

const std::string kDataDir = std::string(FAB_SOURCE_DIR) + "/tests/tokenizer/data";
const std::string kOracle = std::string(FAB_SOURCE_DIR) + "/tests/tools/render_chat_template.py";
const char* kPython = "/usr/bin/python3";

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

bool OracleAvailable() {
  if (access(kPython, X_OK) != 0) return false;
  return std::system("/usr/bin/python3 -c 'import jinja2' >/dev/null 2>&1") == 0;
}

// The special tokens each template's model defines (HF passes them when set).
std::pair<std::string, std::string> SpecialTokens(const std::string& name) {
  if (name.rfind("llama3", 0) == 0) return {"<|begin_of_text|>", "<|eot_id|>"};
  if (name == "gemma3") return {"<bos>", "<end_of_turn>"};
  if (name == "deepseek_v3") return {"<\xEF\xBD\x9C" "begin\xE2\x96\x81of\xE2\x96\x81sentence\xEF\xBD\x9C>",
                                     "<\xEF\xBD\x9C" "end\xE2\x96\x81of\xE2\x96\x81sentence\xEF\xBD\x9C>"};
  if (name == "gpt_oss") return {"<|startoftext|>", "<|return|>"};
  if (name == "exaone3_5") return {"[BOS]", "[|endofturn|]"};
  if (name.rfind("phi3", 0) == 0) return {"<s>", "<|endoftext|>"};
  return {"<s>", "</s>"};
}

struct Case {
  std::string label;
  boost::json::object json;  // what the Python oracle reads
};

std::vector<Case> BuildCases() {
  std::vector<Case> cases;
  boost::json::array conversations = boost::json::parse(ReadFile(kDataDir + "/chat_conversations.json")).as_array();
  std::vector<fs::path> templates;
  for (const auto& entry : fs::directory_iterator(kDataDir + "/chat_templates")) {
    if (entry.path().extension() == ".jinja") templates.push_back(entry.path());
  }
  std::sort(templates.begin(), templates.end());
  for (const fs::path& path : templates) {
    std::string name = path.stem().string();
    auto [bos, eos] = SpecialTokens(name);
    for (const auto& conversation : conversations) {
      const boost::json::object& c = conversation.as_object();
      boost::json::object json;
      json["template"] = ReadFile(path.string());
      json["messages"] = c.at("messages");
      json["tools"] = c.contains("tools") ? c.at("tools") : boost::json::value(nullptr);
      json["add_generation_prompt"] = c.at("add_generation_prompt");
      json["bos_token"] = bos;
      json["eos_token"] = eos;
      json["extra"] = c.contains("extra") ? c.at("extra") : boost::json::object();
      cases.push_back({name + " x " + std::string(c.at("name").as_string()), std::move(json)});
    }
  }
  boost::json::array snippets = boost::json::parse(ReadFile(kDataDir + "/chat_template_snippets.json")).as_array();
  boost::json::value short_chat = boost::json::parse(
      R"([{"role": "system", "content": "sys"}, {"role": "user", "content": "hi"}, {"role": "assistant", "content": "yo"}])");
  for (size_t i = 0; i < snippets.size(); ++i) {
    boost::json::object json;
    json["template"] = snippets[i];
    json["messages"] = short_chat;
    json["tools"] = nullptr;
    json["add_generation_prompt"] = true;
    json["bos_token"] = "<s>";
    json["eos_token"] = "</s>";
    cases.push_back({"snippet " + std::to_string(i) + ": " + std::string(snippets[i].as_string()).substr(0, 60),
                     std::move(json)});
  }
  return cases;
}

StatusOr<std::string> RenderOurs(const boost::json::object& c) {
  ChatTemplateInputs inputs;
  inputs.messages = c.at("messages").as_array();
  if (c.at("tools").is_array()) inputs.tools = c.at("tools").as_array();
  inputs.add_generation_prompt = c.at("add_generation_prompt").as_bool();
  inputs.bos_token = std::string(c.at("bos_token").as_string());
  inputs.eos_token = std::string(c.at("eos_token").as_string());
  if (c.contains("extra")) inputs.extra = c.at("extra").as_object();
  inputs.now = jinja::testing::FixedTestClock;
  return RenderChatTemplate(std::string(c.at("template").as_string()), inputs);
}

TEST(ChatTemplateOracle, EveryTemplateAndConversationMatchesJinja2) {
  if (!OracleAvailable()) GTEST_SKIP() << "/usr/bin/python3 with jinja2 is not installed";
  std::vector<Case> cases = BuildCases();
  ASSERT_GE(cases.size(), 100u);
  boost::json::array request;
  for (const Case& c : cases) request.push_back(c.json);
  std::string request_path = (fs::temp_directory_path() / ("chat_template_oracle_" + std::to_string(getpid()) + ".json")).string();
  std::ofstream(request_path, std::ios::binary) << boost::json::serialize(request);
  std::string command = std::string(kPython) + " " + kOracle + " " + request_path;
  FILE* pipe = popen(command.c_str(), "r");
  ASSERT_NE(pipe, nullptr);
  std::string output;
  char buffer[1 << 16];
  size_t n;
  while ((n = fread(buffer, 1, sizeof buffer, pipe)) > 0) output.append(buffer, n);
  int status = pclose(pipe);
  fs::remove(request_path);
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "oracle failed: " << output.substr(0, 500);
  boost::json::array expected = boost::json::parse(output).as_array();
  ASSERT_EQ(expected.size(), cases.size());
  int rendered = 0, both_failed = 0;
  for (size_t i = 0; i < cases.size(); ++i) {
    const boost::json::object& want = expected[i].as_object();
    StatusOr<std::string> got = RenderOurs(cases[i].json);
    if (want.at("ok").as_bool()) {
      ASSERT_TRUE(got.ok()) << cases[i].label << ": jinja2 rendered, we failed: " << got.status().ToString();
      EXPECT_EQ(*got, std::string(want.at("text").as_string())) << cases[i].label;
      ++rendered;
    } else {
      EXPECT_FALSE(got.ok()) << cases[i].label << ": jinja2 failed (" << want.at("error").as_string()
                             << ") but we rendered: " << *got;
      ++both_failed;
    }
  }
  std::printf("chat template oracle: %d cases rendered identically, %d fail in both\n", rendered, both_failed);
}

}  // namespace
}  // namespace fab
