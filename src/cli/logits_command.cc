// `tokenfab logits`: writes DIR/result.json and DIR/<case>.f32 (the full
// first-step logits of each case, little-endian float32).
#include <cstdio>
#include <filesystem>
#include <fstream>

#include <boost/json.hpp>

#include "cli/command_options.h"
#include "cli/logits_report.h"
#include "cli/model_loader.h"
#include "cli/text_lines.h"

namespace fab::cli {
namespace {

Status WriteFile(const std::filesystem::path& path, const void* data, size_t size) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) return InternalError("cannot write " + path.string());
  out.write(static_cast<const char*>(data), static_cast<std::streamsize>(size));
  if (!out) return InternalError("cannot write " + path.string());
  return OkStatus();
}

Status WriteReport(const LogitsReport& report, const std::string& out_dir) {
  std::error_code error;
  std::filesystem::create_directories(out_dir, error);
  if (error) return InternalError("cannot create " + out_dir + ": " + error.message());
  const std::filesystem::path dir(out_dir);
  const std::string json = boost::json::serialize(LogitsReportToJson(report));
  FAB_RETURN_IF_ERROR(WriteFile(dir / "result.json", json.data(), json.size()));
  for (size_t case_idx = 0; case_idx < report.cases.size(); ++case_idx) {
    const std::vector<float>& logits = report.cases[case_idx].first_logits;
    FAB_RETURN_IF_ERROR(
        WriteFile(dir / (std::to_string(case_idx) + ".f32"), logits.data(), logits.size() * sizeof(float)));
  }
  return OkStatus();
}

}  // namespace

int RunLogits(const LogitsOptions& options) {
  auto prompts = ReadEscapedLines(options.prompts_path);
  if (!prompts.ok()) return ReportError(prompts.status());
  auto loaded = LoadModelForCli(options.model_path, /*show_progress=*/false);
  if (!loaded.ok()) return ReportError(loaded.status());
  ThreadPool pool(options.n_threads > 0 ? options.n_threads : DefaultThreadCount());
  auto report = ComputeLogitsReport(*loaded->model, *loaded->tokenizer, *prompts, options.n_steps, pool);
  if (!report.ok()) return ReportError(report.status());
  report->model_name = std::filesystem::path(loaded->path).filename().string();
  if (Status s = WriteReport(*report, options.out_dir); !s.ok()) return ReportError(s);
  std::fprintf(stderr, "wrote %zu cases to %s\n", report->cases.size(), options.out_dir.c_str());
  return 0;
}

}  // namespace fab::cli
