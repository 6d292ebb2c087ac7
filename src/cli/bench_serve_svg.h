// A self-contained SVG plot of a `tokenfab bench serve` sweep: two panels,
// output tokens/s (x) against p50 and p99 TTFT, and against p50 and p99 TPOT
// (y, milliseconds), one point per run labelled by its concurrency or rate,
// joined in run order. Pure, thread-safe.
#pragma once

#include <string>
#include <vector>

#include "cli/bench_serve_report.h"

namespace fab::cli {

std::string RenderSweepSvg(const std::vector<BenchServeResult>& results, const std::string& title);

}  // namespace fab::cli
