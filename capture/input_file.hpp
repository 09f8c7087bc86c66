// A capture input as libpcap reads it: a file or "-" (standard input), plain or gzip
// (recognised by its magic bytes 1f 8b, RFC 1952, whatever its name), and the identity of
// the evidence computed in the same single pass: the SHA-256 of the bytes as stored (the
// compressed bytes of a .gz, i.e. what `sha256sum FILE` prints), their count, and the
// file's modification time.
//
//   InputFile in("cap.pcap.gz");                    // throws CaptureError naming the file
//   pcap_t* p = pcap_fopen_offline(in.release_stream(), err);   // libpcap reads through it
//   ... read to the end ...; in.finish();           // hashes what libpcap did not read
//   in.identity().sha256                            // 64 hex digits
//
// The FILE* handed to libpcap is a fopencookie(3) stream whose reads come from this object:
// it must outlive the stream (pcap_close() closes the stream, not this object).
#pragma once

#include <cstdint>
#include <cstdio>
#include <memory>
#include <optional>
#include <string>

namespace sipscope::capture {

struct FileIdentity {
  uint64_t size = 0;                // bytes of the file as stored (compressed for .gz)
  std::optional<int64_t> mtime_us;  // modification time; none for a pipe
  std::string sha256;               // 64 lowercase hex digits; "" until the whole file was read
};

class InputFile {
 public:
  explicit InputFile(const std::string& path);
  ~InputFile();
  InputFile(const InputFile&) = delete;
  InputFile& operator=(const InputFile&) = delete;

  // The decompressing, hashing stream for pcap_fopen_offline(); call once.
  [[nodiscard]] FILE* release_stream();
  // Bytes of the (decompressed) capture delivered so far; 0 for an empty file.
  [[nodiscard]] uint64_t delivered() const;
  // Reads (and hashes) the rest of the stored file, e.g. after a truncated record, so the
  // hash covers the whole file; then the identity is complete.
  void finish();
  [[nodiscard]] const FileIdentity& identity() const;
  // One line for an error of the stream ("" when none): a gzip or read error.
  [[nodiscard]] std::string error() const;

  struct State;

 private:
  std::unique_ptr<State> state_;
};

// The identity of a stored file, read once from start to end (same hash as InputFile).
// Throws CaptureError naming the file when it cannot be read.
[[nodiscard]] FileIdentity identify_file(const std::string& path);

}  // namespace sipscope::capture
