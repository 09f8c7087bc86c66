#include "report/store.hpp"

#include <sqlite3.h>

#include <filesystem>
#include <optional>
#include <system_error>

#include "report/schema.hpp"
#include "report/sql.hpp"

namespace sipscope::report {

namespace {

// Rows per transaction: large enough that a multi-GB capture is not fsync-bound, small
// enough that an interrupted run keeps nearly everything (commit() is also called at exit).
constexpr int kBatchRows = 10'000;

constexpr const char* kInsertCapture = "INSERT INTO captures (path, status) VALUES (?1, ?2)";
constexpr const char* kFinishCapture =
    "UPDATE captures SET link_type = ?1, first_us = ?2, last_us = ?3, packets = ?4, "
    "status = ?5 WHERE id = ?6";
constexpr const char* kInsertCall =
    "INSERT INTO calls (id, sip_call_id, group_id, from_user, to_user, from_uri, to_uri, "
    "caller_ip, callee_ip, transport, start_us, ring_us, answer_us, end_us, state, final_code, "
    "final_reason, hangup_by, pdd_ms, duration_ms, message_count) VALUES (?1, ?2, ?3, ?4, ?5, "
    "?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21)";
constexpr const char* kInsertMessage =
    "INSERT INTO messages (call_id, capture_id, frame, ts_us, src_ip, src_port, dst_ip, "
    "dst_port, transport, method, status_code, reason, cseq, cseq_method, sip_call_id, "
    "retransmission, raw) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, "
    "?15, ?16, ?17)";
constexpr const char* kInsertAnomaly =
    "INSERT INTO anomalies (capture_id, call_id, ts_us, kind, detail, frame, flow) VALUES (?1, "
    "?2, ?3, ?4, ?5, ?6, ?7)";

std::optional<int64_t> nonzero(int64_t v) {
  if (v == 0) return std::nullopt;
  return v;
}

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

struct Store::Impl {
  std::string path;
  sqlite3* db = nullptr;
  std::optional<sql::Statement> insert_capture, finish_capture, insert_call, insert_message,
      insert_anomaly;
  bool in_transaction = false;
  int pending_rows = 0;

  ~Impl() {
    // Statements must be finalized before the connection closes.
    insert_capture.reset();
    finish_capture.reset();
    insert_call.reset();
    insert_message.reset();
    insert_anomaly.reset();
    if (db != nullptr) sqlite3_close_v2(db);
  }

  void check_open() const {
    if (db == nullptr) throw StoreError(path + ": database is closed");
  }

  void begin_if_needed() {
    if (!in_transaction) {
      sql::exec(db, path, "BEGIN");
      in_transaction = true;
    }
  }

  void row_written() {
    if (++pending_rows >= kBatchRows) commit();
  }

  void commit() {
    if (in_transaction) {
      sql::exec(db, path, "COMMIT");
      in_transaction = false;
    }
    pending_rows = 0;
  }

  void prepare() {
    insert_capture.emplace(db, path, kInsertCapture);
    finish_capture.emplace(db, path, kFinishCapture);
    insert_call.emplace(db, path, kInsertCall);
    insert_message.emplace(db, path, kInsertMessage);
    insert_anomaly.emplace(db, path, kInsertAnomaly);
  }

  void create_schema() {
    sql::exec(db, path, "BEGIN");
    sql::exec(db, path, schema::kCreateSql);
    const std::string pragmas =
        "PRAGMA application_id = " + std::to_string(schema::kApplicationId) +
        "; PRAGMA user_version = " + std::to_string(kSchemaVersion) + ";";
    sql::exec(db, path, pragmas.c_str());
    sql::exec(db, path, "COMMIT");
  }

  // append mode on an existing file: it must be ours and of this schema version.
  void check_schema() {
    int64_t app_id = 0;
    int64_t version = 0;
    int64_t tables = 0;
    try {
      app_id = sql::query_int(db, path, "PRAGMA application_id");
      version = sql::query_int(db, path, "PRAGMA user_version");
      tables = sql::query_int(db, path, "SELECT count(*) FROM sqlite_schema");
    } catch (const StoreError&) {
      throw StoreError(path + ": not a sipscope database (" + sqlite3_errmsg(db) + ")");
    }
    if (app_id == 0 && version == 0 && tables == 0) {
      create_schema();  // an empty SQLite file: nothing to preserve
      return;
    }
    if (app_id != schema::kApplicationId || version != kSchemaVersion) {
      throw StoreError(path + ": not a sipscope database (schema version " +
                       std::to_string(version) + ", expected " + std::to_string(kSchemaVersion) +
                       ")");
    }
  }

