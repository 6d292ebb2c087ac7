// RaplPowerSource against a fake powercap tree built in a temporary directory.
#include "platform/rapl_power_source.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace fab {
namespace {

namespace fs = std::filesystem;

constexpr double kJoulesTolerance = 1e-9;
constexpr uint64_t kLargeRange = 262'143'328'850;  // a real package's max_energy_range_uj

// The source's reading, or NaN (and a test failure) on an error.
double Joules(PowerSource& source) {
  StatusOr<double> joules = source.EnergyJoules();
  EXPECT_TRUE(joules.ok()) << joules.status().ToString();
  return joules.ok() ? *joules : std::nan("");
}

// A powercap tree in a fresh temporary directory, removed at the end.
class FakePowercap {
 public:
  FakePowercap() {
    std::string pattern = (fs::temp_directory_path() / "tokenfab_rapl_XXXXXX").string();
    root_ = ::mkdtemp(pattern.data()) != nullptr ? pattern : "";
    EXPECT_FALSE(root_.empty()) << "cannot make a temporary directory";
  }
  ~FakePowercap() {
    std::error_code ignored;
    fs::remove_all(root_, ignored);
  }
  const std::string& root() const { return root_; }

  void AddZone(const std::string& zone, uint64_t energy_uj, uint64_t max_range_uj = kLargeRange) {
    fs::create_directories(root_ + "/" + zone);
    Write(zone, "max_energy_range_uj", std::to_string(max_range_uj) + "\n");
    SetEnergy(zone, energy_uj);
  }
  void SetEnergy(const std::string& zone, uint64_t energy_uj) {
    Write(zone, "energy_uj", std::to_string(energy_uj) + "\n");
  }
  void Write(const std::string& zone, const std::string& file, const std::string& content) {
    std::ofstream(root_ + "/" + zone + "/" + file, std::ios::trunc) << content;
  }

