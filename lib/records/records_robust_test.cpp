// Attacks on the station's records (issue 24): one value spelled three ways, a database made by
// an older rtprov, forty processes creating one database at once, and a record nested too deep.

#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <functional>
#include <vector>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "rtprov/records/records.hpp"
#include "rtprov/util/error.hpp"
#include "rtprov/util/process.hpp"
#include "test_support.hpp"

namespace rtprov::records {
namespace {

using rtprov::test::TempDir;

pkg::BoardData value(const std::string& name, pkg::BoardDataSource source,
                     pkg::BoardDataFormat format, std::uint32_t size) {
    pkg::BoardData d;
    d.name = name;
    d.source = source;
    d.column = name;
    d.start = 1000;
    d.format = format;
    d.size = size;
    return d;
}

pkg::Manifest plan_with(const pkg::BoardData& d) {
    pkg::Manifest m;
    pkg::WriteStep s;
    s.op = pkg::StepOp::PerBoardData;
    s.data = d;
    m.write_plan.push_back(std::move(s));
    return m;
}

write::BoardResult board(const std::string& port) {
    write::BoardResult r;
    r.board = port;
    r.device = "mimxrt1020";
    r.package_sha256 = std::string(64, 'a');
    return r;
}

AttemptContext context() {
    return {"line-1", host_name(), static_cast<long>(::getpid()), "blinky.zip", "2.1", "rtprov"};
}

std::string error_of(const std::function<void()>& fn) {
    try {
        fn();
    } catch (const Error& e) {
        return e.what();
    }
    return "no error";
}

// Each spelling comes from its own CSV file (one file of all three is refused up front, see
// board_data_test): the station itself must see that they are one MAC.
TEST(RecordsRobust, OneMacSpelledThreeWaysGoesToOneBoard) {
    TempDir dir;
    Database db(dir / "r.sqlite", true);
    const pkg::Manifest m =
        plan_with(value("mac", pkg::BoardDataSource::Csv, pkg::BoardDataFormat::Hex, 6));
    const auto reserve = [&](const std::string& uid, const std::string& mac) {
        const write::CsvTable csv = write::parse_board_csv("mac\n" + mac + "\n", uid + ".csv");
        return db.reserve(db.begin_attempt(context(), board(uid)), uid, m, &csv).at("mac");
    };
    EXPECT_EQ(reserve("aaaa", "00:04:9f:01:23:45"), "00:04:9f:01:23:45");
    EXPECT_EQ(error_of([&] { reserve("bbbb", "00049F012345"); }),
              "mac '00049F012345' is reserved for board aaaa already (as '00:04:9f:01:23:45', "
              "the same bytes 00049f012345): never given twice");
    EXPECT_EQ(error_of([&] { reserve("cccc", "00-04-9f-01-23-45"); }),
              "mac '00-04-9f-01-23-45' is reserved for board aaaa already (as "
              "'00:04:9f:01:23:45', the same bytes 00049f012345): never given twice");
    EXPECT_EQ(db.reservations().size(), 1u);
}

TEST(RecordsRobust, OneSerialSpelledThreeWaysGoesToOneBoardAndTheCounterSkipsIt) {
    TempDir dir;
    Database db(dir / "r.sqlite", true);
    const pkg::Manifest from_csv =
        plan_with(value("serial", pkg::BoardDataSource::Csv, pkg::BoardDataFormat::Le32, 4));
    const auto reserve = [&](const std::string& uid, const std::string& serial) {
        const write::CsvTable csv =
            write::parse_board_csv("serial\n" + serial + "\n", uid + ".csv");
        return db.reserve(db.begin_attempt(context(), board(uid)), uid, from_csv, &csv);
    };
    EXPECT_EQ(reserve("aaaa", "0x3e8").at("serial"), "0x3e8");
    EXPECT_EQ(error_of([&] { reserve("bbbb", "1000"); }),
              "serial '1000' is reserved for board aaaa already (as '0x3e8', the same bytes "
              "e8030000): never given twice");
    EXPECT_EQ(error_of([&] { reserve("cccc", "1_000"); }).substr(0, 44),
              "serial '1_000' is reserved for board aaaa al");
    // A counter from 1000 gives the next value nobody holds by its bytes: 1001.
    const pkg::Manifest counted =
        plan_with(value("serial", pkg::BoardDataSource::Counter, pkg::BoardDataFormat::Le32, 4));
    EXPECT_EQ(db.reserve(db.begin_attempt(context(), board("dddd")), "dddd", counted, nullptr)
                  .at("serial"),
              "1001");
}

void exec(sqlite3* db, const std::string& sql) {
    char* message = nullptr;
    ASSERT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &message), SQLITE_OK) << message;
}

