// Black-box tests of `tokenfab serve`: the real binary as a child process on
// a free loopback port, driven over a POSIX socket. Waits are bounded so a
// server that hangs fails the test instead of hanging it.
#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "cli/tokenfab_runner.h"

namespace fab::cli_test {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

constexpr milliseconds kStartupTimeout{60000};
constexpr milliseconds kExitTimeout{30000};
constexpr milliseconds kHttpTimeout{15000};
constexpr const char* kListeningPrefix = "tokenfab serve: listening on http://127.0.0.1:";

const std::string& TinyModel() {
  static const std::string path = SynthesizeDemoModel("serve_command_test");
  return path;
}

int MillisecondsLeft(Clock::time_point deadline) {
  const auto left = std::chrono::duration_cast<milliseconds>(deadline - Clock::now()).count();
  return left > 0 ? static_cast<int>(left) : 0;
}

// `tokenfab <args>` as a child with its stdout on a pipe (stderr inherited);
// killed on destruction if it is still running.
class ServeChild {
 public:
  explicit ServeChild(const std::vector<std::string>& args) {
    int out[2];
    if (pipe(out) != 0) return;
    const std::string binary = std::string(FAB_BINARY_DIR) + "/bin/tokenfab";
    std::vector<std::string> argv_strings = {binary};
    argv_strings.insert(argv_strings.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (std::string& arg : argv_strings) argv.push_back(arg.data());
    argv.push_back(nullptr);
    pid_ = fork();
    if (pid_ == 0) {
      prctl(PR_SET_PDEATHSIG, SIGKILL);
      dup2(out[1], STDOUT_FILENO);
      close(out[0]);
      close(out[1]);
      execv(binary.c_str(), argv.data());
      _exit(127);
    }
    close(out[1]);
    stdout_fd_ = out[0];
  }
  ~ServeChild() {
    if (pid_ > 0 && !exit_status_) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
    if (stdout_fd_ >= 0) close(stdout_fd_);
  }
  ServeChild(const ServeChild&) = delete;
  ServeChild& operator=(const ServeChild&) = delete;

  pid_t pid() const { return pid_; }
  const std::string& output() const { return output_; }

  // The next stdout line (without '\n'), nullopt at EOF or past the deadline.
  std::optional<std::string> ReadLine(Clock::time_point deadline) {
    while (true) {
      if (const size_t end = output_.find('\n', consumed_); end != std::string::npos) {
        std::string line = output_.substr(consumed_, end - consumed_);
        consumed_ = end + 1;
        return line;
      }
      pollfd poll_fd{stdout_fd_, POLLIN, 0};
      if (poll(&poll_fd, 1, MillisecondsLeft(deadline)) <= 0) return std::nullopt;
      char buffer[4096];
      const ssize_t n = read(stdout_fd_, buffer, sizeof buffer);
      if (n <= 0) return std::nullopt;
      output_.append(buffer, static_cast<size_t>(n));
    }
  }

  // The wait status once the child exited before the deadline.
  std::optional<int> WaitForExit(Clock::time_point deadline) {
    while (!exit_status_) {
      int status = 0;
      if (waitpid(pid_, &status, WNOHANG) == pid_) {
        exit_status_ = status;
      } else if (Clock::now() >= deadline) {
        return std::nullopt;
      } else {
        usleep(20000);
      }
    }
    return exit_status_;
  }

 private:
  pid_t pid_ = -1;
  int stdout_fd_ = -1;
  std::string output_;
  size_t consumed_ = 0;
  std::optional<int> exit_status_;
};

// Sends `request` to 127.0.0.1:port and reads until the server closes.
std::string Exchange(uint16_t port, const std::string& request) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return "";
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  std::string response;
  const Clock::time_point deadline = Clock::now() + kHttpTimeout;
  if (connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0 &&
      send(fd, request.data(), request.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(request.size())) {
    while (true) {
      pollfd poll_fd{fd, POLLIN, 0};
      if (poll(&poll_fd, 1, MillisecondsLeft(deadline)) <= 0) break;
      char buffer[4096];
      const ssize_t n = recv(fd, buffer, sizeof buffer, 0);
      if (n <= 0) break;
      response.append(buffer, static_cast<size_t>(n));
    }
  }
  close(fd);
  return response;
}

std::string Get(uint16_t port, const std::string& target) {
  return Exchange(port, "GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
}

TEST(ServeCommand, PrintsItsUrlAnswersHealthAndExitsZeroOnSigterm) {
  ServeChild child({"serve", "--port", "0", "-m", TinyModel(), "-t", "1", "--http-threads", "1"});
  ASSERT_GT(child.pid(), 0);
  const std::optional<std::string> listening = child.ReadLine(Clock::now() + kStartupTimeout);
  ASSERT_TRUE(listening.has_value()) << "no listening line; stdout: " << child.output();
  ASSERT_EQ(listening->rfind(kListeningPrefix, 0), 0u) << *listening;
  const int port = std::stoi(listening->substr(std::string(kListeningPrefix).size()));
  ASSERT_GT(port, 0);
  ASSERT_LE(port, 65535);
  const std::string url = "http://127.0.0.1:" + std::to_string(port);
  const std::optional<std::string> example = child.ReadLine(Clock::now() + kHttpTimeout);
  ASSERT_TRUE(example.has_value());
  EXPECT_EQ(example->rfind("  try: curl " + url + "/v1/completions ", 0), 0u) << *example;

  const std::string health = Get(static_cast<uint16_t>(port), "/health");
  EXPECT_EQ(health.rfind("HTTP/1.1 200", 0), 0u) << health;
  // The served name defaults to the file name without ".gguf".
  const std::string models = Get(static_cast<uint16_t>(port), "/v1/models");
  EXPECT_EQ(models.rfind("HTTP/1.1 200", 0), 0u) << models;
  EXPECT_NE(models.find("\"demo-q4_0\""), std::string::npos) << models;

  ASSERT_EQ(kill(child.pid(), SIGTERM), 0);
  const std::optional<int> status = child.WaitForExit(Clock::now() + kExitTimeout);
  ASSERT_TRUE(status.has_value()) << "still running after SIGTERM";
  ASSERT_TRUE(WIFEXITED(*status)) << "wait status " << *status;
  EXPECT_EQ(WEXITSTATUS(*status), 0);
}

TEST(ServeCommand, RejectsAPortOutOfRangeWithExitCodeOne) {
  const CommandResult r = RunTokenfabCommand("serve --port 70000");
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("--port 70000 is out of range"), std::string::npos) << r.output;
}

TEST(ServeCommand, RejectsAStepBudgetBelowTheSequenceCount) {
  const CommandResult r = RunTokenfabCommand("serve --port 0 --max-num-seqs 16 --max-num-batched-tokens 8");
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("--max-num-batched-tokens 8 is out of range [16,"), std::string::npos) << r.output;
}

TEST(ServeCommand, RejectsAZeroStallTimeout) {
  const CommandResult r = RunTokenfabCommand("serve --port 0 --stall-timeout 0");
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("--stall-timeout 0 is out of range [1,"), std::string::npos) << r.output;
}

TEST(ServeCommand, RejectsAMissingModelFileWithExitCodeOne) {
  const std::string missing = (ScratchDir("serve_command_test") / "missing.gguf").string();
  const CommandResult r = RunTokenfabCommand("serve --port 0 -m " + missing);
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find(missing), std::string::npos) << r.output;
  EXPECT_EQ(r.output.find("listening"), std::string::npos) << r.output;
}

TEST(ServeCommand, RejectsALogFileThatCannotBeOpened) {
  const std::filesystem::path regular_file = ScratchDir("serve_command_test") / "a-file";
  WriteFile(regular_file, "x");
  const CommandResult r = RunTokenfabCommand("serve --port 0 --log-file " + (regular_file / "log.jsonl").string());
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("request log"), std::string::npos) << r.output;
}

}  // namespace
}  // namespace fab::cli_test
