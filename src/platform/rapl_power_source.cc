// The powercap files this reader uses, one zone per directory:
//   <root>/intel-rapl:N/energy_uj            the counter, decimal microjoules
//   <root>/intel-rapl:N/max_energy_range_uj  where the counter wraps to 0
//   <root>/intel-rapl:N/name                 "package-N", or "psys" (skipped)
// Each file holds one decimal number and a newline; anything else is refused.
#include "platform/rapl_power_source.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <filesystem>
#include <optional>
#include <string_view>
#include <utility>

namespace fab {
namespace {

constexpr std::string_view kZonePrefix = "intel-rapl:";
constexpr size_t kMaxFileBytes = 64;   // a uint64 and a newline fit many times over
constexpr size_t kMaxZoneDigits = 9;   // intel-rapl:N with N < 10^9

Status OpenOrReadError(const std::string& path, int error) {
  const std::string reason = path + ": " + std::strerror(error);
  if (error == EACCES || error == EPERM) {
    return PermissionDeniedError(reason + " (RAPL energy is often readable by root only: run as root or " +
                                 "grant read access to energy_uj)");
  }
  if (error == ENOENT || error == ENOTDIR) return NotFoundError(reason);
  return UnavailableError(reason);
}

// The whole of a small file, refused when it is longer than kMaxFileBytes.
StatusOr<std::string> ReadSmallFile(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return OpenOrReadError(path, errno);
  char buffer[kMaxFileBytes + 1];
  size_t n_read = 0;
  while (n_read < sizeof(buffer)) {
    const ssize_t n = ::read(fd, buffer + n_read, sizeof(buffer) - n_read);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const int error = errno;
      ::close(fd);
      return OpenOrReadError(path, error);
    }
    if (n == 0) break;
    n_read += static_cast<size_t>(n);
  }
  ::close(fd);
  if (n_read > kMaxFileBytes) return InvalidArgumentError(path + ": longer than a counter can be");
  return std::string(buffer, n_read);
}

std::string_view TrimTrailingNewlines(std::string_view text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.remove_suffix(1);
  return text;
}

bool IsAllDigits(std::string_view text) {
  return !text.empty() && std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// A file holding one decimal counter ("123456\n").
StatusOr<uint64_t> ReadCounterFile(const std::string& path) {
  FAB_ASSIGN_OR_RETURN(const std::string content, ReadSmallFile(path));
  const std::string_view digits = TrimTrailingNewlines(content);
  uint64_t value = 0;
  const auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (!IsAllDigits(digits) || error != std::errc() || end != digits.data() + digits.size()) {
    return InvalidArgumentError(path + ": not a decimal counter: '" + std::string(digits) + "'");
  }
  return value;
}

// N for a directory named "intel-rapl:N"; nullopt for sub-zones and others.
std::optional<uint32_t> PackageZoneIndex(std::string_view name) {
  if (!name.starts_with(kZonePrefix)) return std::nullopt;
  const std::string_view digits = name.substr(kZonePrefix.size());
  if (!IsAllDigits(digits) || digits.size() > kMaxZoneDigits) return std::nullopt;
  uint32_t index = 0;
  std::from_chars(digits.data(), digits.data() + digits.size(), index);
  return index;
}

bool IsPlatformZone(const std::string& zone_dir) {
  StatusOr<std::string> name = ReadSmallFile(zone_dir + "/name");
  return name.ok() && TrimTrailingNewlines(*name) == "psys";
}

// The package zone directories under root, in zone order.
StatusOr<std::vector<std::string>> FindPackageZones(const std::string& root) {
  namespace fs = std::filesystem;
  std::error_code error;
  fs::directory_iterator entry(root, error);
  if (error) return NotFoundError("no powercap tree at " + root + ": " + error.message());
  std::vector<std::pair<uint32_t, std::string>> zones;
  for (; !error && entry != fs::directory_iterator(); entry.increment(error)) {
    const std::optional<uint32_t> index = PackageZoneIndex(entry->path().filename().string());
    std::error_code type_error;
    if (!index || !fs::is_directory(entry->path(), type_error)) continue;
    if (IsPlatformZone(entry->path().string())) continue;
    zones.emplace_back(*index, entry->path().string());
  }
  if (error) return UnavailableError("cannot list " + root + ": " + error.message());
  std::sort(zones.begin(), zones.end());
  std::vector<std::string> dirs;
  for (auto& [index, dir] : zones) dirs.push_back(std::move(dir));
  return dirs;
}

// How far a counter that wraps at max_range moved from previous to current.
uint64_t CounterIncrease(uint64_t previous, uint64_t current, uint64_t max_range) {
  if (current >= previous) return current - previous;
  if (previous > max_range) return current;  // inconsistent range: count from the wrap
  return max_range - previous + current;
}

}  // namespace

StatusOr<RaplPowerSource::Zone> RaplPowerSource::OpenZone(const std::string& zone_dir) {
  FAB_ASSIGN_OR_RETURN(const uint64_t max_range, ReadCounterFile(zone_dir + "/max_energy_range_uj"));
  if (max_range == 0) return InvalidArgumentError(zone_dir + "/max_energy_range_uj is 0");
  Zone zone{zone_dir + "/energy_uj", max_range, 0, 0};
  FAB_ASSIGN_OR_RETURN(const uint64_t energy, ReadCounterFile(zone.energy_path));
  if (energy > max_range) {
    return InvalidArgumentError(zone.energy_path + " is above max_energy_range_uj (" + std::to_string(energy) +
                                " > " + std::to_string(max_range) + ")");
  }
  zone.last_microjoules = energy;
  zone.total_microjoules = energy;
  return zone;
}

StatusOr<std::unique_ptr<RaplPowerSource>> RaplPowerSource::Open(std::string root) {
  FAB_ASSIGN_OR_RETURN(const std::vector<std::string> zone_dirs, FindPackageZones(root));
  if (zone_dirs.empty()) {
    return NotFoundError("no RAPL package zone (a directory intel-rapl:N) under " + root +
                         "; is the intel_rapl_msr kernel module loaded?");
  }
  std::vector<Zone> zones;
  for (const std::string& dir : zone_dirs) {
    FAB_ASSIGN_OR_RETURN(Zone zone, OpenZone(dir));
    zones.push_back(std::move(zone));
  }
  return std::unique_ptr<RaplPowerSource>(new RaplPowerSource(std::move(zones)));
}

const std::string& RaplPowerSource::label() const {
  static const std::string kLabel = "rapl";
  return kLabel;
}

StatusOr<double> RaplPowerSource::EnergyJoules() {
  std::lock_guard<std::mutex> lock(mutex_);
  // Read every zone before changing any, so a failure leaves all as they were.
  std::vector<uint64_t> readings;
  readings.reserve(zones_.size());
  for (const Zone& zone : zones_) {
    StatusOr<uint64_t> reading = ReadCounterFile(zone.energy_path);
    if (!reading.ok()) return UnavailableError("RAPL counter unreadable: " + reading.status().message());
    readings.push_back(*reading);
  }
  uint64_t total_microjoules = 0;
  for (size_t zone_idx = 0; zone_idx < zones_.size(); ++zone_idx) {
    Zone& zone = zones_[zone_idx];
    zone.total_microjoules += CounterIncrease(zone.last_microjoules, readings[zone_idx], zone.max_range_microjoules);
    zone.last_microjoules = readings[zone_idx];
    total_microjoules += zone.total_microjoules;
  }
  return static_cast<double>(total_microjoules) * 1e-6;
}

}  // namespace fab
