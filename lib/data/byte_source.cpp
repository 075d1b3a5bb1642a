// Byte sources of the data readers: regular files (and nothing else), memory, gzip streams.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstring>

#include <fmt/format.h>
#include <zlib.h>

#include "lib/common/error.hpp"
#include "lib/data/io_detail.hpp"

namespace nrc::data_detail {

void fail(std::string_view fn, const std::string& path, std::string_view what) {
  invalid_arg(fn, fmt::format("{}: {}", path, what));
}

std::size_t MemoryReader::read(std::uint8_t* dst, std::size_t n) {
  const std::size_t got = std::min(n, size_ - pos_);
  if (got > 0) std::memcpy(dst, data_ + pos_, got);
  pos_ += got;
  return got;
}

bool has_gzip_magic(const std::uint8_t* bytes, std::size_t n) {
  return n >= 2 && bytes[0] == 0x1f && bytes[1] == 0x8b;
}

namespace {

std::string_view file_kind(mode_t mode) {
  if (S_ISDIR(mode)) return "is a directory";
  if (S_ISFIFO(mode)) return "is a FIFO";
  if (S_ISCHR(mode)) return "is a character device";
  if (S_ISBLK(mode)) return "is a block device";
  if (S_ISSOCK(mode)) return "is a socket";
  return "is a special file";
}

class FileReader final : public ByteReader {
 public:
  FileReader(int fd, std::string_view fn, const std::string& path) : fd_(fd), fn_(fn), path_(path) {}
  void set_size(std::uint64_t size) { size_ = size; }
  ~FileReader() override { ::close(fd_); }
  FileReader(const FileReader&) = delete;
  FileReader& operator=(const FileReader&) = delete;

  std::size_t read(std::uint8_t* dst, std::size_t n) override {
    std::size_t got = 0;
    while (got < n) {
      const ssize_t r = ::read(fd_, dst + got, std::min<std::size_t>(n - got, std::size_t{1} << 30));
      if (r < 0) {
        if (errno == EINTR) continue;
        fail(fn_, path_, fmt::format("read error: {}", std::strerror(errno)));
      }
      if (r == 0) break;
      got += static_cast<std::size_t>(r);
    }
    consumed_ += got;
    return got;
  }
  std::int64_t remaining() const override {
    return consumed_ >= size_ ? 0 : static_cast<std::int64_t>(size_ - consumed_);
  }

 private:
  int fd_;
  std::uint64_t size_ = 0, consumed_ = 0;
  std::string_view fn_;
  std::string path_;
};

// zlib's inflate over a byte source in chunks; gzread would silently ignore bytes after the last
// member and hides where a truncated stream ends, so the stream is driven by hand. Output goes
// straight into the caller's buffer: memory follows what the caller asks for, never a size the
// stream claims.
class GzipReader final : public ByteReader {
 public:
  GzipReader(ByteReader& compressed, std::string_view fn, const std::string& path)
      : in_src_(compressed), fn_(fn), path_(path), in_(kChunk) {
    std::memset(&strm_, 0, sizeof strm_);
    if (inflateInit2(&strm_, 16 + MAX_WBITS) != Z_OK) fail(fn_, path_, "zlib inflateInit2 failed");
  }
  ~GzipReader() override { inflateEnd(&strm_); }
  GzipReader(const GzipReader&) = delete;
  GzipReader& operator=(const GzipReader&) = delete;

  std::size_t read(std::uint8_t* dst, std::size_t n) override {
    std::size_t got = 0;
    while (got < n && !done_) {
      if (member_ended_) {
        // Another member may follow (gzip allows concatenation); anything else is garbage.
        fill(2);
        if (strm_.avail_in == 0) {
          done_ = true;
          break;
        }
        if (!has_gzip_magic(strm_.next_in, strm_.avail_in))
          fail(fn_, path_, fmt::format("trailing garbage after the gzip stream (at compressed byte {})",
                                       compressed_offset()));
        if (inflateReset(&strm_) != Z_OK) fail(fn_, path_, "zlib inflateReset failed");
        member_ended_ = false;
      }
      if (strm_.avail_in == 0) {
        fill(1);
        if (strm_.avail_in == 0) {
          truncated_ = done_ = true;
          break;
        }
      }
      const std::size_t want = std::min<std::size_t>(n - got, UINT_MAX);
      strm_.next_out = dst + got;
      strm_.avail_out = static_cast<uInt>(want);
      const int rc = inflate(&strm_, Z_NO_FLUSH);
      got += want - strm_.avail_out;
      if (rc == Z_STREAM_END) {
        member_ended_ = true;
      } else if (rc != Z_OK && rc != Z_BUF_ERROR) {
        fail(fn_, path_, fmt::format("corrupt gzip stream: {}", strm_.msg != nullptr ? strm_.msg : zError(rc)));
      }
    }
    return got;
  }
  bool stream_truncated() const override { return truncated_; }