 private:
  std::string root_;
};

TEST(RaplPowerSource, SumsThePackageZonesAndIgnoresSubZones) {
  FakePowercap tree;
  tree.AddZone("intel-rapl:0", 1'000'000);
  tree.AddZone("intel-rapl:1", 2'500'000);
  tree.AddZone("intel-rapl:0:0", 900'000'000);  // core sub-zone: already in package 0
  fs::create_directories(tree.root() + "/intel-rapl");  // the control type, not a zone
  auto source = RaplPowerSource::Open(tree.root());
  ASSERT_TRUE(source.ok()) << source.status().ToString();
  EXPECT_EQ((*source)->label(), "rapl");
  StatusOr<double> joules = (*source)->EnergyJoules();
  ASSERT_TRUE(joules.ok()) << joules.status().ToString();
  EXPECT_NEAR(*joules, 3.5, kJoulesTolerance);

  tree.SetEnergy("intel-rapl:0", 1'500'000);
  tree.SetEnergy("intel-rapl:1", 2'750'000);
  tree.SetEnergy("intel-rapl:0:0", 950'000'000);
  joules = (*source)->EnergyJoules();
  ASSERT_TRUE(joules.ok());
  EXPECT_NEAR(*joules, 4.25, kJoulesTolerance);
}

TEST(RaplPowerSource, UnwrapsACounterThatWrapped) {
  FakePowercap tree;
  tree.AddZone("intel-rapl:0", 900'000, /*max_range_uj=*/1'000'000);
  tree.AddZone("intel-rapl:1", 0);
  auto source = RaplPowerSource::Open(tree.root());
  ASSERT_TRUE(source.ok()) << source.status().ToString();
  EXPECT_NEAR(Joules(**source), 0.9, kJoulesTolerance);
  tree.SetEnergy("intel-rapl:0", 100'000);  // wrapped: 100'000 to the top, then 100'000
  EXPECT_NEAR(Joules(**source), 1.1, kJoulesTolerance);
  tree.SetEnergy("intel-rapl:0", 400'000);
  EXPECT_NEAR(Joules(**source), 1.4, kJoulesTolerance);
}

TEST(RaplPowerSource, IgnoresThePlatformZone) {
  FakePowercap tree;
  tree.AddZone("intel-rapl:0", 2'000'000);
  tree.Write("intel-rapl:0", "name", "package-0\n");
  tree.AddZone("intel-rapl:1", 50'000'000);
  tree.Write("intel-rapl:1", "name", "psys\n");
  auto source = RaplPowerSource::Open(tree.root());
  ASSERT_TRUE(source.ok()) << source.status().ToString();
  EXPECT_NEAR(Joules(**source), 2.0, kJoulesTolerance);
}

TEST(RaplPowerSource, MissingTreeIsNotFound) {
  auto source = RaplPowerSource::Open("/nonexistent/tokenfab/powercap");
  ASSERT_FALSE(source.ok());
  EXPECT_EQ(source.status().code(), StatusCode::kNotFound);
  EXPECT_NE(source.status().message().find("/nonexistent/tokenfab/powercap"), std::string::npos);
}

TEST(RaplPowerSource, TreeWithoutPackageZonesIsNotFoundAndSaysWhatIsMissing) {
  FakePowercap tree;
  tree.AddZone("intel-rapl:0:0", 1'000);  // a sub-zone alone does not count
  tree.AddZone("intel-rapl:x", 1'000);
  auto source = RaplPowerSource::Open(tree.root());
  ASSERT_FALSE(source.ok());
  EXPECT_EQ(source.status().code(), StatusCode::kNotFound);
  EXPECT_NE(source.status().message().find("intel-rapl:N"), std::string::npos) << source.status().message();
}

TEST(RaplPowerSource, RefusesGarbageInTheCounterFiles) {
  const std::vector<std::string> garbage = {"12abc\n", "", "\n", "-5\n", " 12\n", "1.5\n", "99999999999999999999999\n",
                                           std::string(1000, '7'), std::string("12\0", 3)};
  for (const std::string& content : garbage) {
    FakePowercap tree;
    tree.AddZone("intel-rapl:0", 0);
    tree.Write("intel-rapl:0", "energy_uj", content);
    auto source = RaplPowerSource::Open(tree.root());
    ASSERT_FALSE(source.ok()) << "'" << content << "'";
    EXPECT_EQ(source.status().code(), StatusCode::kInvalidArgument) << source.status().ToString();
  }
  FakePowercap tree;
  tree.AddZone("intel-rapl:0", 10);
  tree.Write("intel-rapl:0", "max_energy_range_uj", "0x10\n");
  EXPECT_FALSE(RaplPowerSource::Open(tree.root()).ok());
}

TEST(RaplPowerSource, MissingEnergyFileIsAnError) {
  FakePowercap tree;
  tree.AddZone("intel-rapl:0", 10);
  fs::remove(tree.root() + "/intel-rapl:0/energy_uj");
  auto source = RaplPowerSource::Open(tree.root());
  ASSERT_FALSE(source.ok());
  EXPECT_NE(source.status().message().find("energy_uj"), std::string::npos);
}

TEST(RaplPowerSource, UnreadableEnergyIsPermissionDenied) {
  if (::geteuid() == 0) GTEST_SKIP() << "root reads files whatever their mode";
  FakePowercap tree;
  tree.AddZone("intel-rapl:0", 10);
  ::chmod((tree.root() + "/intel-rapl:0/energy_uj").c_str(), 0);
  auto source = RaplPowerSource::Open(tree.root());
  ASSERT_FALSE(source.ok());
  EXPECT_EQ(source.status().code(), StatusCode::kPermissionDenied);
  EXPECT_NE(source.status().message().find("root"), std::string::npos);
}

TEST(RaplPowerSource, GarbageAfterOpenIsUnavailableAndChangesNothing) {
  FakePowercap tree;
  tree.AddZone("intel-rapl:0", 1'000'000);
  tree.AddZone("intel-rapl:1", 1'000'000);
  auto source = RaplPowerSource::Open(tree.root());
  ASSERT_TRUE(source.ok());
  tree.SetEnergy("intel-rapl:0", 3'000'000);
  tree.Write("intel-rapl:1", "energy_uj", "garbage\n");
  StatusOr<double> joules = (*source)->EnergyJoules();
  ASSERT_FALSE(joules.ok());
  EXPECT_EQ(joules.status().code(), StatusCode::kUnavailable);
  tree.SetEnergy("intel-rapl:1", 2'000'000);
  joules = (*source)->EnergyJoules();
  ASSERT_TRUE(joules.ok());
  EXPECT_NEAR(*joules, 5.0, kJoulesTolerance);
}

}  // namespace
}  // namespace fab
