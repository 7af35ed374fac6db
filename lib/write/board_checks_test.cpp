// "Passed" means the board boots and is the package's part: identity before anything is erased,
// the boot check after the reset, a HAB rejection not retried, unfused boards told apart.

#include <algorithm>

#include <gtest/gtest.h>

#include "rtprov/sim/image_check.hpp"
#include "rtprov/write/board.hpp"
#include "write_test_support.hpp"

namespace rtprov::write {
namespace {

using test::SimBoard;

bool contains(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

// The board's port with the simulator's own boot check, as `write -p sim:auto` has it.
Port checked_port(SimBoard& board) {
    Port p = board.port();
    p.boot_check = [&board] {
        const sim::Verdict v = sim::check_flash_boot(board.chip());
        return std::pair<bool, std::string>(v.ok, v.reason);
    };
    return p;
}

TEST(PartIdentity, AnotherPartOnTheFixtureIsRefusedBeforeAnythingIsErased) {
    const Job job = test::make_test_job({});  // for the RT1020
    SimBoard board(true, "", device::find_device("mimxrt1060"));
    board.start();
    const BoardResult r = write_board(job, {}, board.port(), {});
    board.stop();
    EXPECT_EQ(r.outcome, Outcome::Failed);
    EXPECT_EQ(r.error_code, ErrorCode::Verification);
    EXPECT_EQ(r.retries, 0u);
    EXPECT_TRUE(contains(r.error, "wrong part at board: its boot ROM enumerates as 1fc9:0135 "
                                  "(mimxrt1040, mimxrt1043, mimxrt1046, mimxrt1060, mimxrt1064), "
                                  "but the package is for mimxrt1020 (boot ROM 1fc9:0130)"))
        << r.error;
    EXPECT_TRUE(board.chip().flash().used_ranges().empty());
    EXPECT_EQ(board.chip().mode(), sim::ChipMode::Rom);  // not even the flashloader was started
}

TEST(PartIdentity, TheRightPartSaysWhatItShowedAndAUartSaysItCannotTell) {
    const Job job = test::make_test_job({});
    for (const bool hid : {true, false}) {
        SimBoard board(hid);
        board.start();
        const BoardResult r = write_board(job, {}, board.port(), {});
        board.stop();
        ASSERT_EQ(r.outcome, Outcome::Passed) << r.error;
        const std::string& detail = r.steps.at(0).detail;
        EXPECT_TRUE(contains(detail, hid ? "boot ROM 1fc9:0130 (mimxrt1020, mimxrt1024, mimxrt1050)"
                                         : "part not identified"))
            << detail;
    }
}

TEST(BootCheck, ASimulatedPartThatDoesNotBootFailsTheBoard) {
    // The image's FCB tag spoilt: written and read back equal, but the ROM finds no FCB.
    test::PackageSpec spec;
    spec.image[0] = 0;
    const Job job = test::make_test_job(spec);
    SimBoard board;
    board.start();
    const BoardResult r = write_board(job, {}, checked_port(board), {});
    board.stop();
    EXPECT_EQ(r.outcome, Outcome::Failed);
    EXPECT_EQ(r.error_code, ErrorCode::Verification);
    EXPECT_EQ(r.error_step, "reset");
    EXPECT_TRUE(contains(r.error, "reset: the board does not boot: no FCB")) << r.error;
    EXPECT_TRUE(r.boot_check.starts_with("does not boot: no FCB")) << r.boot_check;
    EXPECT_EQ(exit_code_of({r}), 4);
}

// A HAB-encrypted (RAM-linked) image boots the simulated part with the key-blob step, which has
// the part wrap the DEK; without it the ROM finds no DEK blob, the app stays ciphertext and the
// board fails, although every byte written read back equal.
TEST(BootCheck, AHabEncryptedImageWithoutItsDekBlobFailsTheBoard) {
    const Bytes dek{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
    const hab::SignResult image =
        test::TestPki::get().sign_encrypted(test::ram_image(), "image", dek);
    ASSERT_TRUE(image.key_blob_address);
    const std::uint32_t blob = 0x60000000 + (*image.key_blob_address - image.address);
    test::PackageSpec spec;
    spec.image = image.data;
    spec.image_signed = true;
    for (const bool with_blob : {true, false}) {
        pkg::Package package = test::make_package(spec);
        auto& plan = package.manifest.write_plan;
        if (with_blob) {
            pkg::WriteStep step;
            step.op = pkg::StepOp::KeyBlob;
            step.memory_id = 9;
            step.address = blob;
            step.secret = "hab-dek";
            const auto write = std::find_if(plan.begin(), plan.end(), [](const pkg::WriteStep& s) {
                return s.op == pkg::StepOp::Write;
            });
            ASSERT_NE(write, plan.end());
            plan.insert(write + 1, step);
        }
        const std::string zip = "package of the test";
        Job job = make_job(package, Bytes(zip.begin(), zip.end()), std::nullopt, {});
        job.secrets["hab-dek"] = dek;
        SimBoard board;
        board.start();
        const BoardResult r = write_board(job, {}, checked_port(board), {});
        board.stop();
        if (with_blob) {
            EXPECT_EQ(r.outcome, Outcome::Passed) << r.error;
            EXPECT_TRUE(contains(
                r.boot_check,
                fmt::format("decrypted with the DEK blob at 0x{:08X}", *image.key_blob_address)))
                << r.boot_check;
        } else {
            EXPECT_EQ(r.outcome, Outcome::Failed);
            EXPECT_EQ(r.error_code, ErrorCode::Verification);
            EXPECT_TRUE(contains(r.error, fmt::format("the board does not boot: HAB-encrypted "
                                                      "image: no DEK blob at 0x{:08X}",
                                                      *image.key_blob_address)))
                << r.error;
            EXPECT_EQ(exit_code_of({r}), 4);
        }
    }
}

TEST(BootCheck, ABootingSimulatedPartPassesAndSaysSo) {
    const Job job = test::make_test_job({});
    SimBoard board;
    board.start();
    const BoardResult r = write_board(job, {}, checked_port(board), {});
    board.stop();
    ASSERT_EQ(r.outcome, Outcome::Passed) << r.error;
    EXPECT_TRUE(r.boot_check.starts_with("boots")) << r.boot_check;
    EXPECT_TRUE(contains(r.steps.back().detail, "boots")) << r.steps.back().detail;
}

TEST(BootCheck, OnHardwareTheRomComingBackInSerialDownloadFailsTheBoard) {
    const Job job = test::make_test_job({});
    WriteOptions o;
    o.boot_check = std::chrono::milliseconds(1000);
    for (const bool internal : {true, false}) {
        for (const bool hid : {false, true}) {
            SimBoard board(hid);
            board.chip().set_boot_pins(internal ? sim::BootPins::Internal
                                                : sim::BootPins::SerialDownloader);
            board.start();
            const BoardResult r = write_board(job, o, board.port(), {});
            board.stop();
            if (internal) {
                // It booted the flash: the ROM stays away.
                ASSERT_EQ(r.outcome, Outcome::Passed) << r.error;
                EXPECT_EQ(board.chip().mode(), sim::ChipMode::App);
                EXPECT_TRUE(r.boot_check.starts_with("boots: no serial-download boot ROM"))
                    << r.boot_check;
            } else {
                EXPECT_EQ(r.outcome, Outcome::Failed);
                EXPECT_EQ(r.error_code, ErrorCode::Verification);
                EXPECT_TRUE(contains(r.error, "its boot ROM came back in serial-download mode"))
                    << r.error;
            }
        }
    }
}

TEST(HabRejection, APartFusedForOtherKeysIsNotRetriedAndSaysWhy) {
    const Job job = test::make_test_job(test::signed_spec());
    SimBoard board;
    sim::Fuses& fuses = board.chip().fuses();
    fuses.program(board.chip().device().fuse("SRK0")->index, 0x12345678);  // another SRK hash
    const device::FuseField* close = board.chip().device().fuse_field("SEC_CONFIG[1]");
    ASSERT_NE(close, nullptr);
    fuses.program(board.chip().device().fuse(close->word)->index, 1u << close->shift);
    ASSERT_TRUE(fuses.hab_closed());
    board.start();
    WriteOptions o;
    o.retries = 3;
    const BoardResult r = write_board(job, o, board.port(), {});
    board.stop();
    EXPECT_EQ(r.outcome, Outcome::Failed);
    EXPECT_EQ(r.error_code, ErrorCode::Verification);
    EXPECT_EQ(r.retries, 0u);
    EXPECT_TRUE(contains(r.error, "the closed part rejected the package's signed flashloader "
                                  "flashloader/flashloader_signed.bin: it is most likely fused "
                                  "with another SRK hash"))
        << r.error;
    EXPECT_TRUE(contains(r.error, "INVALID_SIGNATURE")) << r.error;
    EXPECT_EQ(exit_code_of({r}), 4);
    EXPECT_TRUE(board.chip().flash().used_ranges().empty());
}

TEST(Outcomes, AFusePlanLeftUnburnedIsPassedUnfusedUnlessWaived) {
    const Job job = test::make_test_job(test::signed_spec());
    for (const bool waive : {false, true}) {
        SimBoard board;
        board.start();
        WriteOptions o;
        o.no_fuses = waive;
        const BoardResult r = write_board(job, o, board.port(), {});
        board.stop();
        EXPECT_EQ(r.outcome, waive ? Outcome::Passed : Outcome::PassedUnfused) << r.error;
        EXPECT_EQ(r.fuses_waived, waive);
        EXPECT_EQ(exit_code_of({r}), waive ? 0 : kExitPassedUnfused);
    }
}

TEST(Outcomes, TheWorstBoardDecidesTheExitCode) {
    BoardResult unfused;
    unfused.outcome = Outcome::PassedUnfused;
    BoardResult passed;
    passed.outcome = Outcome::Passed;
    BoardResult refused;
    refused.outcome = Outcome::Refused;
    refused.error_code = ErrorCode::Usage;
    BoardResult failed;
    failed.outcome = Outcome::Failed;
    failed.error_code = ErrorCode::Device;
    EXPECT_EQ(exit_code_of({passed, unfused}), 6);
    EXPECT_EQ(exit_code_of({passed, unfused, refused}), 1);
    EXPECT_EQ(exit_code_of({unfused, failed, refused}), 3);
    EXPECT_EQ(exit_code_of({passed}), 0);
}

}  // namespace
}  // namespace rtprov::write
