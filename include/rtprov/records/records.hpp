#pragma once
// The station's production record (docs/records.md): one SQLite database in the station
// directory with a row per board attempt (time, station, package, part, port, UID, per-step
// timings, fuse words, per-board values, outcome and error), the per-board values reserved for
// each board and the counters they come from. WAL journal and synchronous FULL: a committed
// record survives a killed process or a power cut; one connection serves every board thread of
// a run, SQLite's locking the other rtprov processes of the station.

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "rtprov/pkg/manifest.hpp"
#include "rtprov/write/board_data.hpp"
#include "rtprov/write/events.hpp"

namespace rtprov::records {

namespace detail {
class Connection;
}

// The station directory: $RTPROV_STATION_DIR, else $XDG_DATA_HOME/rtprov/station, else
// ~/.local/share/rtprov/station.
std::filesystem::path default_station_dir();
// The database in a station directory: DIR/records.sqlite.
std::filesystem::path database_path(const std::filesystem::path& station_dir);
// The station's key pair for sealed secrets (`rtprov station keygen`): DIR/station.key (private,
// 0600) and DIR/station.pub. `write` opens a package's secrets with the private one.
std::filesystem::path station_private_key_path(const std::filesystem::path& station_dir);
std::filesystem::path station_public_key_path(const std::filesystem::path& station_dir);
// station_private_key_path(default_station_dir()).
std::filesystem::path default_station_private_key();

// What the station records about an attempt besides the board's result.
struct AttemptContext {
    std::string station;  // the station's name ($RTPROV_STATION or the host name)
    std::string host;
    long pid = 0;
    std::string package_file;    // as given on the command line
    std::string package_schema;  // "2.1"
    std::string package_writer;  // "rtprov 0.2.0"
};

// One attempt as stored. outcome: "running" (under way, or its process was killed), "passed",
// "failed", "interrupted", "dry-run".
struct Attempt {
    std::int64_t id = 0;
    std::string started_at;   // UTC, ISO 8601
    std::string finished_at;  // "" while running
    AttemptContext context;
    std::string package_sha256;
    std::string device;
    std::string port;
    std::optional<std::string> uid;
    std::string outcome;
    std::string error_code;  // "" when none
    std::string error_step;
    std::string error;
    double seconds = 0;
    bool resumed = false;
    unsigned retries = 0;
    std::uint64_t bytes_written = 0;
    std::uint64_t bytes_unchanged = 0;
    std::string hab;        // "open", "closed", ""
    nlohmann::json steps;   // [{step, op, status, seconds, detail}]
    nlohmann::json fuses;   // fuse rows as in write --json
    nlohmann::json data;    // [{name, source, value, target, status}]
    std::string last_step;  // the step under way or last done
    // The package's signature for the run (write::trust_name): "trusted", "unverified",
    // "unsigned-fuses-allowed"; "" for attempts recorded before schema 2.
    std::string trust;
};

// Which attempts a query covers (all when empty).
struct Filter {
    std::optional<std::string> package;  // package SHA-256 or a prefix of it
    std::optional<std::string> uid;
    std::optional<std::string> outcome;
    std::optional<std::string> station;
    std::optional<std::string> since;  // started at or after (UTC, ISO 8601 prefix)
    std::size_t limit = 0;             // newest first when set
};

// `rtprov records stats`: finished attempts (passed, failed, interrupted; dry runs and attempts
// still running are counted apart).
struct Stats {
    std::uint64_t attempts = 0;  // finished
    std::uint64_t passed = 0;
    std::uint64_t passed_unfused = 0;  // written without the package's fuse plan: not yield
    std::uint64_t refused = 0;         // the station refused the board before touching it
    std::uint64_t failed = 0;
    std::uint64_t interrupted = 0;
    std::uint64_t running = 0;
    std::uint64_t dry_runs = 0;
    std::uint64_t boards = 0;         // distinct UIDs among finished attempts
    std::uint64_t boards_passed = 0;  // ... of which passed at least once
    std::uint64_t first_pass = 0;     // ... whose first attempt passed
    double yield = 0;                 // boards_passed / boards
    double first_pass_yield = 0;      // first_pass / boards
    struct Cause {
        std::string step;  // the failing step's op ("write"), "" when none
        std::string code;  // "device", "verification", ...
        std::uint64_t count = 0;
        std::string example;  // the newest message
    };
    std::vector<Cause> causes;  // most frequent first
    struct Hour {
        std::string hour;  // "2026-01-31T14"
        std::uint64_t passed = 0;
        std::uint64_t failed = 0;
    };
    std::vector<Hour> hours;     // by the hour attempts finished, oldest first
    double passed_per_hour = 0;  // passed / the span from the first start to the last finish
};

// A per-board value the station holds for a board.
struct Reservation {
    std::string name;
    std::string source;
    std::string value;
    std::string uid;
    std::int64_t attempt = 0;
    std::string reserved_at;
};

class Database {
  public:
    // Opens the database at `file`, creating it (and its folder) when `create`, and brings its
    // tables up to date. Throws Error(Io) naming the file when it cannot be opened or created,
    // Error(BadInput) when it is not a records database (or one of a newer rtprov), and
    // Error(BadInput) "no records database at FILE" when it is missing and !create.
    Database(const std::filesystem::path& file, bool create);
    ~Database();
    Database(const Database&) = delete;
    Database& operator=(const Database&) = delete;

