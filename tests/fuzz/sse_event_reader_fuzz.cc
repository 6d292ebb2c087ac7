// libFuzzer target for what `tokenfab bench serve` reads from a server it does
// not control: any bytes as an event stream must give the same events and
// the same outcome whether fed at once or in pieces of any sizes, with every
// event within its cap; and any bytes as a base URL must parse to a host,
// a port in [1, 65535] and a prefix, or be refused, never crash.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_support.h"
#include "server/http_url.h"
#include "server/sse_event_reader.h"

namespace {

using fab::fuzz::Require;
namespace server = fab::server;

constexpr size_t kMaxEventBytes = 4096;

struct Outcome {
  std::vector<std::string> events;
  bool ok = true;
};

// Feeds `stream` in pieces whose sizes cycle through `sizes` (all at once when
// empty), stopping at the first error.
Outcome Read(std::string_view stream, const std::vector<size_t>& sizes) {
  Outcome outcome;
  server::SseEventReader reader(
      [&](std::string_view data) {
        Require(data.size() <= kMaxEventBytes, "event within its cap");
        outcome.events.emplace_back(data);
      },
      kMaxEventBytes);
  size_t at = 0;
  for (size_t i = 0; at < stream.size(); ++i) {
    const size_t n = sizes.empty() ? stream.size() : sizes[i % sizes.size()];
    if (!reader.Feed(stream.substr(at, n)).ok()) {
      outcome.ok = false;
      break;
    }
    at += n;
  }
  return outcome;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  // The first bytes choose the piece sizes (1..16); the rest is the stream.
  const size_t n_sizes = size > 0 ? data[0] % 4 : 0;
  if (size < 1 + n_sizes) return 0;
  std::vector<size_t> sizes;
  for (size_t i = 0; i < n_sizes; ++i) sizes.push_back(1 + data[1 + i] % 16);
  const std::string_view stream = input.substr(1 + n_sizes);

  const Outcome whole = Read(stream, {});
  const Outcome pieces = Read(stream, sizes);
  if (whole.ok && pieces.ok) Require(whole.events == pieces.events, "same events whatever the pieces");
  Require(whole.ok == pieces.ok, "same outcome whatever the pieces");

  fab::StatusOr<server::HttpUrl> url = server::ParseHttpUrl(stream);
  if (url.ok()) {
    Require(!url->host.empty(), "a parsed URL has a host");
    Require(url->port >= 1, "a parsed URL has a port");
    Require(url->path_prefix.empty() || (url->path_prefix[0] == '/' && url->path_prefix.back() != '/'),
            "the prefix is empty or /… without a trailing slash");
  }
  return 0;
}
