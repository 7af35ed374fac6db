// write_board with an image that carries no FCB: the plan's configure-memory 0xF000000F has the
// (simulated) flashloader program one, the engine reads its tag back, and a reconnect never
// repeats it.

#include <gtest/gtest.h>

#include "rtprov/sim/image_check.hpp"
#include "rtprov/write/board.hpp"
#include "write_test_support.hpp"

namespace rtprov::write {
namespace {

using test::SimBoard;

// The XIP image from its IVT on (as padding: false builds it): no FCB, placed at 0x60001000.
test::PackageSpec without_fcb(std::size_t app_size = 0x6000) {
    test::PackageSpec spec;
    const Bytes full = test::xip_image(app_size);
    spec.image.assign(full.begin() + 0x1000, full.end());
    spec.nor_fcb = pkg::NorFcbPlan{};
    return spec;
}

std::vector<std::string> ops(const BoardResult& r) {
    std::vector<std::string> out;
    for (const auto& s : r.steps)
        out.push_back(s.op);
    return out;
}

TEST(WriteBoardFcb, TheFlashloaderProgramsTheFcbAndTheBoardBoots) {
    const Job job = test::make_test_job(without_fcb());
    SimBoard board;
    board.start();
    for (int round = 0; round < 2; ++round) {  // again over its own FCB: erased first
        const BoardResult r = write_board(job, {}, board.port(), {});
        ASSERT_EQ(r.outcome, Outcome::Passed) << round << ": " << r.error;
        EXPECT_EQ(ops(r), (std::vector<std::string>{
                              "load-flashloader", "read-fuses", "configure-memory", "erase",
                              "erase", "configure-memory", "write", "verify", "reset"}));
        EXPECT_EQ(r.steps.at(5).detail,
                  "the flashloader programmed an FCB at 0x60000000 from its configuration (read "
                  "back: \"FCFB\" tag)");
    }
    board.stop();
    const auto verdict = sim::check_flash_boot(board.chip());
    EXPECT_TRUE(verdict.ok) << verdict.reason;
}

// --skip-unchanged: the image's sectors are kept; the FCB sector is erased and programmed again
// (what the flashloader writes is not known before), and the board still boots.
TEST(WriteBoardFcb, SkipUnchangedKeepsTheImageAndRemakesTheFcb) {
    const Job job = test::make_test_job(without_fcb());
    SimBoard board;
    board.start();
    ASSERT_EQ(write_board(job, {}, board.port(), {}).outcome, Outcome::Passed);
    WriteOptions o;
    o.skip_unchanged = true;
    const Job again = test::make_test_job(without_fcb(), o);
    const BoardResult r = write_board(again, o, board.port(), {});
    board.stop();
    ASSERT_EQ(r.outcome, Outcome::Passed) << r.error;
    EXPECT_EQ(r.bytes_written, 0u);
    EXPECT_TRUE(sim::check_flash_boot(board.chip()).ok);
}

// The cable goes during the image write, after the FCB was programmed: the reconnect replays
// the flash configuration only (0xF000000F again would find the FCB area written).
TEST(WriteBoardFcb, AReconnectDoesNotProgramTheFcbAgain) {
    const Job job = test::make_test_job(without_fcb(0x20000));
    SimBoard board;
    board.start();
    std::atomic<int> budget{60000};
    const Port base = board.port();
    const Port flaky{"flaky", [&] {
                         auto t = std::make_unique<test::PulledCable>(base.open(), budget);
                         return std::unique_ptr<transport::Transport>(std::move(t));
                     }};
    WriteOptions o;
    o.backoff = std::chrono::milliseconds(1);
    const BoardResult r = write_board(job, o, flaky, {});
    board.stop();
    ASSERT_EQ(r.outcome, Outcome::Passed) << r.error;
    EXPECT_EQ(r.retries, 1u);
    EXPECT_TRUE(sim::check_flash_boot(board.chip()).ok);
}

}  // namespace
}  // namespace rtprov::write
