// `sipscope serve`: the web UI and JSON API over a database (web/server.hpp); listens on
// 127.0.0.1:8080 unless told otherwise, and any non-loopback address needs a token.
#pragma once

#include "cli/commands.hpp"
#include "cli/options.hpp"

namespace sipscope::cli {

CommandSpec serve_spec();
int run_serve(const Args& args);

}  // namespace sipscope::cli
