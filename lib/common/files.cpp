#include "lib/common/files.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include <fmt/format.h>

#include "lib/common/error.hpp"

namespace nrc {

namespace {

std::string reason(int err) { return std::strerror(err); }

[[noreturn]] void write_failed(const std::string& path, int err) {
  throw WriteError(fmt::format("cannot write '{}': {}", path, reason(err)));
}

// Writes all of `bytes` to fd; returns 0 or the errno of the failure.
int write_all(int fd, std::string_view bytes) {
  std::size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return errno;
    if (n == 0) return EIO;
    done += static_cast<std::size_t>(n);
  }
  return 0;
}

bool is_regular(int fd) {
  struct stat st {};
  return ::fstat(fd, &st) == 0 && S_ISREG(st.st_mode);
}

}  // namespace

void write_file_atomic(const std::string& path, std::string_view content) {
  const std::filesystem::path target(path);
  const std::filesystem::path dir = target.has_parent_path() ? target.parent_path() : std::filesystem::path(".");
  // Appended piece by piece: GCC 12 warns (-Wrestrict, a false positive) on "." + std::string.
  std::string name = ".";
  name += target.filename().string();
  name += ".XXXXXX";
  std::string tmp = (dir / name).string();
  const int fd = ::mkstemp(tmp.data());
  if (fd < 0) write_failed(path, errno);
  int err = write_all(fd, content);
  if (err == 0 && ::fchmod(fd, 0644) != 0) err = errno;
  if (err == 0 && ::fsync(fd) != 0) err = errno;
  if (::close(fd) != 0 && err == 0) err = errno;
  if (err == 0 && ::rename(tmp.c_str(), path.c_str()) != 0) err = errno;
  if (err != 0) {
    ::unlink(tmp.c_str());
    write_failed(path, err);
  }
}

AppendFile::AppendFile(const std::string& path, bool lock, std::string_view what) : path_(path) {
  fd_ = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
  if (fd_ < 0) write_failed(path, errno);
  regular_ = is_regular(fd_);
  if (lock && ::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
    const int err = errno;
    ::close(fd_);
    fd_ = -1;
    if (err == EWOULDBLOCK)
      invalid_arg(what, fmt::format("'{}' is being written by another process; wait for it to finish or choose "
                                    "another file",
                                    path));
    write_failed(path, err);
  }
}

AppendFile::~AppendFile() {
  if (fd_ >= 0) ::close(fd_);
}

AppendFile::AppendFile(AppendFile&& o) noexcept : fd_(o.fd_), regular_(o.regular_), path_(std::move(o.path_)) {
  o.fd_ = -1;
}

AppendFile& AppendFile::operator=(AppendFile&& o) noexcept {
  if (this != &o) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = o.fd_;
    regular_ = o.regular_;
    path_ = std::move(o.path_);
    o.fd_ = -1;
  }
  return *this;
}

void AppendFile::write(std::string_view bytes) {
  const std::uint64_t before = regular_ ? size() : 0;
  if (const int err = write_all(fd_, bytes); err != 0) {
    // Cut off what made it, so the file still ends on a complete piece (best effort: the failure
    // being reported is the write's).
    if (regular_ && ::ftruncate(fd_, static_cast<off_t>(before)) != 0) {
    }
    write_failed(path_, err);
  }
}

void AppendFile::close() {
  if (fd_ < 0) return;
  int err = 0;
  // fsync reports write-back failures (e.g. on network file systems) that write() could not.
  if (regular_ && ::fsync(fd_) != 0) err = errno;
  if (::close(fd_) != 0 && err == 0) err = errno;
  fd_ = -1;
  if (err != 0) write_failed(path_, err);
}

std::uint64_t AppendFile::size() const {
  struct stat st {};
  if (::fstat(fd_, &st) != 0) write_failed(path_, errno);
  return static_cast<std::uint64_t>(st.st_size);
}

void AppendFile::truncate(std::uint64_t size) {
  if (::ftruncate(fd_, static_cast<off_t>(size)) != 0) write_failed(path_, errno);
}

std::string AppendFile::read_back(std::uint64_t end, std::uint64_t n) const {
  n = std::min(n, end);
  std::string out(n, '\0');
  // A second descriptor for reading: this one is write-only.
  const int rfd = ::open(path_.c_str(), O_RDONLY | O_CLOEXEC);
  if (rfd < 0) write_failed(path_, errno);
  const ssize_t got = ::pread(rfd, out.data(), n, static_cast<off_t>(end - n));
  const int err = errno;
  ::close(rfd);
  if (got < 0) write_failed(path_, err);
  out.resize(static_cast<std::size_t>(got));
  return out;
}

FolderLock::FolderLock(const std::string& dir) {
  const std::string path = (std::filesystem::path(dir) / ".lock").string();
  fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd_ < 0) write_failed(path, errno);
  if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
    const int err = errno;
    char buf[32] = {};
    const ssize_t n = ::pread(fd_, buf, sizeof buf - 1, 0);
    ::close(fd_);
    fd_ = -1;
    if (err != EWOULDBLOCK) write_failed(path, err);
    std::string holder(buf, n > 0 ? static_cast<std::size_t>(n) : 0);
    while (!holder.empty() && (holder.back() == '\n' || holder.back() == ' ')) holder.pop_back();
    invalid_arg("report", fmt::format("folder '{}' is in use by process {} (another nrc report); wait for it to finish "
                                      "or choose another --out",
                                      dir, holder.empty() ? "unknown" : holder));
  }
  const std::string pid = fmt::format("{}\n", ::getpid());
  if (::ftruncate(fd_, 0) != 0 || ::pwrite(fd_, pid.data(), pid.size(), 0) != static_cast<ssize_t>(pid.size()))
    write_failed(path, errno);
}

FolderLock::~FolderLock() {
  if (fd_ >= 0) ::close(fd_);   // releases the flock
}

void require_writable_file(const std::string& path, std::string_view fn, std::string_view option) {
  namespace fs = std::filesystem;
  std::error_code ec;
  const fs::path p(path);
  require(!path.empty(), fn, "{}: expected a file name, got an empty one", option);
  require(!fs::is_directory(p, ec), fn, "{}: expected a file name, got the folder '{}'", option, path);
  const fs::path dir = p.has_parent_path() ? p.parent_path() : fs::path(".");
  require(fs::is_directory(dir, ec), fn, "{}: expected '{}' in an existing folder, but '{}' is not one", option, path,
          dir.string());
  if (fs::exists(p, ec)) {
    require(fs::is_regular_file(p, ec), fn, "{}: expected '{}' to be a regular file", option, path);
    require(::access(path.c_str(), W_OK) == 0, fn, "{}: cannot write '{}': {}", option, path, reason(errno));
    return;
  }
  require(::access(dir.c_str(), W_OK | X_OK) == 0, fn, "{}: cannot create files in '{}': {}", option, dir.string(),
          reason(errno));
}

}  // namespace nrc
