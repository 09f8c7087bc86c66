#include "cli/serve.hpp"

#include <csignal>
#include <iostream>
#include <thread>

#include "store/query.hpp"
#include "web/security.hpp"
#include "web/server.hpp"

namespace sipscope::cli {

namespace {

// "HOST:PORT", "[V6]:PORT" -> host and port; false when malformed.
bool parse_listen(const std::string& text, std::string& host, int& port) {
  const size_t colon = text.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == text.size()) return false;
  host = text.substr(0, colon);
  if (host.find(':') != std::string::npos && (host.front() != '[' || host.back() != ']')) {
    return false;  // an IPv6 address needs brackets
  }
  port = 0;
  for (char c : text.substr(colon + 1)) {
    if (c < '0' || c > '9' || port > 65535) return false;
    port = port * 10 + (c - '0');
  }
  return port <= 65535;
}

}  // namespace

CommandSpec serve_spec() {
  CommandSpec spec{"serve",
                   "sipscope serve --db FILE [--listen 127.0.0.1:8080] [--token T]",
                   "Serves a browser UI and a read-only JSON API over the database (docs/web.md):\n"
                   "call list with search (/?q=TEXT), call pages with the ladder (/calls/ID),\n"
                   "streams and statistics; pages follow a database that a capture is writing.\n"
                   "A non-loopback --listen address needs a token: --token, or one is generated\n"
                   "and printed. Port 0 takes any free port (printed).",
                   po::options_description("Options"),
                   po::options_description(),
                   {}};
  spec.options.add_options()                                                                  //
      ("help,h", "show this help")                                                            //
      ("db", po::value<std::string>()->required(), "database written by 'sipscope analyze'")  //
      ("listen", po::value<std::string>()->default_value("127.0.0.1:8080"),
       "HOST:PORT to listen on ([::1]:PORT for IPv6)")  //
      ("token", po::value<std::string>(), "require this token (Authorization: Bearer, ?token=)");
  return spec;
}

int run_serve(const Args& args) {
  const CommandSpec spec = serve_spec();
  int exit = kExitOk;
  const auto vm = parse_command(spec, args, exit);
  if (!vm) return exit;
  web::ServeOptions o;
  o.db_path = (*vm)["db"].as<std::string>();
  const std::string listen = (*vm)["listen"].as<std::string>();
  if (!parse_listen(listen, o.host, o.port)) {
    return usage_error("serve", "--listen must be HOST:PORT, not '" + listen + "'");
  }
  if (vm->count("token") != 0U) {
    o.token = (*vm)["token"].as<std::string>();
    if (o.token.size() < 8) return usage_error("serve", "--token must have at least 8 characters");
  }
  (void)store::Database::open_read_only(o.db_path);  // one-line error now, not per request
  const bool generated = o.token.empty() && !web::is_loopback(o.host);
  if (generated) o.token = web::random_hex(16);

  // SIGINT/SIGTERM end the server cleanly: blocked in every thread, awaited in one.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  web::Server server(o);
  const int port = server.bind();
  std::cout << "sipscope serve: http://" << o.host << ":" << port << "/"
            << (o.token.empty() ? "" : "?token=" + o.token) << "\n";
  if (generated) std::cout << "sipscope serve: token " << o.token << " (generated)\n";
  std::cout.flush();
  std::thread waiter([&] {
    int sig = 0;
    sigwait(&signals, &sig);
    server.stop();
  });
  server.run();
  // run() also returns on a listen failure: wake the waiter so it can be joined.
  // NOLINTNEXTLINE(bugprone-bad-signal-to-kill-thread): blocked SIGTERM only wakes sigwait
  pthread_kill(waiter.native_handle(), SIGTERM);
  waiter.join();
  return kExitOk;
}

}  // namespace sipscope::cli
