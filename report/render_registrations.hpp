// Renderings of `sipscope registrations` (table, JSON, CSV) from the rows store/registrations.hpp
// reads.
#pragma once

#include <string>
#include <vector>

#include "store/registrations.hpp"

namespace sipscope::report {

[[nodiscard]] std::string render_registrations_table(
    const std::vector<correlate::RegistrationRecord>& rows);
[[nodiscard]] std::string render_registrations_json(
    const std::vector<correlate::RegistrationRecord>& rows);
[[nodiscard]] std::string render_registrations_csv(
    const std::vector<correlate::RegistrationRecord>& rows);

}  // namespace sipscope::report
