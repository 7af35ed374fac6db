#include "sqlite.hpp"

#include <sqlite3.h>

#include <chrono>
#include <thread>

#include <fmt/format.h>

#include "rtprov/util/error.hpp"

namespace rtprov::records::detail {

namespace {

// Another rtprov process may hold the write lock for a commit (milliseconds); a station with
// many processes on one database waits this long before giving up.
constexpr int kBusyTimeoutMs = 15000;

}  // namespace

Connection::Connection(const std::filesystem::path& file, bool create) : name_(file.string()) {
    const int flags =
        SQLITE_OPEN_READWRITE | SQLITE_OPEN_FULLMUTEX | (create ? SQLITE_OPEN_CREATE : 0);
    if (sqlite3_open_v2(name_.c_str(), &db_, flags, nullptr) != SQLITE_OK) {
        const std::string why = db_ != nullptr ? sqlite3_errmsg(db_) : "out of memory";
        sqlite3_close(db_);
        db_ = nullptr;
        throw Error(ErrorCode::Io,
                    fmt::format("{}: cannot open the records database: {}", name_, why));
    }
    // Before any statement: every one of them waits for the other processes' locks.
    sqlite3_busy_timeout(db_, kBusyTimeoutMs);
    sqlite3_extended_result_codes(db_, 1);
    try {
        // WAL: readers never block the writer; FULL: a commit is on disk before it returns, so
        // a finished record survives a killed process and a power cut.
        set_up_wal();
        exec("PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;");
    } catch (...) {
        sqlite3_close(db_);
        db_ = nullptr;
        throw;
    }
}

void Connection::set_up_wal() {
    // Switching a new database to WAL needs it alone for a moment, and SQLite answers BUSY
    // at once (no busy handler) when another process is switching it or reading it as a
    // rollback-journal file: on a new station database opened by many processes, retried
    // until the busy timeout.
    const auto deadline =
        std::chrono::steady_clock::now() + std::chrono::milliseconds(kBusyTimeoutMs);
    for (;;) {
        char* message = nullptr;
        const int rc = sqlite3_exec(db_, "PRAGMA journal_mode=WAL", nullptr, nullptr, &message);
        sqlite3_free(message);
        if (rc == SQLITE_OK)
            return;
        if ((rc & 0xFF) != SQLITE_BUSY && (rc & 0xFF) != SQLITE_LOCKED)
            fail("PRAGMA journal_mode=WAL");
        if (std::chrono::steady_clock::now() > deadline)
            fail("PRAGMA journal_mode=WAL");
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
}

Connection::~Connection() {
    sqlite3_close(db_);
}

void Connection::fail(std::string_view what) const {
    const int code = sqlite3_errcode(db_);
    const ErrorCode kind = (code & 0xFF) == SQLITE_NOTADB || (code & 0xFF) == SQLITE_CORRUPT
                               ? ErrorCode::BadInput
                               : ErrorCode::Io;
    throw Error(kind, fmt::format("{}: {}: {}", name_, what, sqlite3_errmsg(db_)));
}

void Connection::exec(std::string_view sql) {
    char* message = nullptr;
    const std::string text(sql);
    if (sqlite3_exec(db_, text.c_str(), nullptr, nullptr, &message) != SQLITE_OK) {
        sqlite3_free(message);
        fail(sql.substr(0, sql.find_first_of(" (")));
    }
}

std::int64_t Connection::last_insert_id() const {
    return sqlite3_last_insert_rowid(db_);
}

Statement::Statement(Connection& db, std::string_view sql) : db_(db) {
    if (sqlite3_prepare_v2(db.handle(), sql.data(), static_cast<int>(sql.size()), &stmt_,
                           nullptr) != SQLITE_OK)
        db_.fail(fmt::format("preparing '{}'", sql.substr(0, 40)));
}

Statement::~Statement() {
    sqlite3_finalize(stmt_);
}

Statement& Statement::bind(int i, std::int64_t value) {
    if (sqlite3_bind_int64(stmt_, i, value) != SQLITE_OK)
        db_.fail("bind");
    return *this;
}

Statement& Statement::bind(int i, double value) {
    if (sqlite3_bind_double(stmt_, i, value) != SQLITE_OK)
        db_.fail("bind");
    return *this;
}

Statement& Statement::bind(int i, std::string_view value) {
    if (sqlite3_bind_text(stmt_, i, value.data(), static_cast<int>(value.size()),
                          SQLITE_TRANSIENT) != SQLITE_OK)
        db_.fail("bind");
    return *this;
}

Statement& Statement::bind(int i, const std::optional<std::string>& value) {
    if (!value) {
        if (sqlite3_bind_null(stmt_, i) != SQLITE_OK)
            db_.fail("bind");
        return *this;
    }
    return bind(i, std::string_view(*value));
}

bool Statement::step() {
    const int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW)
        return true;
    if (rc == SQLITE_DONE)
        return false;
    db_.fail("step");
}

void Statement::run() {
    while (step()) {
    }
    reset();
}

void Statement::reset() {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
}

std::int64_t Statement::integer(int column) const {
    return sqlite3_column_int64(stmt_, column);
}

double Statement::real(int column) const {
    return sqlite3_column_double(stmt_, column);
}

std::string Statement::text(int column) const {
    const unsigned char* t = sqlite3_column_text(stmt_, column);
    if (t == nullptr)
        return "";
    return std::string(reinterpret_cast<const char*>(t),
                       static_cast<std::size_t>(sqlite3_column_bytes(stmt_, column)));
}

bool Statement::is_null(int column) const {
    return sqlite3_column_type(stmt_, column) == SQLITE_NULL;
}

Transaction::Transaction(Connection& db) : db_(db) {
    db_.exec("BEGIN IMMEDIATE");
}

Transaction::~Transaction() {
    if (!done_) {
        char* message = nullptr;
        sqlite3_exec(db_.handle(), "ROLLBACK", nullptr, nullptr, &message);
        sqlite3_free(message);
    }
}

void Transaction::commit() {
    db_.exec("COMMIT");
    done_ = true;
}

}  // namespace rtprov::records::detail
