// Internal to web/: the read-only JSON API routes (documented in docs/web.md). Each
// request opens the database read-only (a live capture may be writing it: WAL readers
// and a busy timeout), so handlers share nothing and run on any server thread.
#pragma once

#include <httplib.h>

#include <string>

namespace sipscope::web {

void register_api(httplib::Server& server, const std::string& db_path);

}  // namespace sipscope::web
