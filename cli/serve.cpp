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

// "sipscope CMD: http://HOST:PORT/[?token=T]" and the generated token, flushed at once.
void announce(const std::string& command, const web::ServeOptions& o, int port, bool generated) {
  std::cout << "sipscope " << command << ": http://" << o.host << ":" << port << "/"
            << (o.token.empty() ? "" : "?token=" + o.token) << "\n";
  if (generated) std::cout << "sipscope " << command << ": token " << o.token << " (generated)\n";
  std::cout.flush();
}

}  // namespace

std::optional<web::ServeOptions> serve_options(const std::string& db_path,
                                               const std::string& listen,
                                               const std::optional<std::string>& token,
                                               const std::string& command, int& exit) {
  web::ServeOptions o;
  o.db_path = db_path;
  if (!parse_listen(listen, o.host, o.port)) {
    exit = usage_error(command, "--" + std::string(command == "serve" ? "listen" : "serve") +
                                    " must be HOST:PORT, not '" + listen + "'");
    return std::nullopt;
  }
  if (token) {
    o.token = *token;
    if (o.token.size() < 8) {
      exit = usage_error(command, "--token must have at least 8 characters");
      return std::nullopt;
    }
  }
  return o;
}

BackgroundServer::BackgroundServer(const web::ServeOptions& options, const std::string& command) {
  web::ServeOptions o = options;
  const bool generated = o.token.empty() && !web::is_loopback(o.host);
  if (generated) o.token = web::random_hex(16);
  server_ = std::make_unique<web::Server>(o);
  const int port = server_->bind();
  announce(command, o, port, generated);
  sigset_t signals, before;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, &before);  // inherited by the server's threads
  thread_ = std::thread([this] { server_->run(); });
  pthread_sigmask(SIG_SETMASK, &before, nullptr);
}

BackgroundServer::~BackgroundServer() {
  server_->stop();
  if (thread_.joinable()) thread_.join();
}

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
  std::optional<std::string> token;
  if (vm->count("token") != 0U) token = (*vm)["token"].as<std::string>();
  const auto options = serve_options((*vm)["db"].as<std::string>(),
                                     (*vm)["listen"].as<std::string>(), token, "serve", exit);
  if (!options) return exit;
  web::ServeOptions o = *options;
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
  announce("serve", o, server.bind(), generated);
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
