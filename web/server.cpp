#include "web/server.hpp"

#include <httplib.h>

#include <atomic>
#include <stdexcept>
#include <string_view>
#include <thread>

#include "web/api.hpp"
#include "web/assets.hpp"
#include "web/security.hpp"

namespace sipscope::web {

namespace {

constexpr std::string_view kCookie = "sipscope_token";
constexpr std::string_view kNoncePlaceholder = "__CSP_NONCE__";
// Responses that set no policy of their own (JSON, assets, errors) get this one.
constexpr const char* kDefaultCsp = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'";

std::string_view content_type(std::string_view name) {
  if (name.ends_with(".js")) return "text/javascript; charset=utf-8";
  if (name.ends_with(".css")) return "text/css; charset=utf-8";
  return "text/html; charset=utf-8";
}

const EmbeddedAsset* find_asset(std::string_view name) {
  for (const auto& a : embedded_assets()) {
    if (a.name == name) return &a;
  }
  return nullptr;
}

// The token a request presents: Authorization: Bearer, ?token=, or the cookie a page
// load with ?token= set.
std::string presented_token(const httplib::Request& req) {
  const std::string auth = req.get_header_value("Authorization");
  constexpr std::string_view kBearer = "Bearer ";
  if (auth.size() > kBearer.size() && std::string_view(auth).substr(0, kBearer.size()) == kBearer) {
    return auth.substr(kBearer.size());
  }
  if (req.has_param("token")) return req.get_param_value("token");
  const std::string cookies = req.get_header_value("Cookie");
  for (size_t pos = 0; pos < cookies.size();) {
    size_t end = cookies.find(';', pos);
    if (end == std::string::npos) end = cookies.size();
    std::string_view item = std::string_view(cookies).substr(pos, end - pos);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    if (item.size() > kCookie.size() && item.substr(0, kCookie.size()) == kCookie &&
        item[kCookie.size()] == '=') {
      return std::string(item.substr(kCookie.size() + 1));
    }
    pos = end + 1;
  }
  return {};
}

// The single-page UI: index.html with a fresh nonce for its script and style.
void send_page(const httplib::Request& req, httplib::Response& res, const std::string& token) {
  const EmbeddedAsset* index = find_asset("index.html");
  const std::string nonce = random_hex(16);
  std::string html(index->bytes);
  for (size_t at = html.find(kNoncePlaceholder); at != std::string::npos;
       at = html.find(kNoncePlaceholder, at)) {
    html.replace(at, kNoncePlaceholder.size(), nonce);
  }
  res.set_header("Content-Security-Policy",
                 "default-src 'none'; script-src 'nonce-" + nonce + "'; style-src 'nonce-" + nonce +
                     "'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; "
                     "form-action 'self'; frame-ancestors 'none'");
  if (!token.empty() && req.has_param("token")) {
    // The page's own API requests then carry the token without putting it in every URL.
    res.set_header("Set-Cookie",
                   std::string(kCookie) + "=" + token + "; Path=/; HttpOnly; SameSite=Strict");
  }
  res.set_content(html, "text/html; charset=utf-8");
}

}  // namespace

struct Server::Impl {
  ServeOptions options;
  httplib::Server http;
  // httplib's stop() only acts on a running server: stop() waits until run() is either
  // listening or has returned, so a stop() racing the start of run() is never lost.
  std::atomic<bool> run_active{false};
  std::atomic<bool> stop_requested{false};
};

Server::Server(ServeOptions options) : impl_(std::make_unique<Impl>()) {
  impl_->options = std::move(options);
  auto& http = impl_->http;
  const std::string token = impl_->options.token;

  http.set_pre_routing_handler([token](const httplib::Request& req, httplib::Response& res) {
    if (token.empty() || token_equals(presented_token(req), token)) {
      return httplib::Server::HandlerResponse::Unhandled;
    }
    res.status = 401;
    res.set_header("WWW-Authenticate", "Bearer");
    res.set_content("{\"error\":\"a valid token is required (Authorization: Bearer, ?token=)\"}",
                    "application/json; charset=utf-8");
    return httplib::Server::HandlerResponse::Handled;
  });
  http.set_post_routing_handler([](const httplib::Request&, httplib::Response& res) {
    if (!res.has_header("Content-Security-Policy")) {
      res.set_header("Content-Security-Policy", kDefaultCsp);
    }
    res.set_header("X-Content-Type-Options", "nosniff");
    res.set_header("X-Frame-Options", "DENY");
    res.set_header("Referrer-Policy", "no-referrer");
    if (!res.has_header("Cache-Control")) res.set_header("Cache-Control", "no-cache");
  });
  // Read-only: every method but GET/HEAD is refused, whatever the path.
  const auto refuse = [](const httplib::Request&, httplib::Response& res) {
    res.status = 405;
    res.set_header("Allow", "GET, HEAD");
    res.set_content("{\"error\":\"read-only: GET only\"}", "application/json; charset=utf-8");
  };
  http.Post(".*", refuse);
  http.Put(".*", refuse);
  http.Delete(".*", refuse);
  http.Patch(".*", refuse);
  http.Options(".*", refuse);

  register_api(http, impl_->options.db_path);
  const auto page = [token](const httplib::Request& req, httplib::Response& res) {
    send_page(req, res, token);
  };
  for (const char* path : {"/", "/calls/\\d+", "/streams", "/stats", "/registrations"}) {
    http.Get(path, page);
  }
  // Only the embedded names exist: no path from the request reaches the file system.
  http.Get("/assets/([A-Za-z0-9_.-]+)", [](const httplib::Request& req, httplib::Response& res) {
    const std::string name = req.matches[1];
    const EmbeddedAsset* a = name == "index.html" ? nullptr : find_asset(name);
    if (a == nullptr) {
      res.status = 404;
      return;
    }
    res.set_content(std::string(a->bytes), std::string(content_type(name)));
  });
  http.set_error_handler([](const httplib::Request&, httplib::Response& res) {
    if (res.body.empty()) {
      res.set_content("{\"error\":\"" + std::to_string(res.status) + "\"}",
                      "application/json; charset=utf-8");
    }
  });
}

Server::~Server() = default;

int Server::bind() {
  const auto& o = impl_->options;
  std::string host = o.host;
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  const int port = o.port == 0 ? impl_->http.bind_to_any_port(host)
                               : (impl_->http.bind_to_port(host, o.port) ? o.port : -1);
  if (port <= 0) {
    throw std::runtime_error("cannot listen on " + o.host + ":" + std::to_string(o.port));
  }
  return port;
}

void Server::run() {
  impl_->run_active = true;
  if (!impl_->stop_requested) impl_->http.listen_after_bind();
  impl_->run_active = false;
}

void Server::stop() {
  impl_->stop_requested = true;
  while (impl_->run_active && !impl_->http.is_running()) std::this_thread::yield();
  impl_->http.stop();
}

}  // namespace sipscope::web
