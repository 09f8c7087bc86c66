#include "capture/input_file.hpp"

#include <fcntl.h>
#include <openssl/evp.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "capture/pcap_reader.hpp"

namespace sipscope::capture {
namespace {

constexpr size_t kChunk = size_t{256} * 1024;

std::string hex(const unsigned char* bytes, unsigned int n) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(size_t{2} * n);
  for (unsigned int i = 0; i < n; ++i) {
    out += kDigits[bytes[i] >> 4];
    out += kDigits[bytes[i] & 0x0f];
  }
  return out;
}

}  // namespace

struct InputFile::State {
  std::string path;
  int fd = -1;
  bool own_fd = true;
  EVP_MD_CTX* sha = nullptr;
  FileIdentity id;
  uint64_t delivered = 0;
  uint64_t hashed = 0;
  bool raw_eof = false;
  bool gzip = false;
  bool gzip_end = false;  // the last member ended (Z_STREAM_END) and no byte followed yet
  z_stream z{};
  std::vector<unsigned char> in = std::vector<unsigned char>(kChunk);
  size_t in_pos = 0, in_len = 0;  // unconsumed raw bytes in `in` (plain mode)
  std::string error;

  ~State() {
    if (gzip) inflateEnd(&z);
    EVP_MD_CTX_free(sha);
    if (fd >= 0 && own_fd) ::close(fd);
  }

  // Next raw chunk of the stored file into `in`, hashed; 0 at end of file, -1 on error.
  ssize_t read_raw() {
    if (raw_eof) return 0;
    ssize_t n = 0;
    do {
      n = ::read(fd, in.data(), in.size());
    } while (n < 0 && errno == EINTR);
    if (n < 0) {
      error = path + ": read error: " + std::strerror(errno);
      return -1;
    }
    if (n == 0) {
      raw_eof = true;
      return 0;
    }
    (void)EVP_DigestUpdate(sha, in.data(), static_cast<size_t>(n));
    hashed += static_cast<uint64_t>(n);
    return n;
  }

  // fopencookie read: plain bytes or inflated gzip members (a .gz may hold several,
  // RFC 1952 §2.2, e.g. from `cat a.gz b.gz`).
  ssize_t read(char* buf, size_t size) {
    if (!gzip) {
      if (in_pos == in_len) {
        const ssize_t n = read_raw();
        if (n <= 0) return n;
        in_pos = 0;
        in_len = static_cast<size_t>(n);
      }
      const size_t n = std::min(size, in_len - in_pos);
      std::memcpy(buf, in.data() + in_pos, n);
      in_pos += n;
      delivered += n;
      return static_cast<ssize_t>(n);
    }
    z.next_out = reinterpret_cast<Bytef*>(buf);
    z.avail_out = static_cast<uInt>(std::min<size_t>(size, UINT32_MAX));
    while (z.avail_out > 0) {
      if (z.avail_in == 0) {
        const ssize_t n = read_raw();
        if (n < 0) return -1;
        if (n == 0) {
          if (!gzip_end && error.empty()) error = path + ": gzip data ends early";
          break;
        }
        z.next_in = in.data();
        z.avail_in = static_cast<uInt>(n);
      }
      if (gzip_end) {  // another member follows
        if (inflateReset(&z) != Z_OK) return -1;
        gzip_end = false;
      }
      const int rc = inflate(&z, Z_NO_FLUSH);
      if (rc == Z_STREAM_END) {
        gzip_end = true;
      } else if (rc != Z_OK && !(rc == Z_BUF_ERROR && z.avail_in == 0)) {
        error = path + ": gzip data error: " + (z.msg != nullptr ? z.msg : "invalid data");
        errno = EIO;
        return -1;
      }
    }
    const size_t produced = size - z.avail_out;
    delivered += produced;
    return static_cast<ssize_t>(produced);
  }

  // The first chunk tells plain from gzip (1f 8b, RFC 1952 §2.3.1).
  void detect() {
    const ssize_t n = read_raw();
    if (n < 0) throw CaptureError(error);
    in_pos = 0;
    in_len = static_cast<size_t>(n);
    if (n >= 2 && in[0] == 0x1f && in[1] == 0x8b) {
      gzip = true;
      // 16 + MAX_WBITS: gzip wrapper (zlib manual, inflateInit2).
      if (inflateInit2(&z, 16 + MAX_WBITS) != Z_OK) throw CaptureError(path + ": zlib init failed");
      z.next_in = in.data();
      z.avail_in = static_cast<uInt>(n);
      in_len = 0;
    }
  }
};

namespace {
ssize_t cookie_read(void* cookie, char* buf, size_t size) {
  return static_cast<InputFile::State*>(cookie)->read(buf, size);
}
int cookie_close(void* /*cookie*/) {
  return 0;  // the fd belongs to InputFile
}
}  // namespace

InputFile::InputFile(const std::string& path) : state_(std::make_unique<State>()) {
  State& s = *state_;
  s.path = path;
  if (path == "-") {
    s.fd = STDIN_FILENO;
    s.own_fd = false;
  } else {
    s.fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (s.fd < 0) throw CaptureError(path + ": " + std::strerror(errno));
  }
  struct stat st {};
  if (::fstat(s.fd, &st) == 0 && S_ISREG(st.st_mode)) {
    s.id.mtime_us = static_cast<int64_t>(st.st_mtim.tv_sec) * 1'000'000 + st.st_mtim.tv_nsec / 1000;
    s.id.size = static_cast<uint64_t>(st.st_size);  // until the bytes read say otherwise
  } else if (::fstat(s.fd, &st) == 0 && S_ISDIR(st.st_mode)) {
    throw CaptureError(path + ": is a directory");
  }
  s.sha = EVP_MD_CTX_new();
  if (s.sha == nullptr || EVP_DigestInit_ex(s.sha, EVP_sha256(), nullptr) != 1) {
    throw CaptureError(path + ": SHA-256 unavailable");
  }
  s.detect();
}

InputFile::~InputFile() = default;

FILE* InputFile::release_stream() {
  const cookie_io_functions_t io{cookie_read, nullptr, nullptr, cookie_close};
  FILE* f = fopencookie(state_.get(), "r", io);
  if (f == nullptr) throw CaptureError(state_->path + ": " + std::strerror(errno));
  // Chunks as large as ours, so stdio does not split them into small reads.
  (void)std::setvbuf(f, nullptr, _IOFBF, kChunk);
  return f;
}

uint64_t InputFile::delivered() const {
  return state_->delivered;
}

void InputFile::finish() {
  State& s = *state_;
  if (!s.id.sha256.empty()) return;
  while (s.read_raw() > 0) {
  }
  if (!s.raw_eof) return;  // read error: the hash would not be of the whole file
  s.id.size = s.hashed;
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  if (EVP_DigestFinal_ex(s.sha, digest, &n) == 1) s.id.sha256 = hex(digest, n);
}

const FileIdentity& InputFile::identity() const {
  return state_->id;
}

std::string InputFile::error() const {
  return state_->error;
}

FileIdentity identify_file(const std::string& path) {
  InputFile f(path);
  f.finish();
  if (f.identity().sha256.empty()) throw CaptureError(f.error());
  return f.identity();
}

}  // namespace sipscope::capture
