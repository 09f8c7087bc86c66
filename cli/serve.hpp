// `sipscope serve`: the web UI and JSON API over a database (web/server.hpp); listens on
// 127.0.0.1:8080 unless told otherwise, and any non-loopback address needs a token.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <thread>

#include "cli/commands.hpp"
#include "cli/options.hpp"
#include "web/server.hpp"

namespace sipscope::cli {

CommandSpec serve_spec();
int run_serve(const Args& args);

// The server's options from --listen and --token (a generated token when the address is
// not loopback). On a usage error prints the one-line error for `command`, sets exit and
// returns nullopt.
std::optional<web::ServeOptions> serve_options(const std::string& db_path,
                                               const std::string& listen,
                                               const std::optional<std::string>& token,
                                               const std::string& command, int& exit);

// `capture --serve`: the web server on its own thread (SIGINT/SIGTERM blocked there, so the
// capture sees them), stopped and joined when destroyed. Prints the URL (and a generated
// token) on standard output at once.
class BackgroundServer {
 public:
  explicit BackgroundServer(const web::ServeOptions& options, const std::string& command);
  ~BackgroundServer();
  BackgroundServer(const BackgroundServer&) = delete;
  BackgroundServer& operator=(const BackgroundServer&) = delete;

 private:
  std::unique_ptr<web::Server> server_;
  std::thread thread_;
};

}  // namespace sipscope::cli
