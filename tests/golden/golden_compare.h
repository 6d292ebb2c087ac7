// What the golden tests share: the README's relative RMS and the rule for
// greedy steps after the first (equal until a near-tie of the reference).
#pragma once

#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include <boost/json.hpp>

#include "cli/logits_report.h"

namespace fab::cli {

// A later step may pick another token only when the reference scored the two
// within this many logits of each other.
inline constexpr double kNearTieLogits = 0.5;

// sqrt(mean((ours - ref)^2)) / std(ref).
inline double RelativeRms(const std::vector<float>& ours, const std::vector<float>& ref) {
  double mean = 0.0;
  for (float v : ref) mean += v;
  mean /= ref.size();
  double err = 0.0, var = 0.0;
  for (size_t i = 0; i < ref.size(); ++i) {
    err += (ours[i] - ref[i]) * static_cast<double>(ours[i] - ref[i]);
    var += (ref[i] - mean) * (ref[i] - mean);
  }
  return std::sqrt(err / ref.size()) / std::sqrt(var / ref.size());
}

// Step s of case c: our greedy equals the reference, or the reference's top
// 20 shows a near-tie between the two.
inline void ExpectLaterStepsAgree(const LogitsCase& ours, const boost::json::array& ref_steps, const std::string& label) {
  for (size_t s = 1; s < ref_steps.size() && s < ours.steps.size(); ++s) {
    const boost::json::object& ref = ref_steps[s].as_object();
    const int64_t ref_greedy = ref.at("greedy").to_number<int64_t>();
    if (ours.steps[s].greedy == ref_greedy) continue;
    const boost::json::array& top = ref.at("top20").as_array();
    const double best = top[0].as_array()[1].to_number<double>();
    bool near_tie = false;
    for (const boost::json::value& pair : top) {
      if (pair.as_array()[0].to_number<int64_t>() == ours.steps[s].greedy) {
        near_tie = best - pair.as_array()[1].to_number<double>() <= kNearTieLogits;
      }
    }
    EXPECT_TRUE(near_tie) << label << " step " << s << ": ours " << ours.steps[s].greedy << ", reference "
                          << ref_greedy << " and it is not a near-tie";
    return;  // after a divergence the sequences differ
  }
}

}  // namespace fab::cli
