// NvmlPowerSource against fake_nvml (tests/platform/fake_nvml.cc), a shared
// library with the NVML entry points over two GPUs whose energy the test sets
// through FAB_FAKE_NVML_ENERGY_MJ between reads.
#include "platform/nvml_power_source.h"

#include <dlfcn.h>

#include <cstdlib>
#include <memory>
#include <string>
#include <utility>

#include <gtest/gtest.h>

#ifndef FAB_FAKE_NVML_PATH
#error "FAB_FAKE_NVML_PATH (the fake_nvml library's path) comes from tests/CMakeLists.txt"
#endif

namespace fab {
namespace {

constexpr const char* kFakeNvmlPath = FAB_FAKE_NVML_PATH;
constexpr double kJoulesTolerance = 1e-9;

class NvmlPowerSourceTest : public ::testing::Test {
 protected:
  // The test holds the fake loaded too, so its init count outlives a source.
  void SetUp() override {
    ::setenv("FAB_FAKE_NVML_ENERGY_MJ", "1500 2500", 1);
    fake_handle_ = ::dlopen(kFakeNvmlPath, RTLD_NOW | RTLD_LOCAL);
    ASSERT_NE(fake_handle_, nullptr) << ::dlerror();
    live_inits_ = reinterpret_cast<int (*)()>(::dlsym(fake_handle_, "fake_nvml_live_inits"));
    ASSERT_NE(live_inits_, nullptr);
  }
  void TearDown() override {
    ::unsetenv("FAB_FAKE_NVML_ENERGY_MJ");
    ::unsetenv("FAB_FAKE_NVML_DEVICE_COUNT");
    ::unsetenv("FAB_FAKE_NVML_INIT_FAILS");
    if (fake_handle_ != nullptr) ::dlclose(fake_handle_);
  }
  void SetEnergy(const char* millijoules) { ::setenv("FAB_FAKE_NVML_ENERGY_MJ", millijoules, 1); }

  void* fake_handle_ = nullptr;
  int (*live_inits_)() = nullptr;
};

TEST_F(NvmlPowerSourceTest, SumsTheDevicesInJoules) {
  auto source = NvmlPowerSource::Open(kFakeNvmlPath);
  ASSERT_TRUE(source.ok()) << source.status().ToString();
  EXPECT_EQ((*source)->label(), "nvml");
  StatusOr<double> joules = (*source)->EnergyJoules();
  ASSERT_TRUE(joules.ok()) << joules.status().ToString();
  EXPECT_NEAR(*joules, 4.0, kJoulesTolerance);  // 1500 mJ + 2500 mJ
  SetEnergy("2000 4250");
  joules = (*source)->EnergyJoules();
  ASSERT_TRUE(joules.ok());
  EXPECT_NEAR(*joules, 6.25, kJoulesTolerance);
}

TEST_F(NvmlPowerSourceTest, CountsADroppedCounterAsNewEnergy) {
  SetEnergy("1000 1000");
  auto source = NvmlPowerSource::Open(kFakeNvmlPath);
  ASSERT_TRUE(source.ok());
  SetEnergy("300 1500");  // GPU 0 was reset: its 300 mJ are all new
  StatusOr<double> joules = (*source)->EnergyJoules();
  ASSERT_TRUE(joules.ok());
  EXPECT_NEAR(*joules, 2.8, kJoulesTolerance);
}

TEST_F(NvmlPowerSourceTest, AFailedReadIsUnavailableAndChangesNothing) {
  auto source = NvmlPowerSource::Open(kFakeNvmlPath);
  ASSERT_TRUE(source.ok());
  SetEnergy("1600 x");
  StatusOr<double> joules = (*source)->EnergyJoules();
  ASSERT_FALSE(joules.ok());
  EXPECT_EQ(joules.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(joules.status().message().find("Unknown Error"), std::string::npos) << joules.status().message();
  SetEnergy("2000 3000");
  joules = (*source)->EnergyJoules();
  ASSERT_TRUE(joules.ok());
  EXPECT_NEAR(*joules, 5.0, kJoulesTolerance);
}

TEST_F(NvmlPowerSourceTest, ShutsNvmlDownWhenDestroyed) {
  auto source = NvmlPowerSource::Open(kFakeNvmlPath);
  ASSERT_TRUE(source.ok());
  EXPECT_EQ(live_inits_(), 1);
  std::unique_ptr<NvmlPowerSource> owned = std::move(*source);
  owned.reset();
  EXPECT_EQ(live_inits_(), 0);
}

TEST_F(NvmlPowerSourceTest, MissingLibraryIsNotFoundWithTheLoaderError) {
  auto source = NvmlPowerSource::Open("/nonexistent/libnvidia-ml.so.1");
  ASSERT_FALSE(source.ok());
  EXPECT_EQ(source.status().code(), StatusCode::kNotFound);
  EXPECT_NE(source.status().message().find("/nonexistent/libnvidia-ml.so.1"), std::string::npos);
  EXPECT_NE(source.status().message().find("No such file"), std::string::npos) << source.status().message();
}

TEST_F(NvmlPowerSourceTest, LibraryWithoutTheNvmlSymbolsIsUnavailable) {
  auto source = NvmlPowerSource::Open("libm.so.6");
  ASSERT_FALSE(source.ok());
  EXPECT_EQ(source.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(source.status().message().find("lacks nvml"), std::string::npos) << source.status().message();
  EXPECT_NE(source.status().message().find("undefined symbol"), std::string::npos) << source.status().message();
}

TEST_F(NvmlPowerSourceTest, FailedInitIsUnavailableWithNvmlsReason) {
  ::setenv("FAB_FAKE_NVML_INIT_FAILS", "1", 1);
  auto source = NvmlPowerSource::Open(kFakeNvmlPath);
  ASSERT_FALSE(source.ok());
  EXPECT_EQ(source.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(source.status().message().find("nvmlInit_v2 failed"), std::string::npos);
  EXPECT_NE(source.status().message().find("Unknown Error"), std::string::npos);
  EXPECT_EQ(live_inits_(), 0);
}

TEST_F(NvmlPowerSourceTest, NoGpuIsNotFoundAndShutsNvmlDown) {
  ::setenv("FAB_FAKE_NVML_DEVICE_COUNT", "0", 1);
  auto source = NvmlPowerSource::Open(kFakeNvmlPath);
  ASSERT_FALSE(source.ok());
  EXPECT_EQ(source.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(live_inits_(), 0);
}

TEST_F(NvmlPowerSourceTest, GpuWithoutAnEnergyCounterFailsToOpen) {
  SetEnergy("x 100");
  auto source = NvmlPowerSource::Open(kFakeNvmlPath);
  ASSERT_FALSE(source.ok());
  EXPECT_EQ(source.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(source.status().message().find("GPU 0"), std::string::npos) << source.status().message();
  EXPECT_EQ(live_inits_(), 0);
}

}  // namespace
}  // namespace fab
