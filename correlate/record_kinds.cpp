#include "correlate/record_kinds.hpp"

#include "decode/enum_name.hpp"

namespace sipscope::correlate {

std::string_view party_name(Party p) {
  return p == Party::caller ? "caller" : "callee";
}

std::optional<Party> parse_party(std::string_view name) {
  return decode::enum_from_name(name, Party::callee, party_name);
}

std::string_view diagnostic_kind_name(DiagnosticKind k) {
  switch (k) {
#define SIPSCOPE_DIAGNOSTIC_NAME(name) \
  case DiagnosticKind::name:           \
    return #name;
    SIPSCOPE_DIAGNOSTIC_KINDS(SIPSCOPE_DIAGNOSTIC_NAME)
#undef SIPSCOPE_DIAGNOSTIC_NAME
  }
  return "unknown";
}

std::optional<DiagnosticKind> parse_diagnostic_kind(std::string_view name) {
  return decode::enum_from_name(name, static_cast<DiagnosticKind>(kDiagnosticKindCount - 1),
                                diagnostic_kind_name);
}

std::string_view stream_association_name(StreamAssociation a) {
  switch (a) {
    case StreamAssociation::sdp:
      return "sdp";
    case StreamAssociation::sdp_source:
      return "sdp_source";
    case StreamAssociation::latched:
      return "latched";
    case StreamAssociation::orphan:
      break;
  }
  return "orphan";
}

std::optional<StreamAssociation> parse_stream_association(std::string_view name) {
  return decode::enum_from_name(name, StreamAssociation::latched, stream_association_name);
}

}  // namespace sipscope::correlate
