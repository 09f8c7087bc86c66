// libFuzzer entry points, compiled twice: into one fuzzer executable per target (with
// SIPSCOPE_FUZZ_MAIN defined, each <name>_fuzz.cpp then also defines
// LLVMFuzzerTestOneInput), and as plain functions into decode_tests, where
// regressions_test.cpp replays every file of tests/fuzz/regressions/<name>/ through the
// same function. Adding a target: write <name>_fuzz.cpp with SIPSCOPE_FUZZ_TARGET(name),
// add a line to kFuzzTargets below, call sipscope_fuzz_target(<name>) in
// tests/fuzz/CMakeLists.txt and create tests/fuzz/regressions/<name>/ (docs/fuzzing.md).
//
//   // tests/fuzz/foo_fuzz.cpp
//   namespace sipscope::fuzz {
//   int foo_one_input(const uint8_t* data, size_t size) { ...; return 0; }
//   }
//   SIPSCOPE_FUZZ_TARGET(foo)
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace sipscope::fuzz {

using EntryPoint = int (*)(const uint8_t* data, size_t size);

int link_ip_one_input(const uint8_t* data, size_t size);  // Decoder::on_frame, all layers
int sip_one_input(const uint8_t* data, size_t size);      // sip::parse_message + fields
int sdp_one_input(const uint8_t* data, size_t size);      // sdp::parse_sdp
int hep_one_input(const uint8_t* data, size_t size);      // decode_hep
int sctp_one_input(const uint8_t* data, size_t size);     // SCTP chunks + reassembly
// TcpStreams (SIP over TCP and WebSocket) and frame_sip
int tcp_stream_one_input(const uint8_t* data, size_t size);
int ip_reassembly_one_input(const uint8_t* data, size_t size);  // IpReassembler alone
int rtp_rtcp_one_input(const uint8_t* data, size_t size);       // RTP header/events, RTCP compounds
int redact_one_input(const uint8_t* data, size_t size);  // export::Redactor (in export_tests)
// capture::MergedReader over a hostile file, plain or gzip (in capture_tests)
int pcap_reader_one_input(const uint8_t* data, size_t size);
// frames -> decode -> correlate -> store -> ladders in every format (in cli_tests)
int pipeline_one_input(const uint8_t* data, size_t size);

struct FuzzTarget {
  std::string_view name;  // also the folder under tests/fuzz/regressions/
  EntryPoint entry;
};

inline constexpr std::array kFuzzTargets = {
    FuzzTarget{"link_ip", &link_ip_one_input},
    FuzzTarget{"sip", &sip_one_input},
    FuzzTarget{"sdp", &sdp_one_input},
    FuzzTarget{"hep", &hep_one_input},
    FuzzTarget{"sctp", &sctp_one_input},
    FuzzTarget{"tcp_stream", &tcp_stream_one_input},
    FuzzTarget{"ip_reassembly", &ip_reassembly_one_input},
    FuzzTarget{"rtp_rtcp", &rtp_rtcp_one_input},
};

// Targets that link more than decode/: replayed by their module's test executable
// (tests/<module>/*_fuzz_replay_test.cpp), not by decode_tests.
inline constexpr std::array kExportFuzzTargets = {
    FuzzTarget{"redact", &redact_one_input},
};
inline constexpr std::array kCaptureFuzzTargets = {
    FuzzTarget{"pcap_reader", &pcap_reader_one_input},
};
inline constexpr std::array kCliFuzzTargets = {
    FuzzTarget{"pipeline", &pipeline_one_input},
};

}  // namespace sipscope::fuzz

#ifdef SIPSCOPE_FUZZ_MAIN
#define SIPSCOPE_FUZZ_TARGET(name)                                          \
  extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) { \
    return sipscope::fuzz::name##_one_input(data, size);                    \
  }
#else
#define SIPSCOPE_FUZZ_TARGET(name)
#endif
