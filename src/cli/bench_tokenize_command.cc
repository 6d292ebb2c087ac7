// `tokenfab bench tokenize -m FILE.gguf [--file TEXT] [--mib 1] [--repeat N]
// [--json]`: single-thread Encode speed of the file's tokenizer on a text
// (default: GenerateMixedText, mixed Korean/English), without BOS. Reports
// the best and median of N timed runs. Each run uses a freshly built
// tokenizer (built untimed), so a word cache starts empty every time, as it
// would for the first request a server sees.
#include <algorithm>
#include <memory>
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json.hpp>

#include "base/clock.h"
#include "cli/command_options.h"
#include "cli/mixed_text.h"
#include "cli/model_loader.h"
#include "gguf/gguf_file.h"
#include "platform/mapped_file.h"
#include "tokenizer/vocab_from_gguf.h"

namespace fab::cli {
namespace {

constexpr uint64_t kTextSeed = 20260301;
constexpr double kBytesPerMiB = 1024.0 * 1024.0;

StatusOr<std::string> BenchText(const BenchTokenizeOptions& options) {
  if (options.text_path.empty()) {
    return GenerateMixedText(static_cast<size_t>(options.mib * kBytesPerMiB), kTextSeed);
  }
  FAB_ASSIGN_OR_RETURN(MappedFile file, MappedFile::Open(options.text_path));
  return std::string(reinterpret_cast<const char*>(file.data()), file.size());
}

struct Timing {
  size_t n_tokens = 0;
  double best_s = 0.0, median_s = 0.0;
};

StatusOr<Timing> TimeEncode(const VocabData& vocab, std::string_view text, int repeat) {
  Timing timing;
  std::vector<double> seconds;
  for (int run = 0; run < repeat; ++run) {
    FAB_ASSIGN_OR_RETURN(std::unique_ptr<Tokenizer> tokenizer, Tokenizer::Create(vocab));
    const double start = NowSeconds();
    FAB_ASSIGN_OR_RETURN(std::vector<TokenId> ids, tokenizer->Encode(text, /*add_bos=*/false));
    seconds.push_back(NowSeconds() - start);
    timing.n_tokens = ids.size();
  }
  std::sort(seconds.begin(), seconds.end());
  timing.best_s = seconds.front();
  const size_t middle = seconds.size() / 2;
  timing.median_s = seconds.size() % 2 ? seconds[middle] : (seconds[middle - 1] + seconds[middle]) / 2;
  return timing;
}

}  // namespace

int RunBenchTokenize(const BenchTokenizeOptions& options) {
  auto gguf = GgufFile::Open(options.model_path);
  if (!gguf.ok()) return ReportError(gguf.status());
  auto vocab = LoadVocabFromGguf(*gguf);
  if (!vocab.ok()) return ReportError(vocab.status());
  auto text = BenchText(options);
  if (!text.ok()) return ReportError(text.status());
  auto timing = TimeEncode(*vocab, *text, options.repeat);
  if (!timing.ok()) return ReportError(timing.status());
  const double best_s = std::max(timing->best_s, 1e-9);  // an empty text takes ~0 s
  const double mib_per_s = text->size() / kBytesPerMiB / best_s;
  const double tokens_per_s = timing->n_tokens / best_s;
  if (options.json) {
    boost::json::object result{{"bytes", text->size()},       {"tokens", timing->n_tokens},
                               {"repeat", options.repeat},     {"best_s", timing->best_s},
                               {"median_s", timing->median_s}, {"mib_per_s", mib_per_s},
                               {"tokens_per_s", tokens_per_s}, {"threads", 1}};
    std::printf("%s\n", boost::json::serialize(result).c_str());
  } else {
    std::printf("tokenize %s: %zu bytes -> %zu tokens, best %.4f s, median %.4f s of %d; "
                "%.2f MiB/s, %.0f tokens/s (1 thread)\n",
                options.model_path.c_str(), text->size(), timing->n_tokens, timing->best_s,
                timing->median_s, options.repeat, mib_per_s, tokens_per_s);
  }
  return 0;
}

}  // namespace fab::cli
