// `sipscope serve`: an HTTP server (Debian's cpp-httplib) over one sipscope database,
// read-only: the JSON API (web/api.hpp, docs/web.md) and the browser UI compiled into the
// binary (web/assets.hpp). Security: GET/HEAD only (other methods 405), the token checked
// on every request when set, CSP with a per-response nonce, nosniff, no file system paths.
//
//   web::Server server({.db_path = "x.db", .host = "127.0.0.1", .port = 8080});
//   int port = server.bind();   // throws when the address cannot be bound
//   server.run();               // until stop()
#pragma once

#include <memory>
#include <string>

namespace sipscope::web {

struct ServeOptions {
  std::string db_path;
  std::string host = "127.0.0.1";
  int port = 8080;    // 0 = any free port (bind() says which)
  std::string token;  // "" = no token required
};

class Server {
 public:
  explicit Server(ServeOptions options);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds the listening socket; returns the port. Throws std::runtime_error.
  int bind();
  // Serves until stop() is called (from another thread).
  void run();
  void stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace sipscope::web
