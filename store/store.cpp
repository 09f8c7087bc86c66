// Store: opening (replace or append, schema checks), the captures table, WAL for live
// capture, commit and close; Store::Impl is in store_impl.hpp.
#include "store/store.hpp"

#include <sqlite3.h>

#include <filesystem>
#include <optional>
#include <system_error>

#include "store/schema.hpp"
#include "store/sql.hpp"
#include "store/store_impl.hpp"

namespace sipscope::store {

namespace {

void remove_if_present(const std::string& path) {
  std::error_code ec;
  std::filesystem::remove(path, ec);
  if (ec && ec != std::errc::no_such_file_or_directory) {
    throw StoreError(path + ": cannot replace existing file: " + ec.message());
  }
}

sqlite3* open_file(const std::string& path, int flags) {
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(path.c_str(), &db, flags, nullptr) != SQLITE_OK) {
    std::string msg =
        path + ": cannot open database: " + (db != nullptr ? sqlite3_errmsg(db) : "out of memory");
    sqlite3_close(db);
    throw StoreError(msg);
  }
  sqlite3_extended_result_codes(db, 1);
  return db;
}

}  // namespace

std::unique_ptr<Store> Store::open(const std::string& path, Mode mode) {
  std::unique_ptr<Store> store(new Store());
  store->impl_ = std::make_unique<Impl>();
  Impl& s = *store->impl_;
  s.path = path;
  std::error_code ec;
  const bool exists = std::filesystem::exists(path, ec);
  if (mode == Mode::replace || !exists) {
    remove_if_present(path);
    remove_if_present(path + "-journal");
    remove_if_present(path + "-wal");
    remove_if_present(path + "-shm");
    // NOMUTEX: one thread at a time uses a Store (RecordWriter hands it over under its own
    // mutex), so SQLite's per-call connection mutex is only cost.
    s.db = open_file(path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX);
    s.configure();
    s.create_schema();
  } else {
    s.db = open_file(path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX);
    s.check_schema();
    s.configure();
  }
  s.prepare();
  return store;
}

Store::~Store() {
  try {
    close();
  } catch (const StoreError&) {
    // A destructor cannot report; callers who care call close() themselves.
  }
}

uint32_t Store::add_capture(const std::string& path) {
  Impl& s = *impl_;
  s.check_open();
  s.begin_if_needed();
  s.insert_capture->bind(1, path);
  // Until finish_capture() says otherwise, a capture whose analysis never finished is
  // exactly that: interrupted.
  s.insert_capture->bind(2, std::string_view("interrupted"));
  s.insert_capture->run();
  s.row_written();
  return static_cast<uint32_t>(sqlite3_last_insert_rowid(s.db));
}

void Store::add_hep_skew(const correlate::HepSkewRecord& row) {
  Impl& s = *impl_;
  s.check_open();
  s.begin_if_needed();
  sql::Statement st(s.db, s.path,
                    "INSERT INTO hep_skew (first_agent, other_agent, messages, mean_us, min_us, "
                    "max_us) VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
  st.bind_all(row.first_agent, row.other_agent, row.messages, row.mean_us, row.min_us, row.max_us);
  st.run();
}

void Store::finish_capture(const CaptureSummary& summary) {
  Impl& s = *impl_;
  s.check_open();
  s.begin_if_needed();
  auto& st = *s.finish_capture;
  std::optional<std::string> sha256;
  if (!summary.sha256.empty()) sha256 = summary.sha256;
  // Size unknown (a file sipscope wrote itself, e.g. a --pcap-out rotation): NULL, not 0,
  // so evidence checks do not take it for an empty file.
  std::optional<int64_t> size;
  if (summary.size != 0 || sha256) size = static_cast<int64_t>(summary.size);
  st.bind_all(summary.link_type, nonzero(summary.first_us), nonzero(summary.last_us),
              static_cast<int64_t>(summary.packets), summary.status,
              static_cast<int64_t>(summary.capture_id), size, summary.mtime_us, sha256,
              summary.kernel_drops, summary.interface_drops);
  st.run();
  s.commit();
}

int64_t Store::next_call_id() const {
  const Impl& s = *impl_;
  s.check_open();
  return sql::query_int(s.db, s.path, "SELECT coalesce(max(id), 0) + 1 FROM calls");
}

void Store::use_wal() {
  Impl& s = *impl_;
  s.check_open();
  s.commit();
  // Readers (sqlite3, `sipscope calls`, the web UI) see the last commit while the writer
  // goes on; synchronous=NORMAL keeps the file consistent across a power loss in WAL mode.
  // The writer only appends: a small page cache keeps a capture that runs for days flat
  // in memory (the 32 MB of analyze would fill over the first half hour).
  sql::exec(s.db, s.path,
            "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA cache_size = -4096;");
  s.live = true;
}

void Store::use_bulk_load() {
  Impl& s = *impl_;
  s.check_open();
  s.commit();
  sql::exec(s.db, s.path, "PRAGMA journal_mode = OFF;");
  s.batch_rows = kBulkBatchRows;
}

void Store::commit() {
  Impl& s = *impl_;
  s.check_open();
  s.commit();
}

void Store::close() {
  if (!impl_ || impl_->db == nullptr) return;
  Impl& s = *impl_;
  s.commit();
  live_rows_.reset();  // its statements first
  s.insert_capture.reset();
  s.finish_capture.reset();
  s.insert_call.reset();
  s.upsert_call.reset();
  s.add_pending_index.reset();
  s.unindex_call.reset();
  s.insert_message.reset();
  s.insert_anomaly.reset();
  s.reset_correlation_statements();
  if (sqlite3_close_v2(s.db) != SQLITE_OK) {
    std::string msg = s.path + ": cannot close database: " + sqlite3_errmsg(s.db);
    s.db = nullptr;
    throw StoreError(msg);
  }
  s.db = nullptr;
}

}  // namespace sipscope::store
