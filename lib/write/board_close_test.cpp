// Closing decides on what is on the part (issue 24, point 2): the boot image read back after
// every flash step, per-board data included, must HAB-verify against the SRK fuses just read,
// whatever images[] says. A package that writes something else is never closed.

#include <gtest/gtest.h>

#include "rtprov/boot/image.hpp"
#include "rtprov/sim/image_check.hpp"
#include "rtprov/write/board.hpp"
#include "write_test_support.hpp"

namespace rtprov::write {
namespace {

using test::SimBoard;

WriteOptions closing() {
    WriteOptions o;
    o.burn_srk = true;
    o.close = true;
    o.allow_unsigned_fuses = true;  // the test packages are not signed (issue 24, point 3)
    o.backoff = std::chrono::milliseconds(1);
    return o;
}

Job job_of(pkg::Package p, const WriteOptions& o) {
    const std::string zip = "package of the test";
    return make_job(std::move(p), Bytes(zip.begin(), zip.end()), std::nullopt, o);
}

std::size_t index_of(const pkg::Manifest& m, pkg::StepOp op) {
    for (std::size_t i = 0; i < m.write_plan.size(); ++i) {
        if (m.write_plan[i].op == op)
            return i;
    }
    ADD_FAILURE() << "no step " << pkg::step_op_name(op);
    return 0;
}

// The signed test package with `bytes` written by its write and verify steps instead of the
// signed image images[] lists (erased over the same length).
pkg::Package writing_instead(const Bytes& bytes) {
    pkg::Package p = test::make_package(test::signed_spec());
    const std::string path = "images/other.bin";
    p.manifest.files.push_back(
        {path, hab::hash_hex(hab::sha256(bytes)), bytes.size(), pkg::FileRole::Image});
    p.files[path] = bytes;
    for (pkg::WriteStep& s : p.manifest.write_plan) {
        if (s.op == pkg::StepOp::Write || s.op == pkg::StepOp::Verify)
            s.file = path;
    }
    return p;
}

// The part was not closed: SEC_CONFIG[1] (BOOT_CFG1 bit 1) is not burned, the locks not either.
void expect_not_closed(SimBoard& board, const BoardResult& r) {
    EXPECT_EQ(r.outcome, Outcome::Failed);
    EXPECT_EQ(r.error_code, ErrorCode::Verification);
    EXPECT_EQ(r.error_step, "close");
    EXPECT_EQ(exit_code_of({r}), 4);
    EXPECT_FALSE(board.chip().fuses().hab_closed());
    EXPECT_EQ(board.chip().fuses().field("SEC_CONFIG[1]"), 0u);
    EXPECT_EQ(board.chip().fuses().field("SRK_LOCK"), 0u);
    for (const auto& f : r.fuses) {
        if (f.purpose == "close" || f.purpose.starts_with("lock ")) {
            EXPECT_EQ(f.status, FuseStatus::NotAttempted) << f.word;
        }
    }
}

std::string error_head(const BoardResult& r) {
    return r.error.substr(0, r.error.find(": ", r.error.find("SRK fuses (")));
}

TEST(WriteClose, TheImageReadBackFromThePartIsWhatIsVerified) {
    const Job job = test::make_test_job(test::signed_spec(), closing());
    SimBoard board;
    board.start();
    const BoardResult r = write_board(job, closing(), board.port(), {});
    board.stop();
    ASSERT_EQ(r.outcome, Outcome::Passed) << r.error;
    EXPECT_TRUE(board.chip().fuses().hab_closed());
    const auto close = std::find_if(r.steps.begin(), r.steps.end(),
                                    [](const StepRecord& s) { return s.op == "close"; });
    ASSERT_NE(close, r.steps.end());
    const std::size_t length =
        boot::parse_boot_image(test::signed_spec().image, "image").boot_data.length;
    EXPECT_EQ(close->detail,
              fmt::format("the boot image read back from the part (memory 0x9 at 0x60000000, "
                          "0x{:X} bytes) verifies against its SRK fuses; SEC_CONFIG[1] burned: "
                          "the part boots only images signed for its SRK hash",
                          length));
}

// Attack: per-board data written over the CSF after verify (images[] still verifies).
TEST(WriteClose, PerBoardDataOverTheCsfLeavesThePartOpen) {
    const test::PackageSpec spec = test::signed_spec();
    pkg::Package p = test::make_package(spec);
    const boot::ParsedImage parsed = boot::parse_boot_image(spec.image, "image");
    ASSERT_TRUE(parsed.csf_file_offset.has_value());
    pkg::WriteStep uid;
    uid.op = pkg::StepOp::PerBoardData;
    uid.data.name = "uid";
    uid.data.source = pkg::BoardDataSource::Uid;
    uid.data.format = pkg::BoardDataFormat::Hex;
    uid.data.size = 8;
    uid.data.memory_id = 9;
    uid.data.address = p.manifest.images[0].address + *parsed.csf_file_offset + 0x10;
    auto& plan = p.manifest.write_plan;
    plan.insert(
        plan.begin() + static_cast<std::ptrdiff_t>(index_of(p.manifest, pkg::StepOp::ProgramFuses)),
        uid);
    const Job job = job_of(std::move(p), closing());
    SimBoard board;
    board.chip().fuses().set_uid(0x0102030405060708);
    board.start();
    const BoardResult r = write_board(job, closing(), board.port(), {});
    board.stop();
    expect_not_closed(board, r);
    EXPECT_EQ(error_head(r),
              fmt::format("close: BOOT_CFG1 (index 0x06): closing refused: the boot image read "
                          "back from the part (memory 0x9 at 0x60000000, 0x{:X} bytes) does not "
                          "verify against its SRK fuses ({})",
                          parsed.boot_data.length, hab::hash_hex(test::TestPki::get().hash())));
}

// Attack: the write and verify steps write an unsigned copy; images[] lists the signed image.
TEST(WriteClose, AnUnsignedImageWrittenInsteadOfTheListedOneLeavesThePartOpen) {
    const Job job = job_of(writing_instead(test::xip_image()), closing());
    SimBoard board;
    board.start();
    const BoardResult r = write_board(job, closing(), board.port(), {});
    board.stop();
    expect_not_closed(board, r);
    EXPECT_NE(r.error.find("closing refused: the boot image read back from the part (memory 0x9 "
                           "at 0x60000000"),
              std::string::npos)
        << r.error;
}

// Attack: images: [] (nothing for the job-level check to verify), an unsigned image written.
TEST(WriteClose, APackageWithoutImagesIsCheckedOnThePartToo) {
    pkg::Package p = writing_instead(test::xip_image());
    p.manifest.images.clear();
    const Job job = job_of(std::move(p), closing());
    SimBoard board;
    board.start();
    const BoardResult r = write_board(job, closing(), board.port(), {});
    board.stop();
    expect_not_closed(board, r);
}

// Attack: the flash changes after the write steps (here: behind the flashloader's back, between
// the verify and the close, as a glitch or a second writer would): what is on the part decides.
TEST(WriteClose, FlashChangedAfterVerifyLeavesThePartOpen) {
    const test::PackageSpec spec = test::signed_spec();
    const Job job = test::make_test_job(spec, closing());
    const boot::ParsedImage parsed = boot::parse_boot_image(spec.image, "image");
    SimBoard board;
    board.start();
    bool corrupted = false;
    const BoardResult r = write_board(job, closing(), board.port(), [&](const Event& e) {
        // The engine emits this before it sends anything: the simulator waits for a command.
        if (e.kind == EventKind::StepStart && e.op == "close" && !corrupted) {
            corrupted = true;
            // NOR bits only go 1 -> 0: clear a byte of the app, inside what the CSF signs.
            const std::uint32_t offset = parsed.app_file_offset.value_or(0x2000) + 0x100;
            const Bytes zero(1, 0x00);
            board.chip().flash().program(offset, zero);
        }
    });
    board.stop();
    ASSERT_TRUE(corrupted);
    expect_not_closed(board, r);
}

// The part closes before the first lock-fuses or reset step: nothing may change the flash after.
TEST(WriteClose, AFlashStepAfterTheClosePointIsRefusedBeforeAnyBoard) {
    pkg::Package p = test::make_package(test::signed_spec());
    pkg::WriteStep uid;
    uid.op = pkg::StepOp::PerBoardData;
    uid.data.name = "uid";
    uid.data.source = pkg::BoardDataSource::Uid;
    uid.data.format = pkg::BoardDataFormat::Hex;
    uid.data.size = 8;
    uid.data.memory_id = 9;
    uid.data.address = 0x60100000;
    auto& plan = p.manifest.write_plan;
    const std::size_t lock = index_of(p.manifest, pkg::StepOp::LockFuses);
    plan.insert(plan.begin() + static_cast<std::ptrdiff_t>(lock + 1), uid);
    try {
        job_of(std::move(p), closing());
        FAIL() << "accepted";
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), ErrorCode::BadInput);
        EXPECT_EQ(e.message(),
                  fmt::format("--close: write-plan step {} (per-board-data) changes the boot "
                              "device after step {} (lock-fuses), where the part closes: closing "
                              "must come after every flash step",
                              lock + 1, lock));
    }
}

}  // namespace
}  // namespace rtprov::write
