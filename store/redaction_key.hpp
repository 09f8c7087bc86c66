// The per-database redaction key (table redaction_key, docs/schema.md): 32 random bytes as
// 64 hex digits, drawn when the database is created, or on the first --redact of an older one.
#pragma once

#include <optional>
#include <string>

struct sqlite3;

namespace sipscope::store {

class Database;

// The stored key (hex), or nullopt when the database has none yet (an older file).
[[nodiscard]] std::optional<std::string> read_redaction_key(const Database& db);
// The stored key (hex), created first when missing: opens `path` for writing. Throws
// StoreError (one line) when it cannot be stored, e.g. a read-only file or folder.
[[nodiscard]] std::string ensure_redaction_key(const std::string& path);

namespace detail {
// Creates the table and a fresh key when it holds none, on an open writable connection.
void create_redaction_key(sqlite3* db, const std::string& path);
}  // namespace detail

}  // namespace sipscope::store
