#include "control/server_secret.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>

#include "control/crypto.h"

namespace fab::control {
namespace {

std::string ErrnoText() { return std::strerror(errno); }

std::string Trim(std::string text) {
  const char* kSpace = " \t\r\n";
  const size_t begin = text.find_first_not_of(kSpace);
  if (begin == std::string::npos) return "";
  const size_t end = text.find_last_not_of(kSpace);
  return text.substr(begin, end - begin + 1);
}

// Creates `path` with O_EXCL; AlreadyExists is reported as ok=false with
// errno EEXIST so that the caller reads the winner's file.
Status CreateSecretFile(const std::string& path) {
  const std::filesystem::path parent = std::filesystem::path(path).parent_path();
  if (!parent.empty()) {
    std::error_code error;
    if (!std::filesystem::exists(parent, error)) {
      std::filesystem::create_directories(parent, error);
      if (error) return InternalError("cannot create the directory " + parent.string() + ": " + error.message());
      std::filesystem::permissions(parent, std::filesystem::perms::owner_all, error);
    }
  }
  FAB_ASSIGN_OR_RETURN(const std::string random, RandomBytes(kMinSecretBytes));
  const std::string contents = HexEncode(random) + "\n";
  const std::string temporary = path + ".tmp." + std::to_string(getpid());
  const int fd = open(temporary.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return InternalError("cannot create the secret file " + temporary + ": " + ErrnoText());
  const bool written = write(fd, contents.data(), contents.size()) == static_cast<ssize_t>(contents.size()) &&
                       fsync(fd) == 0;
  close(fd);
  // link() fails with EEXIST when another process created `path` first.
  const bool linked = written && link(temporary.c_str(), path.c_str()) == 0;
  const int link_errno = errno;
  unlink(temporary.c_str());
  if (!written) return InternalError("cannot write the secret file " + path);
  if (!linked && link_errno != EEXIST) {
    return InternalError("cannot create the secret file " + path + ": " + std::strerror(link_errno));
  }
  return OkStatus();
}

}  // namespace

StatusOr<ServerSecret> LoadOrCreateServerSecret(const std::string& path) {
  if (path.empty()) return InvalidArgumentError("--secret-file is empty");
  struct stat info {};
  if (lstat(path.c_str(), &info) != 0) {
    if (errno != ENOENT) return InternalError("cannot stat the secret file " + path + ": " + ErrnoText());
    FAB_RETURN_IF_ERROR(CreateSecretFile(path));
    if (lstat(path.c_str(), &info) != 0) return InternalError("cannot stat the secret file " + path + ": " + ErrnoText());
  }
  if (!S_ISREG(info.st_mode)) return InvalidArgumentError("the secret file " + path + " is not a regular file");
  if ((info.st_mode & 077) != 0) {
    char mode[8];
    std::snprintf(mode, sizeof mode, "%03o", static_cast<unsigned>(info.st_mode & 0777));
    return InvalidArgumentError("the secret file " + path + " is accessible by group or others (mode " + mode +
                                "); run: chmod 600 " + path);
  }
  if (info.st_size > static_cast<off_t>(kMaxSecretFileBytes)) {
    return InvalidArgumentError("the secret file " + path + " is larger than " + std::to_string(kMaxSecretFileBytes) +
                                " bytes");
  }
  const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) return InternalError("cannot open the secret file " + path + ": " + ErrnoText());
  std::string contents(kMaxSecretFileBytes + 1, '\0');
  const ssize_t n_read = read(fd, contents.data(), contents.size());
  close(fd);
  if (n_read < 0) return InternalError("cannot read the secret file " + path + ": " + ErrnoText());
  contents.resize(static_cast<size_t>(n_read));
  ServerSecret secret;
  secret.path = path;
  secret.key = Trim(std::move(contents));
  if (secret.key.size() < kMinSecretBytes) {
    return InvalidArgumentError("the secret file " + path + " holds fewer than " + std::to_string(kMinSecretBytes) +
                                " bytes");
  }
  return secret;
}

}  // namespace fab::control