 private:
  static constexpr std::size_t kChunk = std::size_t{1} << 16;

  // Ensures at least `need` unread compressed bytes when the source has them.
  void fill(std::size_t need) {
    if (strm_.avail_in >= need || eof_) return;
    if (strm_.avail_in > 0) std::memmove(in_.data(), strm_.next_in, strm_.avail_in);
    const std::size_t kept = strm_.avail_in;
    const std::size_t got = in_src_.read(in_.data() + kept, in_.size() - kept);
    if (got < in_.size() - kept) eof_ = true;
    read_total_ += got;
    strm_.next_in = in_.data();
    strm_.avail_in = static_cast<uInt>(kept + got);
  }
  std::uint64_t compressed_offset() const { return read_total_ - strm_.avail_in; }

  ByteReader& in_src_;
  std::string_view fn_;
  std::string path_;
  std::vector<std::uint8_t> in_;
  z_stream strm_;
  std::uint64_t read_total_ = 0;
  bool eof_ = false, member_ended_ = false, done_ = false, truncated_ = false;
};

std::vector<std::uint8_t> take_head(ByteReader& raw) {
  std::vector<std::uint8_t> head(2);
  head.resize(raw.read(head.data(), head.size()));
  return head;
}

}  // namespace

std::unique_ptr<ByteReader> open_regular_file(std::string_view fn, const std::string& path) {
  // stat first: opening a FIFO for reading waits for a writer, and opening a device can have
  // effects of its own (a tape rewinds), so only a regular file is ever opened.
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) fail(fn, path, fmt::format("cannot open: {}", std::strerror(errno)));
  if (!S_ISREG(st.st_mode)) fail(fn, path, fmt::format("{}, not a regular file", file_kind(st.st_mode)));
  // O_NONBLOCK: should the path have been replaced by a FIFO since the stat, open returns at once
  // and the fstat below refuses it. For a regular file the flag changes nothing.
  const int fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
  if (fd < 0) fail(fn, path, fmt::format("cannot open: {}", std::strerror(errno)));
  auto reader = std::make_unique<FileReader>(fd, fn, path);   // closes fd on every path below
  if (::fstat(fd, &st) != 0) fail(fn, path, fmt::format("cannot open: {}", std::strerror(errno)));
  if (!S_ISREG(st.st_mode)) fail(fn, path, fmt::format("{}, not a regular file", file_kind(st.st_mode)));
  reader->set_size(static_cast<std::uint64_t>(st.st_size));
  return reader;
}

std::size_t PrefixReader::read(std::uint8_t* dst, std::size_t n) {
  const std::size_t from_head = std::min(n, head_.size() - pos_);
  if (from_head > 0) std::memcpy(dst, head_.data() + pos_, from_head);
  pos_ += from_head;
  return from_head == n ? n : from_head + rest_.read(dst + from_head, n - from_head);
}

std::int64_t PrefixReader::remaining() const {
  const std::int64_t rest = rest_.remaining();
  return rest < 0 ? rest : rest + static_cast<std::int64_t>(head_.size() - pos_);
}

ContentReader::ContentReader(ByteReader& raw, std::string_view fn, const std::string& path)
    : raw_(take_head(raw), raw) {
  if (has_gzip_magic(raw_.head().data(), raw_.head().size())) gzip_ = std::make_unique<GzipReader>(raw_, fn, path);
}

ContentReader::~ContentReader() = default;

std::size_t ContentReader::read(std::uint8_t* dst, std::size_t n) {
  return gzip_ ? gzip_->read(dst, n) : raw_.read(dst, n);
}

bool ContentReader::stream_truncated() const { return gzip_ ? gzip_->stream_truncated() : false; }

std::int64_t ContentReader::remaining() const { return gzip_ ? -1 : raw_.remaining(); }

std::string read_all(ByteReader& reader) {
  // Read straight into the string: first the size hint and one byte more (so a hint that is exact
  // ends the loop in one allocation), else 64 KiB, then doubling. It grows only with bytes that
  // arrived, and no fixed buffer is allocated beside it.
  const std::int64_t hint = reader.remaining();
  std::size_t want = hint >= 0 ? std::min(static_cast<std::size_t>(hint), kTrustedSizeHint) + 1 : std::size_t{1} << 16;
  std::string out;
  for (;;) {
    const std::size_t have = out.size();
    out.resize(have + want);
    const std::size_t got = reader.read(reinterpret_cast<std::uint8_t*>(out.data() + have), want);
    out.resize(have + got);
    if (got < want) return out;
    want = std::max(out.size(), std::size_t{1} << 16);
  }
}

}  // namespace nrc::data_detail
