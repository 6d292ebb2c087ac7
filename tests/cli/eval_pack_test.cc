// `tokenfab eval --pack DIR`: task files whose licence allows redistribution
// are copied with their data into DIR/<task>/ with DIR/LICENSES.txt; one
// whose licence forbids it (or is unknown) stops the pack before anything is
// written, naming the task and the reason.
#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "cli/tokenfab_runner.h"

namespace {

namespace fs = std::filesystem;
using fab::cli_test::RunTokenfabCommand;

void WriteTask(const fs::path& dir, const std::string& name, const std::string& license) {
  fs::create_directories(dir / "data");
  std::ofstream(dir / (name + ".yaml")) << "task: " << name << "\nlicense: " << license
                                        << "\ndataset_path: data/" << name << ".jsonl\noutput_type: multiple_choice\n"
                                        << "doc_to_text: \"{{q}}\"\ndoc_to_choice: [\"yes\", \"no\"]\ndoc_to_target: 0\n";
  std::ofstream(dir / "data" / (name + ".jsonl")) << R"({"q": "Is water wet?"})" << "\n";
}

std::string ReadAll(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

TEST(EvalPack, CopiesOpenTasksWithTheirDataAndRefusesForbiddenOnesBeforeWriting) {
  const fs::path dir = fs::temp_directory_path() / ("tokenfab_eval_pack_" + std::to_string(getpid()));
  fs::remove_all(dir);
  WriteTask(dir / "src", "open_facts", "CC-BY-4.0");
  WriteTask(dir / "src", "closed_facts", "CC-BY-NC-4.0");
  WriteTask(dir / "src", "vague_facts", "ask us");
  const std::string open = (dir / "src" / "open_facts.yaml").string();

  const auto refused = RunTokenfabCommand("eval --tasks " + open + "," + (dir / "src" / "closed_facts.yaml").string() +
                                          " --pack " + (dir / "out").string());
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_NE(refused.output.find("task closed_facts"), std::string::npos) << refused.output;
  EXPECT_NE(refused.output.find("non-commercial"), std::string::npos) << refused.output;
  EXPECT_FALSE(fs::exists(dir / "out")) << "nothing is written when one task is refused";

  const auto unknown = RunTokenfabCommand("eval --tasks " + (dir / "src" / "vague_facts.yaml").string() + " --pack " +
                                          (dir / "out").string());
  EXPECT_EQ(unknown.exit_code, 1);
  EXPECT_NE(unknown.output.find("SPDX"), std::string::npos) << unknown.output;

  const auto packed = RunTokenfabCommand("eval --tasks capitals," + open + " --pack " + (dir / "out").string());
  ASSERT_EQ(packed.exit_code, 0) << packed.output;
  EXPECT_NE(packed.output.find("capitals: built in"), std::string::npos) << packed.output;
  EXPECT_TRUE(fs::exists(dir / "out" / "open_facts" / "open_facts.yaml"));
  EXPECT_EQ(ReadAll(dir / "out" / "open_facts" / "data" / "open_facts.jsonl"),
            ReadAll(dir / "src" / "data" / "open_facts.jsonl"));
  EXPECT_EQ(ReadAll(dir / "out" / "LICENSES.txt").find("open_facts: CC-BY-4.0") != std::string::npos, true);
  fs::remove_all(dir);
}

}  // namespace
