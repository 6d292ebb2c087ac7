#include "control/slo.h"

#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace fab::control {
namespace {

namespace fs = std::filesystem;

fs::path Write(const std::string& text) {
  const fs::path path = fs::temp_directory_path() / ("tokenfab_slo_" + std::to_string(getpid()) + ".toml");
  std::ofstream(path) << text;
  return path;
}

TEST(Slo, DefaultsArePremiumOneSecondAndATenthStandardThreeAndAQuarterBatchNone) {
  const SloTargets slo;
  EXPECT_EQ(slo.For(Tier::kPremium).ttft_s, 1.0);
  EXPECT_EQ(slo.For(Tier::kPremium).tpot_s, 0.1);
  EXPECT_EQ(slo.For(Tier::kStandard).ttft_s, 3.0);
  EXPECT_EQ(slo.For(Tier::kStandard).tpot_s, 0.25);
  EXPECT_FALSE(slo.For(Tier::kBatch).ttft_s.has_value());
}

TEST(Slo, ARequestIsWithinWhenEveryTargetTheTierSetsHolds) {
  const TierSlo premium{1.0, 0.1};
  EXPECT_TRUE(WithinSlo(premium, 0.5, 0.05));
  EXPECT_FALSE(WithinSlo(premium, 1.5, 0.05));
  EXPECT_FALSE(WithinSlo(premium, 0.5, 0.2));
  EXPECT_TRUE(WithinSlo(premium, 0.5, std::nullopt)) << "one token: no TPOT to judge";
  EXPECT_TRUE(WithinSlo(TierSlo{}, 100.0, 10.0)) << "batch sets none";
}

TEST(Slo, AFileOverridesTheTiersItNamesAndRefusesAnythingElse) {
  const fs::path good = Write("[premium]\nttft_s = 0.5\ntpot_s = 0.05\n[batch]\nttft_s = 3600\n");
  StatusOr<SloTargets> slo = LoadSloConfig(good.string());
  ASSERT_TRUE(slo.ok()) << slo.status().ToString();
  EXPECT_EQ(slo->premium.ttft_s, 0.5);
  EXPECT_EQ(slo->standard.tpot_s, 0.25) << "untouched";
  EXPECT_EQ(slo->batch.ttft_s, 3600.0);
  for (const char* bad : {"[gold]\nttft_s = 1\n", "[premium]\nttft = 1\n", "[premium]\nttft_s = -1\n",
                          "[premium]\nttft_s = \"1s\"\n", "[premium\n", "premium = 1\n"}) {
    const fs::path path = Write(bad);
    EXPECT_FALSE(LoadSloConfig(path.string()).ok()) << bad;
  }
  EXPECT_FALSE(LoadSloConfig("/nonexistent/slo.toml").ok());
  fs::remove(good);
}

}  // namespace
}  // namespace fab::control
