// The part of the NVML C API this reader uses, declared here rather than
// taken from nvml.h (which the build machine need not have):
//   nvmlReturn_t is an int, 0 = NVML_SUCCESS; nvmlDevice_t an opaque pointer.
//   nvmlInit_v2(), nvmlShutdown(), nvmlDeviceGetCount_v2(unsigned*),
//   nvmlDeviceGetHandleByIndex_v2(unsigned, nvmlDevice_t*),
//   nvmlDeviceGetTotalEnergyConsumption(nvmlDevice_t, unsigned long long* mJ),
//   nvmlErrorString(nvmlReturn_t) -> const char*.
#include "platform/nvml_power_source.h"

#include <dlfcn.h>

#include <utility>

namespace fab {
namespace {

using NvmlReturn = int;
using NvmlDevice = void*;
constexpr NvmlReturn kNvmlSuccess = 0;
constexpr unsigned kMaxDevices = 1024;  // NVML reports far fewer; a bound on a bad library

std::string DlErrorText() {
  const char* error = ::dlerror();
  return error != nullptr ? error : "unknown dynamic loader error";
}

// Looks `name` up in `library_handle` into *function.
template <typename Function>
Status ResolveSymbol(void* library_handle, const char* name, const std::string& library, Function* function) {
  ::dlerror();  // clear any earlier error
  void* symbol = ::dlsym(library_handle, name);
  if (symbol == nullptr) {
    return UnavailableError(library + " lacks " + name + " (not an NVML library, or too old): " + DlErrorText());
  }
  *function = reinterpret_cast<Function>(symbol);
  return OkStatus();
}

}  // namespace

struct NvmlPowerSource::Api {
  NvmlReturn (*init)() = nullptr;
  NvmlReturn (*shutdown)() = nullptr;
  NvmlReturn (*get_device_count)(unsigned*) = nullptr;
  NvmlReturn (*get_device_handle)(unsigned, NvmlDevice*) = nullptr;
  NvmlReturn (*get_total_energy)(NvmlDevice, unsigned long long*) = nullptr;
  const char* (*error_string)(NvmlReturn) = nullptr;

  // "NVML error 3 (Not Supported)".
  std::string ErrorText(NvmlReturn code) const {
    const char* text = error_string != nullptr ? error_string(code) : nullptr;
    return "NVML error " + std::to_string(code) + " (" + (text != nullptr ? text : "no description") + ")";
  }
};

NvmlPowerSource::NvmlPowerSource(void* library_handle)
    : library_handle_(library_handle), api_(std::make_unique<Api>()) {}

NvmlPowerSource::~NvmlPowerSource() {
  if (initialized_) api_->shutdown();
  if (library_handle_ != nullptr) ::dlclose(library_handle_);
}

StatusOr<std::unique_ptr<NvmlPowerSource>> NvmlPowerSource::Open(std::string library) {
  ::dlerror();
  void* library_handle = ::dlopen(library.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (library_handle == nullptr) {
    return NotFoundError("cannot load NVML from " + library + " (is the NVIDIA driver installed?): " +
                         DlErrorText());
  }
  // From here the destructor undoes whatever succeeded.
  std::unique_ptr<NvmlPowerSource> source(new NvmlPowerSource(library_handle));
  FAB_RETURN_IF_ERROR(source->ResolveSymbols(library));
  FAB_RETURN_IF_ERROR(source->Initialize());
  FAB_RETURN_IF_ERROR(source->FindDevices());
  return source;
}

Status NvmlPowerSource::ResolveSymbols(const std::string& library) {
  FAB_RETURN_IF_ERROR(ResolveSymbol(library_handle_, "nvmlErrorString", library, &api_->error_string));
  FAB_RETURN_IF_ERROR(ResolveSymbol(library_handle_, "nvmlInit_v2", library, &api_->init));
  FAB_RETURN_IF_ERROR(ResolveSymbol(library_handle_, "nvmlShutdown", library, &api_->shutdown));
  FAB_RETURN_IF_ERROR(ResolveSymbol(library_handle_, "nvmlDeviceGetCount_v2", library, &api_->get_device_count));
  FAB_RETURN_IF_ERROR(
      ResolveSymbol(library_handle_, "nvmlDeviceGetHandleByIndex_v2", library, &api_->get_device_handle));
  return ResolveSymbol(library_handle_, "nvmlDeviceGetTotalEnergyConsumption", library, &api_->get_total_energy);
}

Status NvmlPowerSource::Initialize() {
  const NvmlReturn code = api_->init();
  if (code != kNvmlSuccess) return UnavailableError("nvmlInit_v2 failed: " + api_->ErrorText(code));
  initialized_ = true;
  return OkStatus();
}

Status NvmlPowerSource::FindDevices() {
  unsigned n_devices = 0;
  const NvmlReturn code = api_->get_device_count(&n_devices);
  if (code != kNvmlSuccess) return UnavailableError("nvmlDeviceGetCount_v2 failed: " + api_->ErrorText(code));
  if (n_devices == 0) return NotFoundError("NVML reports no GPU");
  if (n_devices > kMaxDevices) {
    return UnavailableError("NVML reports " + std::to_string(n_devices) + " GPUs, more than the " +
                            std::to_string(kMaxDevices) + " this reader accepts");
  }
  for (unsigned device_idx = 0; device_idx < n_devices; ++device_idx) {
    NvmlDevice handle = nullptr;
    const NvmlReturn handle_code = api_->get_device_handle(device_idx, &handle);
    if (handle_code != kNvmlSuccess) {
      return UnavailableError("nvmlDeviceGetHandleByIndex_v2(" + std::to_string(device_idx) +
                              ") failed: " + api_->ErrorText(handle_code));
    }
    FAB_ASSIGN_OR_RETURN(const uint64_t millijoules, ReadMillijoules(handle, device_idx));
    devices_.push_back(Device{handle, millijoules, millijoules});
  }
  return OkStatus();
}

StatusOr<uint64_t> NvmlPowerSource::ReadMillijoules(void* device_handle, unsigned device_idx) const {
  unsigned long long millijoules = 0;
  const NvmlReturn code = api_->get_total_energy(device_handle, &millijoules);
  if (code != kNvmlSuccess) {
    return UnavailableError("nvmlDeviceGetTotalEnergyConsumption(GPU " + std::to_string(device_idx) +
                            ") failed: " + api_->ErrorText(code));
  }
  return static_cast<uint64_t>(millijoules);
}

const std::string& NvmlPowerSource::label() const {
  static const std::string kLabel = "nvml";
  return kLabel;
}

StatusOr<double> NvmlPowerSource::EnergyJoules() {
  std::lock_guard<std::mutex> lock(mutex_);
  // Read every device before changing any, so a failure leaves all as they were.
  std::vector<uint64_t> readings;
  readings.reserve(devices_.size());
  for (unsigned device_idx = 0; device_idx < devices_.size(); ++device_idx) {
    FAB_ASSIGN_OR_RETURN(const uint64_t millijoules, ReadMillijoules(devices_[device_idx].handle, device_idx));
    readings.push_back(millijoules);
  }
  uint64_t total_millijoules = 0;
  for (size_t device_idx = 0; device_idx < devices_.size(); ++device_idx) {
    Device& device = devices_[device_idx];
    const uint64_t reading = readings[device_idx];
    device.total_millijoules += reading >= device.last_millijoules ? reading - device.last_millijoules : reading;
    device.last_millijoules = reading;
    total_millijoules += device.total_millijoules;
  }
  return static_cast<double>(total_millijoules) * 1e-3;
}

}  // namespace fab
