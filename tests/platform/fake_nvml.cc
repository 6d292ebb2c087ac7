// A stand-in for libnvidia-ml.so.1, built as the shared library fake_nvml for
// nvml_power_source_test: the six NVML entry points NvmlPowerSource resolves,
// over two fake GPUs. The test steers it through the environment, read on
// every call:
//   FAB_FAKE_NVML_ENERGY_MJ="<mJ of GPU 0> <mJ of GPU 1>"  unset: 0 0; "x": that GPU's read fails
//   FAB_FAKE_NVML_DEVICE_COUNT=<n>                          unset: 2
//   FAB_FAKE_NVML_INIT_FAILS=1                              nvmlInit_v2 fails
// fake_nvml_live_inits() says how many nvmlInit_v2 calls are not yet shut down.
#include <cstdlib>
#include <sstream>
#include <string>

namespace {

constexpr int kSuccess = 0;
constexpr int kUninitialized = 1;
constexpr int kInvalidArgument = 2;
constexpr int kUnknown = 999;
constexpr unsigned kMaxDevices = 2;

int device_tokens[kMaxDevices];  // a device handle points at its token
int live_inits = 0;

std::string Environment(const char* name) {
  const char* value = std::getenv(name);
  return value != nullptr ? value : "";
}

unsigned DeviceCount() {
  const std::string count = Environment("FAB_FAKE_NVML_DEVICE_COUNT");
  return count.empty() ? kMaxDevices : static_cast<unsigned>(std::stoul(count));
}

// GPU device_idx's field of FAB_FAKE_NVML_ENERGY_MJ: false when it is "x".
bool EnergyFromEnvironment(unsigned device_idx, unsigned long long* millijoules) {
  std::istringstream fields(Environment("FAB_FAKE_NVML_ENERGY_MJ"));
  std::string field;
  *millijoules = 0;
  for (unsigned field_idx = 0; fields >> field; ++field_idx) {
    if (field_idx != device_idx) continue;
    if (field == "x") return false;
    *millijoules = std::stoull(field);
  }
  return true;
}

}  // namespace

extern "C" {

int nvmlInit_v2() {
  if (Environment("FAB_FAKE_NVML_INIT_FAILS") == "1") return kUnknown;
  ++live_inits;
  return kSuccess;
}

int nvmlShutdown() {
  if (live_inits == 0) return kUninitialized;
  --live_inits;
  return kSuccess;
}

int nvmlDeviceGetCount_v2(unsigned* count) {
  if (live_inits == 0) return kUninitialized;
  *count = DeviceCount();
  return kSuccess;
}

int nvmlDeviceGetHandleByIndex_v2(unsigned index, void** device) {
  if (live_inits == 0) return kUninitialized;
  if (index >= kMaxDevices) return kInvalidArgument;
  *device = &device_tokens[index];
  return kSuccess;
}

int nvmlDeviceGetTotalEnergyConsumption(void* device, unsigned long long* millijoules) {
  if (live_inits == 0) return kUninitialized;
  for (unsigned device_idx = 0; device_idx < kMaxDevices; ++device_idx) {
    if (device != &device_tokens[device_idx]) continue;
    return EnergyFromEnvironment(device_idx, millijoules) ? kSuccess : kUnknown;
  }
  return kInvalidArgument;
}

const char* nvmlErrorString(int result) {
  switch (result) {
    case kSuccess: return "Success";
    case kUninitialized: return "Uninitialized";
    case kInvalidArgument: return "Invalid Argument";
    default: return "Unknown Error";
  }
}

int fake_nvml_live_inits() { return live_inits; }

}  // extern "C"