    const std::filesystem::path& file() const { return file_; }

    // --- attempts (thread-safe) ---
    // Records a new attempt of `board` (outcome "running"); returns its id.
    std::int64_t begin_attempt(const AttemptContext& context, const write::BoardResult& board);
    // Stores the attempt's state now (every step); `final` stamps finished_at.
    void update_attempt(std::int64_t id, const write::BoardResult& board, bool final);
    // Attempts left "running" by processes of this host that are gone become "interrupted"
    // (with the error "the process stopped before the board was done"). Returns how many.
    std::size_t close_abandoned();

    // --- the station's decisions (thread-safe, atomic across processes) ---
    // True when the newest other attempt of board `uid` with package `package_sha256` was
    // interrupted (or is "running" while its process is gone).
    bool was_interrupted(const std::string& uid, const std::string& package_sha256,
                         std::int64_t attempt);
    // Admits board `uid` for attempt `attempt` (recording its UID): throws Error(Verification)
    // when an attempt of a live process is writing the same UID (two ports lead to one board),
    // and, with a quota, Error(Usage) when as many boards passed with the package (or are
    // being written) as the quota allows; a board that passed before is always admitted.
    void admit(std::int64_t attempt, const std::string& uid, const std::string& package_sha256,
               std::optional<std::uint64_t> quota);
    // The values of `manifest`'s counter and csv per-board-data steps for board `uid`: those
    // reserved for it before, else the next counter values and the first CSV row nobody
    // holds, reserved now in one transaction. Throws Error(Usage) when the CSV has no free row.
    std::map<std::string, std::string> reserve(std::int64_t attempt, const std::string& uid,
                                               const pkg::Manifest& manifest,
                                               const write::CsvTable* csv);
    // Distinct boards that passed with package `package_sha256`.
    std::uint64_t passed_boards(const std::string& package_sha256);

    // --- queries ---
    std::vector<Attempt> attempts(const Filter& filter);
    std::optional<Attempt> attempt(std::int64_t id);
    std::vector<Reservation> reservations(const std::optional<std::string>& uid = {});
    Stats stats(const Filter& filter);
    // "ok", or what SQLite's integrity check found.
    std::string integrity();

  private:
    std::filesystem::path file_;
    std::unique_ptr<detail::Connection> db_;
    std::mutex mutex_;
};

// An attempt as JSON (`records show --json`, `records export --json`).
nlohmann::json attempt_json(const Attempt& attempt);
// The CSV header and one CSV line per attempt (`records export --csv`; steps, fuse words
// written and per-board values summarized in one cell each).
std::string attempts_csv(const std::vector<Attempt>& attempts);
// Stats as JSON.
nlohmann::json stats_json(const Stats& stats);

}  // namespace rtprov::records
