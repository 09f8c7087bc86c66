// `--hep-send` options shared by `analyze` and `capture`: parsed into a running
// forward::HepSender (decoded SIP, and RTCP with --hep-rtcp, forwarded as HEP3).
#pragma once

#include <iosfwd>
#include <memory>
#include <optional>
#include <string>

#include "cli/options.hpp"
#include "forward/hep_sender.hpp"

namespace sipscope::cli {

void add_hep_send_options(po::options_description& options);

// nullptr when --hep-send is absent. On a usage error prints the one-line error, sets
// exit = kExitUsage and returns nullptr.
std::unique_ptr<forward::HepSender> start_hep_sender(const po::variables_map& vm,
                                                     const std::string& command, int& exit);

// Sends what is queued and prints "hep: N sent to TARGET, M dropped, E errors".
void finish_hep_sender(forward::HepSender& sender, std::ostream& out);

}  // namespace sipscope::cli
