#include "cli/hep_send.hpp"

#include <ostream>
#include <stdexcept>

namespace sipscope::cli {

void add_hep_send_options(po::options_description& options) {
  options.add_options()  //
      ("hep-send", po::value<std::string>(),
       "forward every decoded SIP message as HEP3 to [udp:|tcp:]ADDR:PORT (Homer, sngrep -L)")  //
      ("hep-rtcp", "with --hep-send: forward RTCP too (HEP payload type 5)")                    //
      ("hep-capture-id", po::value<uint32_t>()->default_value(0),
       "with --hep-send: the capture agent id (HEP chunk 12)")  //
      ("hep-send-password", po::value<std::string>(),
       "with --hep-send: the collector's password (HEP auth key, chunk 14)")  //
      ("hep-node", po::value<std::string>(), "with --hep-send: the node name (HEP chunk 19)");
}

std::unique_ptr<forward::HepSender> start_hep_sender(const po::variables_map& vm,
                                                     const std::string& command, int& exit) {
  if (vm.count("hep-send") == 0U) {
    for (const char* name : {"hep-rtcp", "hep-send-password", "hep-node"}) {
      if (vm.count(name) != 0U) {
        exit = usage_error(command, std::string("--") + name + " needs --hep-send");
        return nullptr;
      }
    }
    return nullptr;
  }
  forward::HepSendOptions options;
  options.target = vm["hep-send"].as<std::string>();
  options.capture_id = vm["hep-capture-id"].as<uint32_t>();
  if (vm.count("hep-send-password") != 0U)
    options.password = vm["hep-send-password"].as<std::string>();
  if (vm.count("hep-node") != 0U) options.node_name = vm["hep-node"].as<std::string>();
  try {
    return std::make_unique<forward::HepSender>(options);
  } catch (const std::invalid_argument& e) {
    exit = usage_error(command, e.what());
    return nullptr;
  }
}

void finish_hep_sender(forward::HepSender& sender, std::ostream& out) {
  sender.close();
  const auto s = sender.stats();
  out << "hep:      " << s.sent << " sent to " << sender.target() << ", " << s.dropped
      << " dropped, " << s.errors << " errors\n";
}

}  // namespace sipscope::cli