// A database of rtprov 0.2 (schema 1, reservations by their text) is migrated when opened: the
// values it reserved are then taken by their bytes too.
TEST(RecordsRobust, ASchema1DatabaseIsMigratedAndItsValuesKeptByTheirBytes) {
    TempDir dir;
    const auto file = dir / "r.sqlite";
    {
        Database db(file, true);  // today's tables, then made to look like schema 1
    }
    sqlite3* raw = nullptr;
    ASSERT_EQ(sqlite3_open(file.c_str(), &raw), SQLITE_OK);
    exec(raw,
         "ALTER TABLE attempts DROP COLUMN trust; "
         "DROP INDEX reservations_canonical; DROP TABLE reservations; CREATE TABLE reservations "
         "(name TEXT NOT NULL, source TEXT NOT NULL, value TEXT NOT NULL, uid TEXT NOT NULL, "
         "attempt_id INTEGER NOT NULL REFERENCES attempts(id), reserved_at TEXT NOT NULL, "
         "PRIMARY KEY (name, uid), UNIQUE (name, value)); PRAGMA user_version=1;");
    exec(raw,
         "INSERT INTO attempts (started_at, station, host, pid, package_sha256, package_file, "
         "package_schema, package_writer, device, port, outcome) VALUES ('t', 's', 'h', 1, 'p', "
         "'f', '2.1', 'w', 'd', 'port', 'passed'); INSERT INTO reservations VALUES ('mac', "
         "'csv', '00:04:9f:01:23:45', 'aaaa', 1, 't');");
    sqlite3_close(raw);

    Database db(file, false);
    const pkg::Manifest m =
        plan_with(value("mac", pkg::BoardDataSource::Csv, pkg::BoardDataFormat::Hex, 6));
    const write::CsvTable csv = write::parse_board_csv("mac\n00049F012345\n", "b.csv");
    EXPECT_EQ(
        error_of([&] { db.reserve(db.begin_attempt(context(), board("b")), "bbbb", m, &csv); }),
        "mac '00049F012345' is reserved for board aaaa already (as '00:04:9f:01:23:45', "
        "the same bytes 00049f012345): never given twice");
    EXPECT_EQ(db.integrity(), "ok");
}

// Forty rtprov processes start on a station whose database does not exist yet: every one
// opens it and records its attempt (16 of 40 failed with "database is locked").
TEST(RecordsRobust, FortyProcessesCreatingOneNewDatabaseAllSucceed) {
    TempDir dir;
    const auto file = dir / "station" / "records.sqlite";
    constexpr int kProcesses = 40;
    int go[2];
    ASSERT_EQ(::pipe(go), 0);
    std::vector<pid_t> children;
    for (int i = 0; i < kProcesses; ++i) {
        const pid_t pid = ::fork();
        if (pid == 0) {
            ::close(go[1]);
            char c = 0;
            if (::read(go[0], &c, 1) != 0)  // all start when the pipe closes
                ::_exit(3);
            try {
                Database db(file, true);
                db.begin_attempt(context(), board(fmt::format("p{}", i)));
                db.close_abandoned();
            } catch (const Error& e) {
                std::fprintf(stderr, "process %d: %s\n", i, e.what());
                ::_exit(1);
            }
            ::_exit(0);
        }
        children.push_back(pid);
    }
    ::close(go[0]);
    ::close(go[1]);
    int failed = 0;
    for (const pid_t pid : children) {
        int status = 0;
        ::waitpid(pid, &status, 0);
        failed += WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : 1;
    }
    EXPECT_EQ(failed, 0);
    Database db(file, false);
    EXPECT_EQ(db.attempts({}).size(), static_cast<std::size_t>(kProcesses - failed));
    EXPECT_EQ(db.integrity(), "ok");
}

// A record is input like any file: one nested 300,000 deep is refused naming the database.
TEST(RecordsRobust, AnAttemptNestedTooDeepIsRefusedNotACrash) {
    TempDir dir;
    const auto file = dir / "r.sqlite";
    std::int64_t id = 0;
    {
        Database db(file, true);
        id = db.begin_attempt(context(), board("p1"));
    }
    sqlite3* raw = nullptr;
    ASSERT_EQ(sqlite3_open(file.c_str(), &raw), SQLITE_OK);
    exec(raw, fmt::format("UPDATE attempts SET steps = '{}{}' WHERE id = {}",
                          std::string(300000, '['), std::string(300000, ']'), id));
    sqlite3_close(raw);
    Database db(file, false);
    EXPECT_EQ(error_of([&] { db.attempt(id); }),
              fmt::format("{}: attempt {}: steps: JSON nested deeper than 64 levels (at byte 64)",
                          file.string(), id));
}

}  // namespace
}  // namespace rtprov::records
