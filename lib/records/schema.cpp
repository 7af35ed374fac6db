#include "schema.hpp"

#include <cstdint>

#include <fmt/format.h>

#include "rtprov/util/error.hpp"

namespace rtprov::records::detail {

namespace {

// PRAGMA user_version: the tables below. 2 (rtprov 0.3): attempts.trust and
// reservations.canonical (issue 24).
constexpr int kSchemaVersion = 2;

constexpr const char* kSchema = R"(
CREATE TABLE IF NOT EXISTS attempts (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  started_at TEXT NOT NULL,
  finished_at TEXT,
  station TEXT NOT NULL,
  host TEXT NOT NULL,
  pid INTEGER NOT NULL,
  package_sha256 TEXT NOT NULL,
  package_file TEXT NOT NULL,
  package_schema TEXT NOT NULL,
  package_writer TEXT NOT NULL,
  device TEXT NOT NULL,
  port TEXT NOT NULL,
  uid TEXT,
  outcome TEXT NOT NULL,
  error_code TEXT,
  error_step TEXT,
  error TEXT,
  seconds REAL NOT NULL DEFAULT 0,
  resumed INTEGER NOT NULL DEFAULT 0,
  retries INTEGER NOT NULL DEFAULT 0,
  bytes_written INTEGER NOT NULL DEFAULT 0,
  bytes_unchanged INTEGER NOT NULL DEFAULT 0,
  hab TEXT,
  steps TEXT NOT NULL DEFAULT '[]',
  fuses TEXT NOT NULL DEFAULT '[]',
  data TEXT NOT NULL DEFAULT '[]',
  last_step TEXT NOT NULL DEFAULT '',
  trust TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS attempts_uid ON attempts(uid, package_sha256);
CREATE INDEX IF NOT EXISTS attempts_outcome ON attempts(outcome, package_sha256);
CREATE TABLE IF NOT EXISTS reservations (
  name TEXT NOT NULL,
  source TEXT NOT NULL,
  value TEXT NOT NULL,
  uid TEXT NOT NULL,
  attempt_id INTEGER NOT NULL REFERENCES attempts(id),
  reserved_at TEXT NOT NULL,
  canonical TEXT,
  PRIMARY KEY (name, uid),
  UNIQUE (name, value)
);
CREATE UNIQUE INDEX IF NOT EXISTS reservations_canonical ON reservations(name, canonical);
CREATE TABLE IF NOT EXISTS csv_rows (
  key_column TEXT NOT NULL,
  key TEXT NOT NULL,
  uid TEXT NOT NULL,
  attempt_id INTEGER NOT NULL REFERENCES attempts(id),
  reserved_at TEXT NOT NULL,
  PRIMARY KEY (key_column, key),
  UNIQUE (key_column, uid)
);
CREATE TABLE IF NOT EXISTS counters (
  name TEXT PRIMARY KEY,
  next INTEGER NOT NULL
);
)";

// Version 1 -> 2: how the package's signature stood for each attempt ("" for older attempts);
// per-board values are reserved by the bytes they encode to (the canonical form, lower-case
// hex), unique per value name. Rows of version 1 get theirs when a package with that value is
// next written (Database::reserve).
constexpr const char* kToVersion2 = R"(
ALTER TABLE attempts ADD COLUMN trust TEXT NOT NULL DEFAULT '';
ALTER TABLE reservations ADD COLUMN canonical TEXT;
CREATE UNIQUE INDEX IF NOT EXISTS reservations_canonical ON reservations(name, canonical);
)";

// The statement is finished when this returns: no read transaction stays open on the
// connection (one would make BEGIN IMMEDIATE fail at once, without waiting, once another
// process has written).
std::int64_t user_version(Connection& db) {
    Statement s(db, "PRAGMA user_version");
    s.step();
    return s.integer(0);
}

void refuse_newer(const Connection& db, std::int64_t version) {
    if (version > kSchemaVersion) {
        throw Error(ErrorCode::BadInput,
                    fmt::format("{}: records of schema {}, newer than this rtprov knows ({})",
                                db.name(), version, kSchemaVersion));
    }
}

}  // namespace

void bring_up_to_date(Connection& db) {
    std::int64_t version = user_version(db);
    refuse_newer(db, version);
    if (version == kSchemaVersion)
        return;
    Transaction t(db);
    version = user_version(db);  // another process may have done it while this one waited
    refuse_newer(db, version);
    if (version == 0)
        db.exec(kSchema);
    else if (version == 1)
        db.exec(kToVersion2);
    if (version < kSchemaVersion)
        db.exec(fmt::format("PRAGMA user_version={}", kSchemaVersion));
    t.commit();
}

}  // namespace rtprov::records::detail
