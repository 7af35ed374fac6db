#pragma once
// A thin RAII layer over SQLite's C API (internal to lib/records): a connection, prepared
// statements with typed binds and columns, and write transactions. Every failure throws
// Error(Io) naming the database file and SQLite's message.

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

struct sqlite3;
struct sqlite3_stmt;

namespace rtprov::records::detail {

class Connection {
  public:
    // Opens `file` (creating it when `create`), WAL journal, synchronous FULL, foreign keys, a
    // busy timeout for other processes. Throws Error(Io) (Error(BadInput) when it is not a
    // database).
    Connection(const std::filesystem::path& file, bool create);
    ~Connection();
    Connection(const Connection&) = delete;
    Connection& operator=(const Connection&) = delete;

    // Runs SQL without results (several statements allowed).
    void exec(std::string_view sql);
    sqlite3* handle() const { return db_; }
    const std::string& name() const { return name_; }
    std::int64_t last_insert_id() const;
    [[noreturn]] void fail(std::string_view what) const;

  private:
    void set_up_wal();

    sqlite3* db_ = nullptr;
    std::string name_;
};

class Statement {
  public:
    Statement(Connection& db, std::string_view sql);
    ~Statement();
    Statement(const Statement&) = delete;
    Statement& operator=(const Statement&) = delete;

    // Binds parameter `i` (1-based); nullopt binds NULL.
    Statement& bind(int i, std::int64_t value);
    Statement& bind(int i, double value);
    Statement& bind(int i, std::string_view value);
    Statement& bind(int i, const std::string& value) { return bind(i, std::string_view(value)); }
    Statement& bind(int i, const char* value) { return bind(i, std::string_view(value)); }
    Statement& bind(int i, const std::optional<std::string>& value);
    // Advances: true while a row is there.
    bool step();
    // Runs a statement without results.
    void run();
    void reset();

    std::int64_t integer(int column) const;
    double real(int column) const;
    std::string text(int column) const;  // "" for NULL
    bool is_null(int column) const;

  private:
    Connection& db_;
    sqlite3_stmt* stmt_ = nullptr;
};

// BEGIN IMMEDIATE (takes the write lock at once: no deadlock between two writers) ... COMMIT;
// rolled back when destroyed uncommitted.
class Transaction {
  public:
    explicit Transaction(Connection& db);
    ~Transaction();
    Transaction(const Transaction&) = delete;
    Transaction& operator=(const Transaction&) = delete;
    void commit();

  private:
    Connection& db_;
    bool done_ = false;
};

}  // namespace rtprov::records::detail
