// A dry run shows every fuse word the run would burn, per-board words included (their value is
// assigned at write time), and changes nothing on the board.

#include <gtest/gtest.h>

#include "rtprov/write/board.hpp"
#include "rtprov/write/events_json.hpp"
#include "write_test_support.hpp"

namespace rtprov::write {
namespace {

using test::SimBoard;

// The test package with a MAC address from a CSV column (MAC0, MAC1) and the UID in fuses GP1,
// GP2 (its value is the board's own), before the reset.
Job job_with_fuse_values() {
    pkg::Package p = test::make_package({});
    pkg::WriteStep mac;
    mac.op = pkg::StepOp::PerBoardData;
    mac.data = {"mac", pkg::BoardDataSource::Csv, 0, "mac", pkg::BoardDataFormat::Hex, 6, 0,
                0,     {"MAC0", "MAC1"}};
    pkg::WriteStep uid;
    uid.op = pkg::StepOp::PerBoardData;
    uid.data = {"uid",         pkg::BoardDataSource::Uid, 0, "", pkg::BoardDataFormat::Hex, 8, 0, 0,
                {"GP1", "GP2"}};
    auto& plan = p.manifest.write_plan;
    plan.insert(plan.end() - 1, {mac, uid});
    const std::string zip = "package with per-board fuses";
    return make_job(std::move(p), Bytes(zip.begin(), zip.end()), std::nullopt, {});
}

// Attack (what reviewers see): a dry run used to say "0 fuse words: 0 to burn" while the run
// burns MAC0 and MAC1 (and the UID's words).
TEST(WriteDryRun, PerBoardFuseWordsAreInThePlan) {
    const Job job = job_with_fuse_values();
    SimBoard board;
    board.chip().fuses().set_uid(0x0102030405060708);
    board.start();
    WriteOptions o;
    o.dry_run = true;
    o.burn_data_fuses = true;
    o.allow_unsigned_fuses = true;  // an unsigned in-memory job: the waiver, as its CLI flag
    std::vector<std::string> warnings;
    const EventSink sink = [&](const Event& e) {
        if (e.kind == EventKind::Warning)
            warnings.push_back(e.message);
    };
    const BoardResult r = write_board(job, o, board.port(), sink);
    board.stop();
    ASSERT_EQ(r.outcome, Outcome::DryRun) << r.error;
    ASSERT_EQ(r.fuses.size(), 4u);
    const device::Device& dev = test::rt1020();
    EXPECT_EQ(r.fuses[0].word, "MAC0");
    EXPECT_EQ(r.fuses[0].index, dev.fuse("MAC0")->index);
    EXPECT_EQ(r.fuses[0].purpose, "data mac");
    EXPECT_EQ(r.fuses[0].status, FuseStatus::Assigned);
    EXPECT_EQ(r.fuses[1].word, "MAC1");
    EXPECT_EQ(r.fuses[1].status, FuseStatus::Assigned);
    // The UID is known: its words are planned with their values, as the run burns them.
    EXPECT_EQ(r.fuses[2], (FuseRow{"GP1", dev.fuse("GP1")->index, 0, 0x04030201, "data uid",
                                   FuseStatus::Planned, std::nullopt, 0xFFFFFFFF, ""}));
    EXPECT_EQ(r.fuses[3].target, 0x08070605u);
    ASSERT_GE(r.steps.size(), 2u);
    EXPECT_EQ(r.steps[1].op, "read-fuses");
    EXPECT_EQ(r.steps[1].detail,
              "UID 0102030405060708; 4 fuse words: 4 to burn (2 assigned at write time), 0 "
              "unchanged, 0 skipped");
    EXPECT_EQ(warnings, (std::vector<std::string>{
                            "dry run: per-board values are not reserved; their fuse words are "
                            "shown as assigned at write time"}));
    const auto row = fuse_row_json(r.fuses[0]);
    EXPECT_EQ(row["new"], nullptr);
    EXPECT_EQ(row["status"], "assigned");
    // Nothing changed: no fuse, no flash.
    EXPECT_EQ(board.chip().fuses().read(dev.fuse("MAC0")->index), 0u);
    EXPECT_EQ(board.chip().fuses().read(dev.fuse("GP1")->index), 0u);
    EXPECT_TRUE(board.chip().flash().used_ranges().empty());
}

TEST(WriteDryRun, WithoutTheFlagThePerBoardWordsAreSkipped) {
    const Job job = job_with_fuse_values();
    SimBoard board;
    board.start();
    WriteOptions o;
    o.dry_run = true;
    const BoardResult r = write_board(job, o, board.port(), {});
    board.stop();
    ASSERT_EQ(r.outcome, Outcome::DryRun) << r.error;
    ASSERT_EQ(r.fuses.size(), 4u);
    for (const auto& f : r.fuses)
        EXPECT_EQ(f.status, FuseStatus::Skipped) << f.word;
    EXPECT_NE(r.steps[1].detail.find("0 to burn, 0 unchanged, 4 skipped"), std::string::npos)
        << r.steps[1].detail;
}

}  // namespace
}  // namespace rtprov::write
