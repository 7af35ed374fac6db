// write_board against the simulator's own server (a pty and a HID-report socket on a thread):
// the whole plan, comparing and resuming, retries after a lost link, and a failing flash.

#include "rtprov/write/board.hpp"

#include <gtest/gtest.h>

#include "rtprov/sim/image_check.hpp"
#include "write_test_support.hpp"

namespace rtprov::write {
namespace {

using test::SimBoard;

std::vector<std::string> ops(const BoardResult& r) {
    std::vector<std::string> out;
    for (const auto& s : r.steps)
        out.push_back(s.op);
    return out;
}

// Collects the events of a run.
struct Events {
    std::vector<Event> all;
    EventSink sink() {
        return [this](const Event& e) { all.push_back(e); };
    }
    std::size_t count(EventKind kind) const {
        return static_cast<std::size_t>(
            std::count_if(all.begin(), all.end(), [&](const Event& e) { return e.kind == kind; }));
    }
};

TEST(WriteBoard, WritesVerifiesAndResetsOverAPty) {
    const Job job = test::make_test_job({});
    SimBoard board;
    board.start();
    Events events;
    const BoardResult r = write_board(job, {}, board.port("pty"), events.sink());
    board.stop();
    ASSERT_EQ(r.outcome, Outcome::Passed) << r.error;
    EXPECT_EQ(ops(r),
              (std::vector<std::string>{"load-flashloader", "read-fuses", "configure-memory",
                                        "erase", "write", "verify", "reset"}));
    const Bytes& image = job.package.files.at("images/flexspi-nor.bin");
    EXPECT_EQ(test::flash_at(board.chip(), 0x60000000, image.size()), image);
    EXPECT_EQ(r.bytes_written, image.size());
    EXPECT_EQ(r.hab_closed, false);
    EXPECT_EQ(board.chip().mode(), sim::ChipMode::Rom);  // reset
    const auto verdict = sim::check_flash_boot(board.chip());
    EXPECT_TRUE(verdict.ok) << verdict.reason;
    EXPECT_EQ(r.uid, fmt::format("{:08x}{:08x}", *board.chip().fuses().read(2),
                                 *board.chip().fuses().read(1)));
    EXPECT_EQ(events.all.front().kind, EventKind::Start);
    EXPECT_EQ(events.all.back().kind, EventKind::Result);
    EXPECT_GT(events.count(EventKind::Progress), 0u);
    EXPECT_EQ(events.count(EventKind::StepStart), 7u);
    EXPECT_EQ(events.count(EventKind::Retry), 0u);
    // Only the sectors of the image were erased: the flash beyond it was never touched.
    EXPECT_EQ(board.chip().flash().used_ranges().size(), 1u);
}

TEST(WriteBoard, WritesOverTheHidSocket) {
    const Job job = test::make_test_job({});
    SimBoard board(true);
    board.start();
    const BoardResult r = write_board(job, {}, board.port("hid"), {});
    board.stop();
    ASSERT_EQ(r.outcome, Outcome::Passed) << r.error;
    EXPECT_TRUE(sim::check_flash_boot(board.chip()).ok);
}

TEST(WriteBoard, SkipUnchangedWritesNothingOnAnUnchangedBoard) {
    const Job job = test::make_test_job({});
    SimBoard board;
    board.start();
    ASSERT_EQ(write_board(job, {}, board.port(), {}).outcome, Outcome::Passed);
    WriteOptions o;
    o.skip_unchanged = true;
    const BoardResult again = write_board(job, o, board.port(), {});
    ASSERT_EQ(again.outcome, Outcome::Passed) << again.error;
    const std::size_t size = job.package.files.at("images/flexspi-nor.bin").size();
    EXPECT_EQ(again.bytes_written, 0u);
    EXPECT_EQ(again.bytes_unchanged, size);
    EXPECT_EQ(again.steps[3].detail,
              fmt::format("compared {} sectors of 4096 bytes: {} unchanged, 0 blank, 0 erased",
                          (size + 4095) / 4096, (size + 4095) / 4096));
    EXPECT_EQ(again.steps[4].status, "skipped");
}

// An interrupted write left the first sectors written, one half-programmed and the rest blank: a
// resumed run keeps what is right, erases only the damaged sector and writes the rest.
TEST(WriteBoard, ResumesAnInterruptedWrite) {
    const Job job = test::make_test_job({});
    const Bytes& image = job.package.files.at("images/flexspi-nor.bin");
    SimBoard board;
    board.chip().flash().program(0, ByteView(image).first(0x3000));
    Bytes half(0x800, 0x00);
    board.chip().flash().program(0x3000, half);
    board.start();
    WriteOptions o;
    std::string asked;
    o.was_interrupted = [&](const std::string& uid) {
        asked = uid;
        return true;
    };
    Events events;
    const BoardResult r = write_board(job, o, board.port(), events.sink());
    board.stop();
    ASSERT_EQ(r.outcome, Outcome::Passed) << r.error;
    EXPECT_TRUE(r.resumed);
    EXPECT_EQ(asked, r.uid);
    EXPECT_EQ(r.bytes_unchanged, 0x3000u);
    EXPECT_EQ(r.bytes_written, image.size() - 0x3000);
    EXPECT_EQ(test::flash_at(board.chip(), 0x60000000, image.size()), image);
    const std::size_t sectors = (image.size() + 4095) / 4096;
    EXPECT_EQ(r.steps[3].detail,
              fmt::format("compared {} sectors of 4096 bytes: 3 unchanged, {} blank, 1 erased",
                          sectors, sectors - 4));
    EXPECT_EQ(events.count(EventKind::Warning), 1u);
}

TEST(WriteBoard, DryRunReadsTheFusePlanAndChangesNothing) {
    test::PackageSpec spec;
    spec.srk_hash = test::TestPki::get().hash();
    WriteOptions o;
    o.dry_run = true;
    o.burn_srk = true;
    o.allow_unsigned_fuses = true;
    const Job job = test::make_test_job(spec, o);
    SimBoard board;
    board.start();
    const BoardResult r = write_board(job, o, board.port(), {});
    board.stop();
    EXPECT_EQ(r.outcome, Outcome::DryRun) << r.error;
    EXPECT_EQ(ops(r), (std::vector<std::string>{"load-flashloader", "read-fuses"}));
    ASSERT_EQ(r.fuses.size(), 9u);  // SRK0..7, then SRK_LOCK in LOCK
    EXPECT_EQ(r.fuses[0].word, "SRK0");
    EXPECT_EQ(r.fuses[0].current, 0u);
    EXPECT_EQ(r.fuses[0].target, job.package.manifest.fuses[0].value);
    EXPECT_EQ(r.fuses[0].status, FuseStatus::Planned);
    EXPECT_EQ(r.fuses[8].word, "LOCK");
    EXPECT_EQ(r.fuses[8].purpose, "lock SRK_LOCK");
    EXPECT_EQ(r.fuses[8].target, 1u << 14);
    EXPECT_TRUE(board.chip().flash().used_ranges().empty());
    EXPECT_EQ(board.chip().fuses().read(0x18), 0u);
}

TEST(WriteBoard, StopsAtTheNextChunkWhenStopped) {
    const Job job = test::make_test_job({});
    SimBoard board;
    board.start();
    std::atomic<bool> stop{false};
    const EventSink sink = [&](const Event& e) {
        if (e.kind == EventKind::StepStart && e.op == "write")
            stop = true;
    };
    const BoardResult r = write_board(job, {}, board.port(), sink, &stop);
    EXPECT_EQ(r.outcome, Outcome::Interrupted);
    EXPECT_EQ(r.error, "write: interrupted: the run was stopped");
}

TEST(WriteBoard, ReportsAFlashThatFailsEveryProgram) {
    const Job job = test::make_test_job({});
    SimBoard board(false, "program-fail=1");
    board.start();
    WriteOptions o;
    o.retries = 2;
    o.backoff = std::chrono::milliseconds(1);
    Events events;
    const BoardResult r = write_board(job, o, board.port("faulty"), events.sink());
    EXPECT_EQ(r.outcome, Outcome::Failed);
    EXPECT_EQ(r.error_code, ErrorCode::Device);
    EXPECT_EQ(r.error_step, "write");
    EXPECT_EQ(r.error,
              fmt::format("write: write 0x60000000..0x{:08X} (gave up after 3 attempts): "
                          "write-memory: kStatus_FlexSPINOR_ProgramFail (20100)",
                          0x60000000 + job.package.files.at("images/flexspi-nor.bin").size() - 1));
    EXPECT_EQ(r.retries, 2u);
    EXPECT_EQ(events.count(EventKind::Retry), 2u);
}

// A link that dies once in the middle of the write: the engine opens the port again, finds the
// flashloader still running, configures the memory again and carries on.
TEST(WriteBoard, RetriesAfterTheLinkDropsMidWrite) {
    for (bool hid : {false, true}) {
        test::PackageSpec spec;
        spec.image = test::xip_image(0x20000);
        const Job job = test::make_test_job(spec);
        SimBoard board(hid);
        board.start();
        std::atomic<int> budget{60000};  // bytes the host sends before the cable goes
        const Port base = board.port();
        const Port flaky{"flaky", [&] {
                             auto t = std::make_unique<test::PulledCable>(base.open(), budget);
                             return std::unique_ptr<transport::Transport>(std::move(t));
                         }};
        WriteOptions o;
        o.backoff = std::chrono::milliseconds(1);
        Events events;
        const BoardResult r = write_board(job, o, flaky, events.sink());
        board.stop();
        ASSERT_EQ(r.outcome, Outcome::Passed) << r.error;
        EXPECT_EQ(r.retries, 1u);
        ASSERT_EQ(events.count(EventKind::Retry), 1u);
        const auto retry = std::find_if(events.all.begin(), events.all.end(),
                                        [](const Event& e) { return e.kind == EventKind::Retry; });
        EXPECT_EQ(retry->op, "write");
        EXPECT_NE(retry->message.find("cable pulled"), std::string::npos);
        const Bytes& image = job.package.files.at("images/flexspi-nor.bin");
        EXPECT_EQ(test::flash_at(board.chip(), 0x60000000, image.size()), image);
    }
}

TEST(WriteBoard, AGoneBoardFailsWithItsLinkError) {
    const Job job = test::make_test_job({});
    WriteOptions o;
    o.retries = 1;
    o.backoff = std::chrono::milliseconds(1);
    const Port nothing{"uart:/nonexistent",
                       [] { return transport::open_uart("/nonexistent", 115200); }};
    const BoardResult r = write_board(job, o, nothing, {});
    EXPECT_EQ(r.outcome, Outcome::Failed);
    EXPECT_EQ(r.error,
              "load-flashloader: connect (gave up after 2 attempts): cannot open serial port "
              "/nonexistent: No such file or directory");
    EXPECT_EQ(exit_code_of({r}), 3);
}

TEST(WriteBoard, ExitCodeIsTheMostSeriousFailure) {
    BoardResult passed;
    passed.outcome = Outcome::Passed;
    BoardResult link;
    link.outcome = Outcome::Failed;
    link.error_code = ErrorCode::Device;
    BoardResult check;
    check.outcome = Outcome::Failed;
    check.error_code = ErrorCode::Verification;
    EXPECT_EQ(exit_code_of({}), 0);
    EXPECT_EQ(exit_code_of({passed, passed}), 0);
    EXPECT_EQ(exit_code_of({passed, link}), 3);
    EXPECT_EQ(exit_code_of({link, check, passed}), 4);
}

}  // namespace
}  // namespace rtprov::write
