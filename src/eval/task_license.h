// Whether a task file's data may be redistributed, read from its recorded
// `license` (eval/task_file.h): an SPDX id or a licence's usual name. Only
// licences known to allow redistribution for any use (CC0, CC BY, CC BY-SA,
// ODC-By, ODbL, PDDL, CDLA, MIT, Apache-2.0, BSD, the Unlicense, public
// domain) may be bundled — packed beside a deployment or published with
// the board (`tokenfab eval --pack`); non-commercial, no-derivatives,
// research-only or proprietary terms forbid it, and anything not recognised
// is refused too (name the licence by its SPDX id). Pure, thread-safe.
#pragma once

#include <string>
#include <string_view>

namespace fab::eval {

enum class Redistribution { kAllowed, kForbidden, kUnknown };

struct LicenseVerdict {
  Redistribution redistribution = Redistribution::kUnknown;
  std::string why;  // for kForbidden and kUnknown: what in the terms decides it
};

LicenseVerdict ClassifyLicense(std::string_view license);

// "allowed", "forbidden" or "unknown".
const char* RedistributionName(Redistribution redistribution);

}  // namespace fab::eval
