// The board's identity and its per-board values in write_board: a HID board followed through
// its re-enumeration as the flashloader, a board that changed or vanished at its port, values
// reserved by the station written to flash and burned into fuses.

#include <gtest/gtest.h>

#include "rtprov/write/board.hpp"
#include "write_test_support.hpp"

namespace rtprov::write {
namespace {

using test::SimBoard;

// A port that opens `first` once, through a cable pulled after `budget` bytes, then `then`
// (another board, or nothing at all).
Port swapping_port(const Port& first, std::function<std::unique_ptr<transport::Transport>()> then,
                   std::atomic<int>& budget, int& opens) {
    return {"uart:/dev/ttyUSB0", [&first, then, &budget, &opens]() {
                return ++opens == 1 ? std::unique_ptr<transport::Transport>(
                                          std::make_unique<test::PulledCable>(first.open(), budget))
                                    : then();
            }};
}

WriteOptions quick() {
    WriteOptions o;
    o.retries = 1;
    o.backoff = std::chrono::milliseconds(1);
    return o;
}

TEST(BoardIdentity, AHidBoardIsFollowedThroughItsReenumerationAtItsPort) {
    const Job job = test::make_test_job({});
    SimBoard board(true);
    board.chip().fuses().set_uid(0x1122334455667788);
    board.start();
    int opens = 0;
    const Port base = board.port("sim:board");
    const Port counted{"sim:board", [&] {
                           ++opens;
                           return base.open();
                       }};
    const BoardResult r = write_board(job, {}, counted, {});
    board.stop();
    ASSERT_EQ(r.outcome, Outcome::Passed) << r.error;
    EXPECT_EQ(r.uid, "1122334455667788");
    // The boot ROM's device, then the flashloader's, at the same port.
    EXPECT_EQ(opens, 2);
}

TEST(BoardIdentity, AnotherBoardAtThePortStopsTheWrite) {
    test::PackageSpec spec;
    spec.image = test::xip_image(0x20000);
    const Job job = test::make_test_job(spec);
    SimBoard first;
    first.chip().fuses().set_uid(0x00000000000000a1);
    first.start();
    SimBoard second;
    second.chip().fuses().set_uid(0x00000000000000b2);
    second.start();
    std::atomic<int> budget{60000};
    int opens = 0;
    const Port a = first.port();
    const Port b = second.port();
    const BoardResult r = write_board(job, quick(), swapping_port(a, b.open, budget, opens), {});
    first.stop();
    second.stop();
    EXPECT_EQ(r.outcome, Outcome::Failed);
    EXPECT_EQ(r.error_code, ErrorCode::Verification);
    EXPECT_EQ(r.error_step, "write");
    EXPECT_EQ(r.error.substr(r.error.find("the board at")),
              "the board at uart:/dev/ttyUSB0 changed while it was being written: UID "
              "00000000000000a1 before, UID 00000000000000b2 now (another board plugged in?): "
              "stopped");
    // Nothing was written to the other board.
    EXPECT_TRUE(second.chip().flash().used_ranges().empty());
}

TEST(BoardIdentity, ABoardThatVanishedIsReportedSo) {
    test::PackageSpec spec;
    spec.image = test::xip_image(0x20000);
    const Job job = test::make_test_job(spec);
    SimBoard board;
    board.start();
    std::atomic<int> budget{60000};
    int opens = 0;
    const Port a = board.port();
    const auto gone = []() -> std::unique_ptr<transport::Transport> {
        throw Error(ErrorCode::Device,
                    "cannot open serial port /dev/ttyUSB0: No such file or directory");
    };
    const BoardResult r = write_board(job, quick(), swapping_port(a, gone, budget, opens), {});
    board.stop();
    EXPECT_EQ(r.outcome, Outcome::Failed);
    EXPECT_EQ(r.error_code, ErrorCode::Device);
    EXPECT_EQ(r.error.substr(r.error.find("(gave up")),
              "(gave up after 2 attempts): the board vanished from uart:/dev/ttyUSB0: cannot "
              "open serial port /dev/ttyUSB0: No such file or directory");
}

// ---- per-board values ---------------------------------------------------------------------

pkg::WriteStep value_step(const std::string& name, pkg::BoardDataSource source,
                          pkg::BoardDataFormat format, std::uint32_t size) {
    pkg::WriteStep s;
    s.op = pkg::StepOp::PerBoardData;
    s.data.name = name;
    s.data.source = source;
    s.data.format = format;
    s.data.size = size;
    s.data.memory_id = 9;
    return s;
}

// The test package with a serial number (le32 at 0x60100000), the UID (hex at 0x60100008) and
// a MAC address from a CSV column (into MAC0, MAC1) before the reset.
Job job_with_values() {
    pkg::Package p = test::make_package({});
    auto serial =
        value_step("serial", pkg::BoardDataSource::Counter, pkg::BoardDataFormat::Le32, 4);
    serial.data.address = 0x60100000;
    auto uid = value_step("uid", pkg::BoardDataSource::Uid, pkg::BoardDataFormat::Hex, 8);
    uid.data.address = 0x60100008;
    auto mac = value_step("mac", pkg::BoardDataSource::Csv, pkg::BoardDataFormat::Hex, 6);
    mac.data.column = "mac";
    mac.data.memory_id = 0;
    mac.data.fuses = {"MAC0", "MAC1"};
    auto& plan = p.manifest.write_plan;
    plan.insert(plan.end() - 1, {serial, uid, mac});
    const std::string zip = "package with values";
    return make_job(std::move(p), Bytes(zip.begin(), zip.end()), std::nullopt, {});
}

std::map<std::string, std::string> reserved(const std::string& serial) {
    return {{"serial", serial}, {"mac", "00:1b:c5:0a:00:01"}};
}

std::string status_of(const BoardResult& r, const std::string& name) {
    for (const auto& v : r.data) {
        if (v.name == name)
            return v.status;
    }
    return "none";
}

TEST(BoardValues, ReservedValuesGoToFlashAndFuses) {
    const Job job = job_with_values();
    SimBoard board;
    board.chip().fuses().set_uid(0x0102030405060708);
    board.start();
    WriteOptions o;
    o.burn_data_fuses = true;
    o.allow_unsigned_fuses = true;
    std::vector<std::string> asked;
    o.reserve = [&](const BoardResult& b) {
        asked.push_back(b.uid.value_or("?"));
        return reserved("1000");
    };
    BoardResult r = write_board(job, o, board.port(), {});
    ASSERT_EQ(r.outcome, Outcome::Passed) << r.error;
    EXPECT_EQ(asked, (std::vector<std::string>{"0102030405060708"}));
    EXPECT_EQ(test::flash_at(board.chip(), 0x60100000, 16),
              (Bytes{0xE8, 0x03, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF, 1, 2, 3, 4, 5, 6, 7, 8}));
    const device::Device& dev = test::rt1020();
    EXPECT_EQ(board.chip().fuses().read(dev.fuse("MAC0")->index), 0x0AC51B00u);
    EXPECT_EQ(board.chip().fuses().read(dev.fuse("MAC1")->index), 0x0100u);
    ASSERT_EQ(r.data.size(), 3u);
    EXPECT_EQ(r.data[0],
              (BoardValue{"serial", "counter", "1000", "memory 9 at 0x60100000", "written"}));
    EXPECT_EQ(status_of(r, "mac"), "written");
    EXPECT_EQ(r.fuses.size(), 2u);
    EXPECT_EQ(r.fuses[0].purpose, "data mac");
    EXPECT_EQ(r.fuses[0].status, FuseStatus::Programmed);

    // The same board again (resumed, or rework): its values are there already.
    r = write_board(job, o, board.port(), {});
    ASSERT_EQ(r.outcome, Outcome::Passed) << r.error;
    EXPECT_EQ(status_of(r, "serial"), "unchanged");
    EXPECT_EQ(status_of(r, "mac"), "unchanged");
    EXPECT_EQ(r.fuses[0].status, FuseStatus::Unchanged);

    // Another serial over the old one: its sector is erased and written again, the UID kept.
    o.reserve = [&](const BoardResult&) { return reserved("1001"); };
    r = write_board(job, o, board.port(), {});
    board.stop();
    ASSERT_EQ(r.outcome, Outcome::Passed) << r.error;
    EXPECT_EQ(test::flash_at(board.chip(), 0x60100000, 16),
              (Bytes{0xE9, 0x03, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF, 1, 2, 3, 4, 5, 6, 7, 8}));
    EXPECT_EQ(r.steps[r.steps.size() - 4].detail,
              "serial 1001 written over e8030000 (sector erased and written again) at "
              "0x60100000 (4 bytes), read back equal");
}

TEST(BoardValues, FuseValuesWaitForTheirFlagAndConflictsRefuseTheBoard) {
    const Job job = job_with_values();
    SimBoard board;
    board.start();
    WriteOptions o;
    o.reserve = [&](const BoardResult&) { return reserved("1000"); };
    std::vector<std::string> warnings;
    const EventSink sink = [&](const Event& e) {
        if (e.kind == EventKind::Warning)
            warnings.push_back(e.message);
    };
    BoardResult r = write_board(job, o, board.port(), sink);
    // Written, but its MAC fuses are not: not a finished board.
    ASSERT_EQ(r.outcome, Outcome::PassedUnfused) << r.error;
    EXPECT_EQ(status_of(r, "mac"), "skipped");
    EXPECT_EQ(warnings, (std::vector<std::string>{
                            "2 fuse words not burned (MAC0, MAC1): --burn-data-fuses not given"}));
    // A MAC0 holding bits the value lacks: refused before anything changes.
    board.stop();
    board.chip().fuses().program(test::rt1020().fuse("MAC0")->index, 0x80000000);
    board.chip().flash().erase_all();
    board.start();
    o.burn_data_fuses = true;
    o.allow_unsigned_fuses = true;
    r = write_board(job, o, board.port(), {});
    board.stop();
    EXPECT_EQ(r.outcome, Outcome::Failed);
    EXPECT_EQ(r.error_step, "read-fuses");
    EXPECT_EQ(r.error,
              "read-fuses: MAC0 (index 0x22) holds 0x80000000, which has bits 0x0ac51b00 lacks: "
              "refusing to burn any fuse");
    EXPECT_TRUE(board.chip().flash().used_ranges().empty());
}

TEST(BoardValues, WithoutAStationTheBoardIsRefused) {
    const Job job = job_with_values();
    SimBoard board;
    board.start();
    const BoardResult r = write_board(job, {}, board.port(), {});
    board.stop();
    EXPECT_EQ(r.outcome, Outcome::Failed);
    EXPECT_EQ(r.error,
              "read-fuses: the package writes per-board values that a station must reserve (a "
              "counter, CSV rows): write with the station's records database");
    EXPECT_TRUE(board.chip().flash().used_ranges().empty());
}

TEST(BoardValues, TheStationMayRefuseABoard) {
    const Job job = test::make_test_job({});
    SimBoard board;
    board.start();
    WriteOptions o;
    o.admit = [](const BoardResult& b) {
        throw Error(ErrorCode::Usage, "quota reached for " + b.uid.value_or("?"));
    };
    const BoardResult r = write_board(job, o, board.port(), {});
    board.stop();
    EXPECT_EQ(r.outcome, Outcome::Refused);
    EXPECT_EQ(r.error, "read-fuses: quota reached for " + *r.uid);
    EXPECT_TRUE(board.chip().flash().used_ranges().empty());
}

}  // namespace
}  // namespace rtprov::write
