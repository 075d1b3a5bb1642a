#pragma once
// Output files that are never silently lost or half-written: every write is checked, whole files are
// replaced atomically (temporary file, fsync, rename), and a folder can be locked against a second
// process. Failures throw WriteError naming the file and the system's reason.
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>

namespace nrc {

// A write that did not reach the file (disk full, no permission, I/O error). The CLI reports it in
// one line with exit code 2, like bad input: the output path the user chose cannot hold the result.
class WriteError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Replaces `path` with `content`: written to a temporary file beside it, fsynced, then renamed over
// `path`, so a reader sees the old file or the new one, never a mixture; on failure the old file is
// untouched and the temporary removed. Throws WriteError.
void write_file_atomic(const std::string& path, std::string_view content);

// An append-only file descriptor whose every write is checked: write() writes all bytes or throws
// WriteError (and cuts a partially written piece off again, so the file ends where it did), and
// close() fsyncs and checks. Optionally holds an exclusive flock on the file while open.
class AppendFile {
 public:
  AppendFile() = default;
  // Opens (creating) for appending. `lock`: take an exclusive flock without waiting; when another
  // process holds it, throws invalid_argument naming `what` and the file.
  AppendFile(const std::string& path, bool lock, std::string_view what);
  ~AppendFile();   // closes without throwing; call close() to learn about errors
  AppendFile(AppendFile&& other) noexcept;
  AppendFile& operator=(AppendFile&& other) noexcept;
  AppendFile(const AppendFile&) = delete;
  AppendFile& operator=(const AppendFile&) = delete;

  void write(std::string_view bytes);
  void close();                       // fsync (regular files) and close; throws WriteError
  bool regular() const { return regular_; }
  std::uint64_t size() const;         // current size (regular files)
  void truncate(std::uint64_t size);  // regular files; throws WriteError
  // The last `n` bytes before offset `end` (regular files).
  std::string read_back(std::uint64_t end, std::uint64_t n) const;
  const std::string& path() const { return path_; }

 private:
  int fd_ = -1;
  bool regular_ = false;
  std::string path_;
};

// An exclusive lock on a folder (flock on DIR/.lock, holding this process' id), held until
// destruction. When another process holds it, throws invalid_argument naming the folder and that
// process' id.
class FolderLock {
 public:
  explicit FolderLock(const std::string& dir);
  ~FolderLock();
  FolderLock(const FolderLock&) = delete;
  FolderLock& operator=(const FolderLock&) = delete;

 private:
  int fd_ = -1;
};

// Checks, before a long computation, that `path` can later be written as a file: not a folder, its
// folder exists and accepts a new file. Throws invalid_argument "nrc::<fn>(): <option> …".
void require_writable_file(const std::string& path, std::string_view fn, std::string_view option);

}  // namespace nrc
