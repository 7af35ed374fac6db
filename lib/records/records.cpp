// The records database: schema, attempts, and the station's decisions (admission, reservations)
// each in one write transaction, so parallel boards and other rtprov processes never see half
// of one.

#include "rtprov/records/records.hpp"

#include <unistd.h>

#include <cmath>
#include <cstdlib>
#include <ctime>
#include <set>

#include <fmt/format.h>

#include "rtprov/util/error.hpp"
#include "rtprov/util/process.hpp"
#include "rtprov/write/events_json.hpp"
#include "schema.hpp"
#include "sqlite.hpp"

namespace rtprov::records {

namespace {

using detail::Statement;
using detail::Transaction;
using Json = nlohmann::json;

std::string utc_now() {
    const std::time_t now = std::time(nullptr);
    std::tm tm{};
    ::gmtime_r(&now, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

std::optional<std::string> non_empty(const std::string& s) {
    return s.empty() ? std::nullopt : std::optional<std::string>(s);
}

Json steps_json(const write::BoardResult& r) {
    Json steps = Json::array();
    for (const auto& s : r.steps) {
        steps.push_back({{"step", s.index},
                         {"op", s.op},
                         {"status", s.status},
                         {"seconds", std::round(s.seconds * 1000) / 1000},
                         {"detail", s.detail}});
    }
    return steps;
}

Json fuses_json(const write::BoardResult& r) {
    Json fuses = Json::array();
    for (const auto& f : r.fuses)
        fuses.push_back(write::fuse_row_json(f));
    return fuses;
}

Json data_json(const write::BoardResult& r) {
    Json data = Json::array();
    for (const auto& d : r.data) {
        data.push_back({{"name", d.name},
                        {"source", d.source},
                        {"value", d.value},
                        {"target", d.target},
                        {"status", d.status}});
    }
    return data;
}

// What a value is reserved as: the bytes it encodes to (write::canonical_board_value); a value
// that does not encode (the board fails when it is written) by its text, marked apart.
std::string canonical_of(const pkg::BoardData& d, const std::string& value) {
    return write::canonical_board_value(d, value).value_or("text:" + value);
}

bool running_elsewhere(const std::string& host, long pid) {
    // Another host's process cannot be checked: a station database is not shared between
    // hosts (SQLite's WAL needs one machine), so it is taken to be running.
    return host != host_name() || process_alive(pid);
}

}  // namespace

std::filesystem::path default_station_dir() {
    if (const char* d = std::getenv("RTPROV_STATION_DIR"); d != nullptr && *d != '\0')
        return d;
    if (const char* x = std::getenv("XDG_DATA_HOME"); x != nullptr && *x != '\0')
        return std::filesystem::path(x) / "rtprov" / "station";
    const char* home = std::getenv("HOME");
    return std::filesystem::path(home != nullptr && *home != '\0' ? home : ".") / ".local" /
           "share" / "rtprov" / "station";
}

std::filesystem::path database_path(const std::filesystem::path& station_dir) {
    return station_dir / "records.sqlite";
}

std::filesystem::path station_private_key_path(const std::filesystem::path& station_dir) {
    return station_dir / "station.key";
}

std::filesystem::path station_public_key_path(const std::filesystem::path& station_dir) {
    return station_dir / "station.pub";
}

std::filesystem::path default_station_private_key() {
    return station_private_key_path(default_station_dir());
}

Database::Database(const std::filesystem::path& file, bool create) : file_(file) {
    std::error_code ec;
    if (!create && !std::filesystem::exists(file, ec))
        throw Error(ErrorCode::BadInput, fmt::format("no records database at {}", file.string()));
    if (create && file.has_parent_path()) {
        std::filesystem::create_directories(file.parent_path(), ec);
        if (ec) {
            throw Error(ErrorCode::Io, fmt::format("{}: cannot create the station folder: {}",
                                                   file.parent_path().string(), ec.message()));
        }
    }
    db_ = std::make_unique<detail::Connection>(file, create);
    detail::bring_up_to_date(*db_);
}

Database::~Database() = default;

std::int64_t Database::begin_attempt(const AttemptContext& c, const write::BoardResult& r) {
    std::lock_guard lock(mutex_);
    Statement s(*db_,
                "INSERT INTO attempts (started_at, station, host, pid, package_sha256, "
                "package_file, package_schema, package_writer, device, port, uid, trust, outcome) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'running')");
    s.bind(1, r.started_at.empty() ? utc_now() : r.started_at)
        .bind(2, c.station)
        .bind(3, c.host)
        .bind(4, std::int64_t{c.pid})
        .bind(5, r.package_sha256)
        .bind(6, c.package_file)
        .bind(7, c.package_schema)
        .bind(8, c.package_writer)
        .bind(9, r.device)
        .bind(10, r.board)
        .bind(11, r.uid)
        .bind(12, write::trust_name(r.trust));
    s.run();
    return db_->last_insert_id();
}

void Database::update_attempt(std::int64_t id, const write::BoardResult& r, bool final) {
    std::lock_guard lock(mutex_);
    Statement s(*db_,
                "UPDATE attempts SET uid = coalesce(?, uid), outcome = ?, error_code = ?, "
                "error_step = ?, error = ?, seconds = ?, resumed = ?, retries = ?, "
                "bytes_written = ?, bytes_unchanged = ?, hab = ?, steps = ?, fuses = ?, "
                "data = ?, last_step = ?, finished_at = ?, trust = ? WHERE id = ?");
    const std::string outcome(write::outcome_name(r.outcome));
    std::optional<std::string> hab;
    if (r.hab_closed)
        hab = *r.hab_closed ? "closed" : "open";
    s.bind(1, r.uid)
        .bind(2, outcome)
        .bind(3, r.error_code ? std::optional<std::string>(error_code_name(*r.error_code))
                              : std::nullopt)
        .bind(4, non_empty(r.error_step))
        .bind(5, non_empty(r.error))
        .bind(6, r.seconds)
        .bind(7, std::int64_t{r.resumed ? 1 : 0})
        .bind(8, std::int64_t{r.retries})
        .bind(9, static_cast<std::int64_t>(r.bytes_written))
        .bind(10, static_cast<std::int64_t>(r.bytes_unchanged))
        .bind(11, hab)
        .bind(12, steps_json(r).dump())
        .bind(13, fuses_json(r).dump())
        .bind(14, data_json(r).dump())
        .bind(15, r.steps.empty() ? std::string() : r.steps.back().op)
        .bind(16, final ? std::optional<std::string>(utc_now()) : std::nullopt)
        .bind(17, write::trust_name(r.trust))
        .bind(18, id);
    s.run();
}

std::size_t Database::close_abandoned() {
    std::lock_guard lock(mutex_);
    Transaction t(*db_);
    std::vector<std::int64_t> gone;
    {
        Statement s(*db_, "SELECT id, pid FROM attempts WHERE outcome = 'running' AND host = ?");
        s.bind(1, host_name());
        while (s.step()) {
            if (!process_alive(static_cast<long>(s.integer(1))))
                gone.push_back(s.integer(0));
        }
    }
    Statement u(*db_,
                "UPDATE attempts SET outcome = 'interrupted', error_code = 'device', error = "
                "'the process stopped before the board was done (killed?)', error_step = "
                "last_step WHERE id = ?");
    for (const std::int64_t id : gone) {
        u.bind(1, id);
        u.run();
    }
    t.commit();
    return gone.size();
}

bool Database::was_interrupted(const std::string& uid, const std::string& package_sha256,
                               std::int64_t attempt) {
    std::lock_guard lock(mutex_);
    Statement s(*db_,
                "SELECT outcome, host, pid FROM attempts WHERE uid = ? AND package_sha256 = ? "
                "AND id != ? AND outcome != 'dry-run' ORDER BY id DESC LIMIT 1");
    s.bind(1, uid).bind(2, package_sha256).bind(3, attempt);
    if (!s.step())
        return false;
    const std::string outcome = s.text(0);
    if (outcome == "interrupted")
        return true;
    return outcome == "running" && !running_elsewhere(s.text(1), static_cast<long>(s.integer(2)));
}

void Database::admit(std::int64_t attempt, const std::string& uid,
                     const std::string& package_sha256, std::optional<std::uint64_t> quota) {
    std::lock_guard lock(mutex_);
    Transaction t(*db_);
    {
        Statement s(*db_, "UPDATE attempts SET uid = ? WHERE id = ?");
        s.bind(1, uid).bind(2, attempt);
        s.run();
    }
    {
        Statement s(*db_,
                    "SELECT port, host, pid, station FROM attempts WHERE uid = ? AND outcome = "
                    "'running' AND id != ?");
        s.bind(1, uid).bind(2, attempt);
        while (s.step()) {
            const long pid = static_cast<long>(s.integer(2));
            if (!running_elsewhere(s.text(1), pid))
                continue;
            throw Error(
                ErrorCode::Verification,
                fmt::format("board {} is being written at {} too ({}, pid {}): two ports "
                            "lead to the same board? refused",
                            uid, s.text(0), pid == ::getpid() ? "this run" : s.text(3), pid));
        }
    }
    if (quota) {
        Statement again(*db_,
                        "SELECT count(*) FROM attempts WHERE uid = ? AND package_sha256 = ? AND "
                        "outcome = 'passed'");
        again.bind(1, uid).bind(2, package_sha256);
        again.step();
        std::set<std::string> passed;
        std::set<std::string> under_way;
        Statement s(*db_,
                    "SELECT uid, outcome, host, pid FROM attempts WHERE package_sha256 = ? AND "
                    "uid IS NOT NULL AND uid != ? AND outcome IN ('passed', 'running')");
        s.bind(1, package_sha256).bind(2, uid);
        while (s.step()) {
            if (s.text(1) == "passed")
                passed.insert(s.text(0));
            else if (running_elsewhere(s.text(2), static_cast<long>(s.integer(3))))
                under_way.insert(s.text(0));
        }
        for (const auto& u : passed)
            under_way.erase(u);
        // A board that passed before is written again without counting twice.
        if (again.integer(0) == 0 && passed.size() + under_way.size() >= *quota) {
            throw Error(ErrorCode::Usage,
                        fmt::format("production quota reached: {} board{} passed and {} under way "
                                    "of the package's quota of {} at this station (a limit the "
                                    "station keeps in its records database, not a cryptographic "
                                    "one)",
                                    passed.size(), passed.size() == 1 ? "" : "s", under_way.size(),
                                    *quota));
        }
    }
    t.commit();
}

std::map<std::string, std::string> Database::reserve(std::int64_t attempt, const std::string& uid,
                                                     const pkg::Manifest& manifest,
                                                     const write::CsvTable* csv) {
    std::lock_guard lock(mutex_);
    Transaction t(*db_);
    const std::string now = utc_now();
    std::map<std::string, std::string> out;
    // Rows reserved by an rtprov before schema 2 get their canonical form once a package says
    // how the value encodes; a row whose bytes another row holds already (given twice before
    // the fix) keeps none: it cannot be undone, and its bytes stay taken by the other.
    const auto fill_canonical = [&](const pkg::BoardData& d) {
        std::vector<std::pair<std::int64_t, std::string>> rows;
        {
            Statement s(*db_,
                        "SELECT rowid, value FROM reservations WHERE name = ? AND canonical IS "
                        "NULL");
            s.bind(1, d.name);
            while (s.step())
                rows.emplace_back(s.integer(0), s.text(1));
        }
        Statement u(*db_, "UPDATE OR IGNORE reservations SET canonical = ? WHERE rowid = ?");
        for (const auto& [rowid, value] : rows) {
            u.bind(1, canonical_of(d, value)).bind(2, rowid);
            u.run();
        }
    };
    const auto held = [&](const std::string& name) -> std::optional<std::string> {
        Statement s(*db_, "SELECT value FROM reservations WHERE name = ? AND uid = ?");
        s.bind(1, name).bind(2, uid);
        if (!s.step())
            return std::nullopt;
        return s.text(0);
    };
    const auto hold = [&](const pkg::BoardData& d, const std::string& value) {
        const std::string canonical = canonical_of(d, value);
        Statement owner(*db_,
                        "SELECT uid, value FROM reservations WHERE name = ? AND (value = ? OR "
                        "canonical = ?)");
        owner.bind(1, d.name).bind(2, value).bind(3, canonical);
        if (owner.step()) {
            throw Error(
                ErrorCode::Usage,
                fmt::format("{} '{}' is reserved for board {} already{}: never given twice", d.name,
                            value, owner.text(0),
                            owner.text(1) == value ? ""
                                                   : fmt::format(" (as '{}', the same bytes {})",
                                                                 owner.text(1), canonical)));
        }
        Statement s(*db_,
                    "INSERT INTO reservations (name, source, value, uid, attempt_id, "
                    "reserved_at, canonical) VALUES (?, ?, ?, ?, ?, ?, ?)");
        s.bind(1, d.name)
            .bind(2, pkg::board_data_source_name(d.source))
            .bind(3, value)
            .bind(4, uid)
            .bind(5, attempt)
            .bind(6, now)
            .bind(7, canonical);
        s.run();
        out[d.name] = value;
    };
    // The CSV row of this board: reserved before, else the first row nobody holds.
    std::optional<std::size_t> row;
    const auto csv_row = [&]() -> std::size_t {
        if (row)
            return *row;
        const std::string& key_column = csv->columns.front();
        Statement mine(*db_, "SELECT key FROM csv_rows WHERE key_column = ? AND uid = ?");
        mine.bind(1, key_column).bind(2, uid);
        if (mine.step()) {
            const std::string key = mine.text(0);
            for (std::size_t i = 0; i < csv->rows.size(); ++i) {
                if (csv->rows[i][0] == key)
                    return *(row = i);
            }
            throw Error(ErrorCode::Usage,
                        fmt::format("board {} holds the row {} '{}', which {} does not have any "
                                    "more",
                                    uid, key_column, key, csv->file));
        }
        std::set<std::string> taken;
        Statement all(*db_, "SELECT key FROM csv_rows WHERE key_column = ?");
        all.bind(1, key_column);
        while (all.step())
            taken.insert(all.text(0));
        for (std::size_t i = 0; i < csv->rows.size(); ++i) {
            if (taken.count(csv->rows[i][0]))
                continue;
            Statement s(*db_,
                        "INSERT INTO csv_rows (key_column, key, uid, attempt_id, reserved_at) "
                        "VALUES (?, ?, ?, ?, ?)");
            s.bind(1, key_column)
                .bind(2, csv->rows[i][0])
                .bind(3, uid)
                .bind(4, attempt)
                .bind(5, now);
            s.run();
            return *(row = i);
        }
        throw Error(ErrorCode::Usage,
                    fmt::format("{}: every row is reserved ({} rows): add rows for more boards",
                                csv->file, csv->rows.size()));
    };
    for (const pkg::BoardData* d : pkg::board_data_steps(manifest)) {
        if (d->source == pkg::BoardDataSource::Uid)
            continue;
        fill_canonical(*d);
        if (auto v = held(d->name)) {
            out[d->name] = *v;  // the same board gets its values again
            continue;
        }
        if (d->source == pkg::BoardDataSource::Counter) {
            Statement next(*db_, "SELECT next FROM counters WHERE name = ?");
            next.bind(1, d->name);
            std::uint64_t value = d->start;
            if (next.step())
                value = std::max(value, static_cast<std::uint64_t>(next.integer(0)));
            // A value someone holds (entered by hand) is skipped, never given twice.
            for (;; ++value) {
                Statement used(*db_,
                               "SELECT 1 FROM reservations WHERE name = ? AND (value = ? OR "
                               "canonical = ?)");
                const std::string text = std::to_string(value);
                used.bind(1, d->name).bind(2, text).bind(3, canonical_of(*d, text));
                if (!used.step())
                    break;
            }
            hold(*d, std::to_string(value));
            Statement set(*db_,
                          "INSERT INTO counters (name, next) VALUES (?, ?) ON CONFLICT(name) DO "
                          "UPDATE SET next = excluded.next");
            set.bind(1, d->name).bind(2, static_cast<std::int64_t>(value + 1));
            set.run();
        } else {
            if (csv == nullptr)
                throw Error(
                    ErrorCode::Usage,
                    fmt::format("{}: the package takes it from a CSV file; none given", d->name));
            const auto column = csv->column(d->column);
            if (!column)
                throw Error(ErrorCode::Usage,
                            fmt::format("{} has no column '{}'", csv->file, d->column));
            hold(*d, csv->rows[csv_row()][*column]);
        }
    }
    t.commit();
    return out;
}

std::uint64_t Database::passed_boards(const std::string& package_sha256) {
    std::lock_guard lock(mutex_);
    Statement s(*db_,
                "SELECT count(DISTINCT uid) FROM attempts WHERE package_sha256 = ? AND outcome "
                "= 'passed'");
    s.bind(1, package_sha256);
    s.step();
    return static_cast<std::uint64_t>(s.integer(0));
}

std::string Database::integrity() {
    std::lock_guard lock(mutex_);
    Statement s(*db_, "PRAGMA integrity_check");
    std::string out;
    while (s.step())
        out += (out.empty() ? "" : "; ") + s.text(0);
    return out;
}

}  // namespace rtprov::records
