#include "eval/task_license.h"

#include <gtest/gtest.h>

namespace fab::eval {
namespace {

TEST(ClassifyLicense, AllowsOpenLicencesByTheirSpdxIdsOrUsualNames) {
  for (const char* license : {"CC0-1.0", "cc0", "CC-BY-4.0", "CC BY 4.0", "CC-BY-SA-3.0", "cc_by_sa_4.0", "MIT",
                              "Apache-2.0", "Apache License 2.0", "BSD-3-Clause", "ODC-By-1.0", "ODbL-1.0", "PDDL-1.0",
                              "CDLA-Permissive-2.0", "Unlicense", "public domain", "CC-BY-4.0 International"}) {
    EXPECT_EQ(ClassifyLicense(license).redistribution, Redistribution::kAllowed) << license;
  }
}

TEST(ClassifyLicense, ForbidsNonCommercialNoDerivativesResearchOnlyAndProprietaryTerms) {
  for (const char* license : {"CC-BY-NC-4.0", "CC BY-NC-SA 4.0", "CC-BY-ND-4.0", "research only", "Research-Use-Only",
                              "Proprietary", "All rights reserved", "no redistribution", "may not be redistributed",
                              "internal use", "Non-commercial research licence"}) {
    const LicenseVerdict verdict = ClassifyLicense(license);
    EXPECT_EQ(verdict.redistribution, Redistribution::kForbidden) << license;
    EXPECT_FALSE(verdict.why.empty()) << license;
  }
}

TEST(ClassifyLicense, CallsWhatItDoesNotRecogniseUnknownAndAsksForTheSpdxId) {
  for (const char* license : {"custom", "see website", "MITX", "GPL-3.0", ""}) {
    const LicenseVerdict verdict = ClassifyLicense(license);
    EXPECT_EQ(verdict.redistribution, Redistribution::kUnknown) << license;
  }
  EXPECT_NE(ClassifyLicense("custom").why.find("SPDX"), std::string::npos);
  EXPECT_EQ(ClassifyLicense("Freely redistributable under MIT").redistribution, Redistribution::kUnknown)
      << "redistribution is judged by known ids, not prose";
}

TEST(ClassifyLicense, NamesItsVerdicts) {
  EXPECT_STREQ(RedistributionName(Redistribution::kAllowed), "allowed");
  EXPECT_STREQ(RedistributionName(Redistribution::kForbidden), "forbidden");
  EXPECT_STREQ(RedistributionName(Redistribution::kUnknown), "unknown");
}

}  // namespace
}  // namespace fab::eval
