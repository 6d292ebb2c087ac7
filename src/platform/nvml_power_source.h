// NvmlPowerSource: the energy of every NVIDIA GPU on the machine, from the
// driver's NVML library loaded at run time with dlopen (never linked, so the
// binary runs where there is no driver). It sums each device's
// nvmlDeviceGetTotalEnergyConsumption (millijoules since the driver loaded).
// Owns one nvmlInit: the destructor calls nvmlShutdown, then dlclose.
// Thread-safe: EnergyJoules may be called from any thread.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "base/status.h"
#include "platform/power_source.h"

namespace fab {

class NvmlPowerSource final : public PowerSource {
 public:
  // Loads `library` (a name the dynamic loader searches for, or a path),
  // initializes NVML and reads every device once. NotFound when the library
  // cannot be loaded or there is no device; Unavailable when a symbol is
  // missing, nvmlInit fails or a device cannot report its energy (GPUs
  // older than Volta cannot). Messages carry dlerror or nvmlErrorString.
  static StatusOr<std::unique_ptr<NvmlPowerSource>> Open(std::string library = "libnvidia-ml.so.1");

  ~NvmlPowerSource() override;
  NvmlPowerSource(const NvmlPowerSource&) = delete;
  NvmlPowerSource& operator=(const NvmlPowerSource&) = delete;

  // "nvml".
  const std::string& label() const override;

  // The devices' counters summed, in joules; the origin is the driver's. A
  // counter that drops (driver reload, GPU reset) counts its new value as the
  // increase. Unavailable when a device cannot be read now.
  StatusOr<double> EnergyJoules() override;

 private:
  struct Api;  // the resolved NVML entry points (nvml_power_source.cc)
  struct Device {
    void* handle;               // nvmlDevice_t
    uint64_t last_millijoules;  // the raw counter at the last reading
    uint64_t total_millijoules; // monotonic, since the origin
  };

  explicit NvmlPowerSource(void* library_handle);
  Status ResolveSymbols(const std::string& library);
  Status Initialize();
  Status FindDevices();
  // The device's counter, or Unavailable with NVML's reason.
  StatusOr<uint64_t> ReadMillijoules(void* device_handle, unsigned device_idx) const;

  void* library_handle_ = nullptr;  // from dlopen
  std::unique_ptr<Api> api_;
  bool initialized_ = false;        // nvmlInit succeeded: shut down on destruction
  std::mutex mutex_;
  std::vector<Device> devices_;     // guarded by mutex_ after Open
};

}  // namespace fab