  void configure() {
    // One file for the user: no WAL side files. synchronous=OFF because a crash mid-analysis
    // means re-running it anyway; the rollback journal still keeps the file consistent.
    sql::exec(db, path,
              "PRAGMA journal_mode = DELETE; PRAGMA synchronous = OFF; "
              "PRAGMA cache_size = -32768; PRAGMA busy_timeout = 5000;");
  }
};

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
    s.db = open_file(path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
    s.configure();
    s.create_schema();
  } else {
    s.db = open_file(path, SQLITE_OPEN_READWRITE);
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

void Store::finish_capture(const CaptureSummary& summary) {
  Impl& s = *impl_;
  s.check_open();
  s.begin_if_needed();
  auto& st = *s.finish_capture;
  st.bind(1, summary.link_type);
  st.bind(2, nonzero(summary.first_us));
  st.bind(3, nonzero(summary.last_us));
  st.bind(4, static_cast<int64_t>(summary.packets));
  st.bind(5, summary.status);
  st.bind(6, static_cast<int64_t>(summary.capture_id));
  st.run();
  s.commit();
}

int64_t Store::next_call_id() const {
  const Impl& s = *impl_;
  s.check_open();
  return sql::query_int(s.db, s.path, "SELECT coalesce(max(id), 0) + 1 FROM calls");
}

void Store::on_call(correlate::CallRecord call, std::vector<correlate::MessageRecord> messages) {
  Impl& s = *impl_;
  s.check_open();
  s.begin_if_needed();
  auto& st = *s.insert_call;
  st.bind(1, call.id);
  st.bind(2, call.sip_call_id);
  st.bind(3, call.group_id);
  st.bind(4, call.from_user);
  st.bind(5, call.to_user);
  st.bind(6, call.from_uri);
  st.bind(7, call.to_uri);
  st.bind(8, call.caller_ip);
  st.bind(9, call.callee_ip);
  st.bind(10, call.transport);
  st.bind(11, call.start_us);
  st.bind(12, call.ring_us);
  st.bind(13, call.answer_us);
  st.bind(14, call.end_us);
  st.bind(15, call.state);
  st.bind(16, call.final_code);
  st.bind(17, call.final_reason);
  st.bind(18, call.hangup_by);
  st.bind(19, call.pdd_ms);
  st.bind(20, call.duration_ms);
  st.bind(21, call.message_count);
  st.run();
  s.row_written();
  for (auto& m : messages) on_message(std::move(m));
}

void Store::on_message(correlate::MessageRecord m) {
  Impl& s = *impl_;
  s.check_open();
  s.begin_if_needed();
  auto& st = *s.insert_message;
  st.bind(1, m.call_id);
  st.bind(2, static_cast<int64_t>(m.capture_id));
  st.bind(3, static_cast<int64_t>(m.frame));
  st.bind(4, m.ts_us);
  st.bind(5, m.src_ip);
  st.bind(6, m.src_port);
  st.bind(7, m.dst_ip);
  st.bind(8, m.dst_port);
  st.bind(9, m.transport);
  st.bind(10, m.method);
  st.bind(11, m.status_code);
  st.bind(12, m.reason);
  st.bind(13, m.cseq);
  st.bind(14, m.cseq_method);
  st.bind(15, m.sip_call_id);
  st.bind(16, m.retransmission ? 1 : 0);
  st.bind(17, m.raw);
  st.run();
  s.row_written();
}

void Store::on_anomaly(correlate::AnomalyRecord a) {
  Impl& s = *impl_;
  s.check_open();
  s.begin_if_needed();
  auto& st = *s.insert_anomaly;
  st.bind(1, static_cast<int64_t>(a.capture_id));
  st.bind(2, a.call_id);
  st.bind(3, a.ts_us);
  st.bind(4, a.kind);
  st.bind(5, a.detail);
  // Frames are 1-based; 0 means the anomaly is not tied to one frame (e.g. end of input).
  st.bind(6, nonzero(static_cast<int64_t>(a.frame)));
  st.bind(7, a.flow);
  st.run();
  s.row_written();
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
  s.insert_capture.reset();
  s.finish_capture.reset();
  s.insert_call.reset();
  s.insert_message.reset();
  s.insert_anomaly.reset();
  if (sqlite3_close_v2(s.db) != SQLITE_OK) {
    std::string msg = s.path + ": cannot close database: " + sqlite3_errmsg(s.db);
    s.db = nullptr;
    throw StoreError(msg);
  }
  s.db = nullptr;
}

}  // namespace sipscope::report
