#include "rtprov/records/records.hpp"

#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <set>
#include <thread>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "rtprov/util/error.hpp"
#include "rtprov/util/file.hpp"
#include "rtprov/util/process.hpp"
#include "sqlite.hpp"
#include "test_support.hpp"

namespace rtprov::records {
namespace {

using rtprov::test::TempDir;

pkg::Manifest plan_with(std::vector<pkg::BoardData> values) {
    pkg::Manifest m;
    for (auto& d : values) {
        pkg::WriteStep s;
        s.op = pkg::StepOp::PerBoardData;
        s.data = std::move(d);
        m.write_plan.push_back(std::move(s));
    }
    return m;
}

pkg::BoardData counter(const std::string& name, std::uint64_t start) {
    pkg::BoardData d;
    d.name = name;
    d.source = pkg::BoardDataSource::Counter;
    d.start = start;
    return d;
}

pkg::BoardData csv_value(const std::string& name, const std::string& column) {
    pkg::BoardData d;
    d.name = name;
    d.source = pkg::BoardDataSource::Csv;
    d.column = column;
    d.format = pkg::BoardDataFormat::Hex;
    return d;
}

write::BoardResult board(const std::string& port, const std::string& uid = "") {
    write::BoardResult r;
    r.board = port;
    r.device = "mimxrt1020";
    r.package_sha256 = std::string(64, 'a');
    r.started_at = "2026-01-31T08:00:00Z";
    if (!uid.empty())
        r.uid = uid;
    return r;
}

AttemptContext context(long pid = ::getpid()) {
    return {"line-1", host_name(), pid, "blinky.zip", "2.1", "rtprov 0.2.0"};
}

// The pid of a process that has ended (and been reaped).
long dead_pid() {
    const pid_t pid = ::fork();
    if (pid == 0)
        ::_exit(0);
    int status = 0;
    ::waitpid(pid, &status, 0);
    return pid;
}

std::string error_of(const std::function<void()>& fn) {
    try {
        fn();
    } catch (const Error& e) {
        return e.what();
    }
    return "no error";
}

// The tables of schema 1 (rtprov 0.2), with one attempt, for the migration test.
constexpr const char* kSchema1Attempts = R"(
CREATE TABLE attempts (
  id INTEGER PRIMARY KEY AUTOINCREMENT, started_at TEXT NOT NULL, finished_at TEXT,
  station TEXT NOT NULL, host TEXT NOT NULL, pid INTEGER NOT NULL, package_sha256 TEXT NOT NULL,
  package_file TEXT NOT NULL, package_schema TEXT NOT NULL, package_writer TEXT NOT NULL,
  device TEXT NOT NULL, port TEXT NOT NULL, uid TEXT, outcome TEXT NOT NULL, error_code TEXT,
  error_step TEXT, error TEXT, seconds REAL NOT NULL DEFAULT 0,
  resumed INTEGER NOT NULL DEFAULT 0, retries INTEGER NOT NULL DEFAULT 0,
  bytes_written INTEGER NOT NULL DEFAULT 0, bytes_unchanged INTEGER NOT NULL DEFAULT 0, hab TEXT,
  steps TEXT NOT NULL DEFAULT '[]', fuses TEXT NOT NULL DEFAULT '[]',
  data TEXT NOT NULL DEFAULT '[]', last_step TEXT NOT NULL DEFAULT '');
CREATE INDEX attempts_uid ON attempts(uid, package_sha256);
CREATE INDEX attempts_outcome ON attempts(outcome, package_sha256);
CREATE TABLE reservations (
  name TEXT NOT NULL, source TEXT NOT NULL, value TEXT NOT NULL, uid TEXT NOT NULL,
  attempt_id INTEGER NOT NULL REFERENCES attempts(id), reserved_at TEXT NOT NULL,
  PRIMARY KEY (name, uid), UNIQUE (name, value));
CREATE TABLE csv_rows (
  key_column TEXT NOT NULL, key TEXT NOT NULL, uid TEXT NOT NULL,
  attempt_id INTEGER NOT NULL REFERENCES attempts(id), reserved_at TEXT NOT NULL,
  PRIMARY KEY (key_column, key), UNIQUE (key_column, uid));
CREATE TABLE counters (name TEXT PRIMARY KEY, next INTEGER NOT NULL);
INSERT INTO attempts (started_at, station, host, pid, package_sha256, package_file,
  package_schema, package_writer, device, port, outcome)
  VALUES ('2026-01-31T08:00:00Z', 'line-1', 'h', 1, 'aa', 'old.zip', '2.1', 'rtprov 0.3.0',
  'mimxrt1020', 'uart:/dev/ttyUSB0', 'passed');
PRAGMA user_version=1;
)";

TEST(Records, AStationDatabaseOfSchema1GetsTheTrustColumn) {
    TempDir dir;
    const auto file = dir / "records.sqlite";
    {
        detail::Connection c(file, true);
        c.exec(kSchema1Attempts);
    }
    Database db(file, false);
    const auto old = db.attempt(1);
    ASSERT_TRUE(old.has_value());
    EXPECT_EQ(old->outcome, "passed");
    EXPECT_EQ(old->trust, "");  // recorded before rtprov said
    write::BoardResult r = board("uart:/dev/ttyUSB1");
    r.trust = write::Trust::UnsignedFuses;
    const std::int64_t id = db.begin_attempt(context(), r);
    EXPECT_EQ(db.attempt(id)->trust, "unsigned-fuses-allowed");
    r.trust = write::Trust::Trusted;
    db.update_attempt(id, r, true);
    EXPECT_EQ(db.attempt(id)->trust, "trusted");
    EXPECT_EQ(attempt_json(*db.attempt(id))["trust"], "trusted");
    EXPECT_EQ(attempt_json(*old)["trust"], nullptr);
    const std::string csv = attempts_csv({*old, *db.attempt(id)});
    EXPECT_NE(csv.find(",data,trust\n"), std::string::npos) << csv;
    EXPECT_NE(csv.find(",trusted\n"), std::string::npos) << csv;
}

TEST(Records, AnAttemptIsStoredStepByStepAndFinished) {
    TempDir dir;
    Database db(dir / "station" / "records.sqlite", true);
    write::BoardResult r = board("uart:/dev/ttyUSB0,115200");
    const std::int64_t id = db.begin_attempt(context(), r);
    EXPECT_EQ(db.attempt(id)->outcome, "running");
    r.uid = "0123456789abcdef";
    r.hab_closed = false;
    r.steps.push_back({0, "load-flashloader", "ok", 0.25, "loaded"});
    r.fuses.push_back(
        {"SRK0", 0x18, 0, 0x12345678, "srk", write::FuseStatus::Programmed, 0x12345678u, 0xFFFFFFFF, ""});
    r.data.push_back({"serial", "counter", "1000", "memory 9 at 0x60100000", "written"});
    db.update_attempt(id, r, false);
    Attempt a = *db.attempt(id);
    EXPECT_EQ(a.uid, "0123456789abcdef");
    EXPECT_EQ(a.finished_at, "");
    EXPECT_EQ(a.last_step, "load-flashloader");
    r.outcome = write::Outcome::Failed;
    r.error_code = ErrorCode::Device;
    r.error = "write: timeout";
    r.error_step = "write";
    r.seconds = 1.5;
    db.update_attempt(id, r, true);
    a = *db.attempt(id);
    EXPECT_EQ(a.outcome, "failed");
    EXPECT_NE(a.finished_at, "");
    EXPECT_EQ(a.context.station, "line-1");
    EXPECT_EQ(a.context.package_file, "blinky.zip");
    EXPECT_EQ(a.port, "uart:/dev/ttyUSB0,115200");
    EXPECT_EQ(a.error_code, "device");
    EXPECT_EQ(a.error_step, "write");
    EXPECT_EQ(a.hab, "open");
    EXPECT_EQ(a.steps[0]["seconds"], 0.25);
    EXPECT_EQ(a.fuses[0]["word"], "SRK0");
    EXPECT_EQ(a.fuses[0]["read_back"], "0x12345678");
    EXPECT_EQ(a.data[0]["value"], "1000");
    EXPECT_EQ(db.integrity(), "ok");
}

TEST(Records, MissingAndForeignFilesAreRefused) {
    TempDir dir;
    EXPECT_EQ(error_of([&] { Database(dir / "none.sqlite", false); }),
              "no records database at " + (dir / "none.sqlite").string());
    write_file_atomic(dir / "junk.sqlite", std::string(4096, 'x'));
    const std::string e = error_of([&] { Database(dir / "junk.sqlite", false); });
    EXPECT_EQ(e.rfind((dir / "junk.sqlite").string() + ": ", 0), 0u) << e;
    EXPECT_NE(e.find("file is not a database"), std::string::npos) << e;
}

TEST(Records, ACounterGivesEachBoardItsOwnValueAndTheSameBoardTheSameAgain) {
    TempDir dir;
    Database db(dir / "r.sqlite", true);
    const pkg::Manifest m = plan_with({counter("serial", 1000), counter("lot", 7)});
    const auto a = db.begin_attempt(context(), board("p1"));
    const auto b = db.begin_attempt(context(), board("p2"));
    EXPECT_EQ(db.reserve(a, "aaaa", m, nullptr),
              (std::map<std::string, std::string>{{"lot", "7"}, {"serial", "1000"}}));
    EXPECT_EQ(db.reserve(b, "bbbb", m, nullptr),
              (std::map<std::string, std::string>{{"lot", "8"}, {"serial", "1001"}}));
    const auto again = db.begin_attempt(context(), board("p1"));
    EXPECT_EQ(db.reserve(again, "aaaa", m, nullptr).at("serial"), "1000");
    // A later package starting higher moves the counter on, never back.
    const auto c = db.begin_attempt(context(), board("p3"));
    EXPECT_EQ(db.reserve(c, "cccc", plan_with({counter("serial", 5000)}), nullptr).at("serial"),
              "5000");
    const auto d = db.begin_attempt(context(), board("p4"));
    EXPECT_EQ(db.reserve(d, "dddd", plan_with({counter("serial", 1000)}), nullptr).at("serial"),
              "5001");
}

TEST(Records, ParallelBoardsAndProcessesNeverShareASerial) {
    TempDir dir;
    const auto file = dir / "r.sqlite";
    const pkg::Manifest m = plan_with({counter("serial", 1)});
    constexpr int kThreads = 8;
    constexpr int kBoards = 25;
    std::vector<std::vector<std::string>> got(kThreads);
    {
        // Two connections stand for two rtprov processes on one station.
        Database one(file, true);
        Database two(file, true);
        std::vector<std::thread> threads;
        const auto t0 = std::chrono::steady_clock::now();
        for (int t = 0; t < kThreads; ++t) {
            threads.emplace_back([&, t] {
                Database& db = t % 2 == 0 ? one : two;
                for (int i = 0; i < kBoards; ++i) {
                    const std::string uid = fmt::format("{:08x}{:08x}", t, i);
                    write::BoardResult r = board(fmt::format("port{}", t), uid);
                    const auto id = db.begin_attempt(context(), r);
                    got[t].push_back(db.reserve(id, uid, m, nullptr).at("serial"));
                    r.outcome = write::Outcome::Passed;
                    db.update_attempt(id, r, true);
                }
            });
        }
        for (auto& t : threads)
            t.join();
        const double s =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        std::printf("[ figures  ] %d attempts (insert, reserve, finish) in %.2f s: %.0f/s\n",
                    kThreads * kBoards, s, kThreads * kBoards / s);
    }
    std::set<std::uint64_t> all;
    for (const auto& v : got) {
        for (const auto& s : v)
            EXPECT_TRUE(all.insert(std::stoull(s)).second) << s;
    }
    EXPECT_EQ(all.size(), static_cast<std::size_t>(kThreads * kBoards));
    EXPECT_EQ(*all.begin(), 1u);
    EXPECT_EQ(*all.rbegin(), static_cast<std::uint64_t>(kThreads * kBoards));
}

TEST(Records, EachBoardTakesOneCsvRowNobodyHolds) {
    TempDir dir;
    Database db(dir / "r.sqlite", true);
    const write::CsvTable csv =
        write::parse_board_csv("mac,key\n00:11:22:33:44:01,k1\n00:11:22:33:44:02,k2\n", "macs.csv");
    const pkg::Manifest m = plan_with({csv_value("mac", "mac"), csv_value("key", "key")});
    const auto a = db.begin_attempt(context(), board("p1"));
    const auto b = db.begin_attempt(context(), board("p2"));
    EXPECT_EQ(db.reserve(a, "aaaa", m, &csv),
              (std::map<std::string, std::string>{{"key", "k1"}, {"mac", "00:11:22:33:44:01"}}));
    EXPECT_EQ(db.reserve(b, "bbbb", m, &csv).at("key"), "k2");
    EXPECT_EQ(db.reserve(a, "aaaa", m, &csv).at("mac"), "00:11:22:33:44:01");
    const auto c = db.begin_attempt(context(), board("p3"));
    EXPECT_EQ(error_of([&] { db.reserve(c, "cccc", m, &csv); }),
              "macs.csv: every row is reserved (2 rows): add rows for more boards");
    // Nothing of the refused reservation stays behind.
    EXPECT_EQ(db.reservations("cccc").size(), 0u);
    EXPECT_EQ(db.reservations().size(), 4u);
}

TEST(Records, TheSameBoardAtTwoPortsIsRefused) {
    TempDir dir;
    Database db(dir / "r.sqlite", true);
    const auto a = db.begin_attempt(context(), board("uart:/dev/ttyUSB0"));
    db.admit(a, "0123456789abcdef", std::string(64, 'a'), std::nullopt);
    const auto b = db.begin_attempt(context(), board("uart:/dev/serial/by-id/x"));
    EXPECT_EQ(error_of([&] { db.admit(b, "0123456789abcdef", std::string(64, 'a'), {}); }),
              fmt::format("board 0123456789abcdef is being written at uart:/dev/ttyUSB0 too "
                          "(this run, pid {}): two ports lead to the same board? refused",
                          ::getpid()));
    // A killed process's attempt does not hold the board.
    const auto c = db.begin_attempt(context(dead_pid()), board("p3"));
    db.admit(c, "fedcba9876543210", std::string(64, 'a'), std::nullopt);
    const auto d = db.begin_attempt(context(), board("p4"));
    EXPECT_NO_THROW(db.admit(d, "fedcba9876543210", std::string(64, 'a'), std::nullopt));
}

TEST(Records, AQuotaCountsBoardsThatPassedAndThoseUnderWay) {
    TempDir dir;
    Database db(dir / "r.sqlite", true);
    const std::string sha(64, 'a');
    write::BoardResult one = board("p1", "0000000000000001");
    const auto a = db.begin_attempt(context(), one);
    db.admit(a, "0000000000000001", sha, 2);
    one.outcome = write::Outcome::Passed;
    db.update_attempt(a, one, true);
    const auto b = db.begin_attempt(context(), board("p2"));
    db.admit(b, "0000000000000002", sha, 2);  // under way
    const auto c = db.begin_attempt(context(), board("p3"));
    EXPECT_EQ(error_of([&] { db.admit(c, "0000000000000003", sha, 2); }),
              "production quota reached: 1 board passed and 1 under way of the package's quota "
              "of 2 at this station (a limit the station keeps in its records database, not a "
              "cryptographic one)");
    // A board that passed is written again without counting twice.
    const auto d = db.begin_attempt(context(), board("p1"));
    EXPECT_NO_THROW(db.admit(d, "0000000000000001", sha, 2));
    EXPECT_EQ(db.passed_boards(sha), 1u);
}

TEST(Records, AKilledAttemptIsInterruptedAndItsBoardResumed) {
    TempDir dir;
    Database db(dir / "r.sqlite", true);
    const std::string sha(64, 'a');
    write::BoardResult r = board("p1", "0000000000000001");
    const auto killed = db.begin_attempt(context(dead_pid()), r);
    db.update_attempt(killed, r, false);
    const auto live = db.begin_attempt(context(), board("p2", "0000000000000002"));
    EXPECT_TRUE(db.was_interrupted("0000000000000001", sha, -1));
    EXPECT_FALSE(db.was_interrupted("0000000000000002", sha, -1));  // still under way
    EXPECT_FALSE(db.was_interrupted("0000000000000001", std::string(64, 'b'), -1));
    EXPECT_EQ(db.close_abandoned(), 1u);
    const Attempt a = *db.attempt(killed);
    EXPECT_EQ(a.outcome, "interrupted");
    EXPECT_EQ(a.error, "the process stopped before the board was done (killed?)");
    EXPECT_EQ(db.attempt(live)->outcome, "running");
    EXPECT_TRUE(db.was_interrupted("0000000000000001", sha, -1));
}

TEST(Records, StatsCountAttemptsBoardsCausesAndHours) {
    TempDir dir;
    Database db(dir / "r.sqlite", true);
    const auto add = [&](const std::string& uid, write::Outcome outcome, const std::string& at,
                         const std::string& step = "") {
        write::BoardResult r = board("p", uid);
        r.started_at = at;
        const auto id = db.begin_attempt(context(), r);
        r.outcome = outcome;
        if (!step.empty()) {
            r.error_code = ErrorCode::Device;
            r.error_step = step;
            r.error = step + ": it broke";
        }
        db.update_attempt(id, r, outcome != write::Outcome::Running);
    };
    add("01", write::Outcome::Passed, "2026-01-31T08:00:00Z");
    add("02", write::Outcome::Failed, "2026-01-31T08:01:00Z", "write");
    add("02", write::Outcome::Passed, "2026-01-31T08:02:00Z");
    add("03", write::Outcome::Failed, "2026-01-31T08:03:00Z", "write");
    add("04", write::Outcome::Failed, "2026-01-31T08:04:00Z", "verify");
    add("05", write::Outcome::DryRun, "2026-01-31T08:05:00Z");
    add("06", write::Outcome::Running, "2026-01-31T08:06:00Z");
    const Stats s = db.stats({});
    EXPECT_EQ(s.attempts, 5u);
    EXPECT_EQ(s.passed, 2u);
    EXPECT_EQ(s.failed, 3u);
    EXPECT_EQ(s.dry_runs, 1u);
    EXPECT_EQ(s.running, 1u);
    EXPECT_EQ(s.boards, 4u);
    EXPECT_EQ(s.boards_passed, 2u);
    EXPECT_EQ(s.first_pass, 1u);
    EXPECT_DOUBLE_EQ(s.yield, 0.5);
    ASSERT_EQ(s.causes.size(), 2u);
    EXPECT_EQ(s.causes[0].step, "write");
    EXPECT_EQ(s.causes[0].count, 2u);
    EXPECT_EQ(s.causes[1].step, "verify");
    ASSERT_EQ(s.hours.size(), 1u);
    EXPECT_EQ(s.hours[0].passed + s.hours[0].failed, 5u);
    Filter only;
    only.uid = "02";
    EXPECT_EQ(db.stats(only).attempts, 2u);
    only = {};
    only.limit = 2;
    EXPECT_EQ(db.attempts(only).size(), 2u);
    EXPECT_EQ(db.attempts(only).back().uid, "06");
}

TEST(Records, CsvExportQuotesWhatNeedsIt) {
    Attempt a;
    a.id = 3;
    a.port = "uart:/dev/ttyUSB0,115200";
    a.outcome = "failed";
    a.error = "say \"no\"";
    a.steps = nlohmann::json::array({{{"op", "write"}, {"seconds", 1.25}}});
    a.fuses =
        nlohmann::json::array({{{"word", "SRK0"}, {"new", "0x00000001"}, {"status", "programmed"}},
                               {{"word", "SRK1"}, {"new", "0x00000002"}, {"status", "skipped"}}});
    a.data = nlohmann::json::array({{{"name", "serial"}, {"value", "1000"}}});
    const std::string csv = attempts_csv({a});
    const std::string line = csv.substr(csv.find('\n') + 1);
    EXPECT_EQ(line,
              "3,,,,,,,,,\"uart:/dev/ttyUSB0,115200\",,failed,,,\"say \"\"no\"\"\",0.000,0,0,0,0,,"
              "write=1.250,SRK0=0x00000001,serial=1000,\n");  // trust: not recorded
}

}  // namespace
}  // namespace rtprov::records
