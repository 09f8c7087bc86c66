// nlohmann/json ADL serializers for the report model (schema: docs/ladder-json.md), for
// modules that embed these records in larger JSON documents (web/ API). Wire strings may
// hold invalid UTF-8: dump with nlohmann::json::error_handler_t::replace, as dump_json() does.
//
//   nlohmann::json j = ladder;                 // via to_json below
//   std::string text = report::dump_json(j);
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "correlate/records.hpp"
#include "report/ladder.hpp"

namespace sipscope::correlate {
void to_json(nlohmann::json& j, const CallRecord& call);
}  // namespace sipscope::correlate

// The stored rows the ladder embeds (store/call_detail.hpp): found by ADL in their namespace.
namespace sipscope::store {
void to_json(nlohmann::json& j, const StreamRow& stream);
void to_json(nlohmann::json& j, const FindingRow& finding);
void to_json(nlohmann::json& j, const DtmfRow& dtmf);
void to_json(nlohmann::json& j, const LinkRow& link);
}  // namespace sipscope::store

namespace sipscope::report {

// Version of the JSON document layout ("version" member of a ladder document).
inline constexpr int kLadderJsonVersion = 1;

void to_json(nlohmann::json& j, const Participant& participant);
void to_json(nlohmann::json& j, const LadderEvent& event);
void to_json(nlohmann::json& j, const Ladder& ladder);

// Pretty-printed (indent 2), invalid UTF-8 replaced by U+FFFD, trailing newline.
[[nodiscard]] std::string dump_json(const nlohmann::json& j);

}  // namespace sipscope::report
