// The fuse steps of write_board against the simulated OCOTP: SRK burning only with --burn-srk,
// closing only when the image verifies and the SRK fuses read back right, locks last, refusals
// before any fuse changes, and a half-burned set reported word by word.

#include <gtest/gtest.h>

#include "rtprov/sim/image_check.hpp"
#include "rtprov/write/board.hpp"
#include "write_test_support.hpp"

namespace rtprov::write {
namespace {

using test::SimBoard;
using test::TestPki;

std::vector<std::string> ops(const BoardResult& r) {
    std::vector<std::string> out;
    for (const auto& s : r.steps)
        out.push_back(s.op);
    return out;
}

std::vector<std::uint32_t> fuse_values(const sim::Chip& chip) {
    std::vector<std::uint32_t> out;
    for (const auto& w : chip.fuses().words())
        out.push_back(w.value);
    return out;
}

// A signed image, a plain and a signed flashloader, and the SRK fuse plan of the test PKI.
WriteOptions burning(bool close) {
    WriteOptions o;
    o.burn_srk = true;
    o.close = close;
    o.allow_unsigned_fuses = true;  // the test package is not signed
    o.backoff = std::chrono::milliseconds(1);
    return o;
}

TEST(WriteFuses, WithoutBurnSrkNoFuseIsTouched) {
    const Job job = test::make_test_job(test::signed_spec());
    SimBoard board;
    board.start();
    std::vector<std::string> warnings;
    const BoardResult r = write_board(job, {}, board.port(), [&](const Event& e) {
        if (e.kind == EventKind::Warning)
            warnings.push_back(e.message);
    });
    board.stop();
    // Written without its fuse plan: passed-unfused, never plain passed.
    ASSERT_EQ(r.outcome, Outcome::PassedUnfused) << r.error;
    EXPECT_EQ(exit_code_of({r}), kExitPassedUnfused);
    for (const auto& f : r.fuses)
        EXPECT_EQ(f.status, FuseStatus::Skipped) << f.word;
    EXPECT_EQ(warnings, std::vector<std::string>{
                            "9 fuse words not burned (SRK0, SRK1, SRK2, SRK3, SRK4, SRK5, SRK6, "
                            "SRK7, LOCK): --burn-srk not given"});
    EXPECT_EQ(board.chip().fuses().read(0x18), 0u);
    EXPECT_EQ(r.steps[6].op, "program-fuses");
    EXPECT_EQ(r.steps[6].status, "skipped");
    EXPECT_EQ(r.steps[6].detail,
              "8 words not burned (--burn-srk not given), 0 already hold their values");
}

TEST(WriteFuses, BurnsTheSrkHashVerifiesItAndLocksLast) {
    const Job job = test::make_test_job(test::signed_spec());
    SimBoard board;
    board.start();
    const BoardResult r = write_board(job, burning(false), board.port(), {});
    board.stop();
    ASSERT_EQ(r.outcome, Outcome::Passed) << r.error;
    EXPECT_EQ(ops(r), (std::vector<std::string>{"load-flashloader", "read-fuses",
                                                "configure-memory", "erase", "write", "verify",
                                                "program-fuses", "lock-fuses", "reset"}));
    const hab::SrkFuseWords words = hab::srk_fuse_words(TestPki::get().hash());
    for (std::size_t i = 0; i < 8; ++i) {
        EXPECT_EQ(board.chip().fuses().read(0x18 + static_cast<std::uint32_t>(i)), words[i]);
        EXPECT_EQ(r.fuses[i].status, FuseStatus::Programmed);
        EXPECT_EQ(r.fuses[i].read_back, words[i]);
    }
    EXPECT_EQ(r.fuses[8].status, FuseStatus::Programmed);
    EXPECT_EQ(board.chip().fuses().field("SRK_LOCK"), 1u);
    EXPECT_FALSE(board.chip().fuses().hab_closed());

    // Again on the same board: every word already holds its value, nothing is burned.
    board.start();
    const BoardResult again = write_board(job, burning(false), board.port(), {});
    ASSERT_EQ(again.outcome, Outcome::Passed) << again.error;
    for (const auto& f : again.fuses)
        EXPECT_EQ(f.status, FuseStatus::Unchanged) << f.word;
}

TEST(WriteFuses, ClosesAPartWhoseImageVerifiesAndItBoots) {
    const Job job = test::make_test_job(test::signed_spec(), burning(true));
    SimBoard board;
    board.start();
    const BoardResult r = write_board(job, burning(true), board.port(), {});
    board.stop();
    ASSERT_EQ(r.outcome, Outcome::Passed) << r.error;
    EXPECT_EQ(ops(r), (std::vector<std::string>{"load-flashloader", "read-fuses",
                                                "configure-memory", "erase", "write", "verify",
                                                "program-fuses", "close", "lock-fuses", "reset"}));
    EXPECT_TRUE(board.chip().fuses().hab_closed());
    const auto verdict = sim::check_flash_boot(board.chip());
    EXPECT_TRUE(verdict.ok) << verdict.reason;

    // The closed part needs the signed flashloader now; a re-run finds everything in place.
    board.start();
    WriteOptions o = burning(true);
    o.skip_unchanged = true;
    const BoardResult again = write_board(job, o, board.port(), {});
    ASSERT_EQ(again.outcome, Outcome::Passed) << again.error;
    EXPECT_EQ(again.hab_closed, true);
    EXPECT_NE(again.steps[0].detail.find("flashloader/flashloader_signed.bin"), std::string::npos)
        << again.steps[0].detail;
    EXPECT_EQ(again.bytes_written, 0u);
}

TEST(WriteFuses, ClosingWithAnotherSrkHashBurnedIsRefusedBeforeAnyFuseChanges) {
    const Job job = test::make_test_job(test::signed_spec(), burning(true));
    SimBoard board;
    // Another key's hash is already in the fuses (a bit of SRK3 set that the plan's value lacks).
    const std::uint32_t target = hab::srk_fuse_words(TestPki::get().hash())[3];
    std::uint32_t other = 1;
    while ((target & other) != 0)
        other <<= 1;
    board.chip().fuses().program(0x1B, other);
    const auto before = fuse_values(board.chip());
    board.start();
    const BoardResult r = write_board(job, burning(true), board.port(), {});
    board.stop();
    EXPECT_EQ(r.outcome, Outcome::Failed);
    EXPECT_EQ(r.error_code, ErrorCode::Verification);
    EXPECT_EQ(r.error_step, "read-fuses");
    EXPECT_EQ(r.error, fmt::format("read-fuses: closing refused: SRK3 (index 0x1B) holds 0x{:08x}, "
                                   "which has bits 0x{:08x} lacks: refusing to burn any fuse",
                                   other, hab::srk_fuse_words(TestPki::get().hash())[3]));
    EXPECT_EQ(fuse_values(board.chip()), before);
    EXPECT_TRUE(board.chip().flash().used_ranges().empty());  // nothing written either
}

TEST(WriteFuses, ClosingWithoutBurnSrkNeedsTheHashInTheFusesAlready) {
    WriteOptions o;
    o.close = true;
    o.allow_unsigned_fuses = true;
    const Job job = test::make_test_job(test::signed_spec(), o);
    SimBoard board;
    board.start();
    const BoardResult r = write_board(job, o, board.port(), {});
    EXPECT_EQ(r.outcome, Outcome::Failed);
    EXPECT_EQ(r.error,
              fmt::format("read-fuses: closing refused: the SRK fuses hold {}, not the hash the "
                          "package's image is signed for ({}); give --burn-srk to burn it",
                          hab::hash_hex(hab::SrkHash{}), hab::hash_hex(TestPki::get().hash())));
}

TEST(WriteFuses, CloseIsRefusedForAnUnsignedImageOrAnotherKeyBeforeAnyBoard) {
    WriteOptions o = burning(true);
    try {
        test::PackageSpec spec;
        spec.srk_hash = TestPki::get().hash();
        test::make_test_job(spec, o);
        FAIL();
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), ErrorCode::Usage);
        EXPECT_STREQ(e.what(),
                     "--close: images/flexspi-nor.bin is not signed: a closed part would not "
                     "boot it");
    }
    try {
        test::PackageSpec spec = test::signed_spec();
        spec.srk_hash = hab::SrkHash{1, 2, 3};  // the plan would burn a hash of other keys
        test::make_test_job(spec, o);
        FAIL();
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), ErrorCode::Verification);
        EXPECT_TRUE(std::string(e.what()).starts_with(
            "closing refused: images/flexspi-nor.bin does not verify against the SRK hash the "
            "package burns (010203"))
            << e.what();
    }
}

// Pulls the cable right after the Nth efuse-program-once command has gone out (HID reports:
// the MCUBoot command tag follows the 3-byte report header); the port cannot be opened again.
class CablePull : public transport::Transport {
  public:
    CablePull(std::unique_ptr<transport::Transport> inner, int& programs_left)
        : inner_(std::move(inner)), left_(programs_left) {}
    bool is_hid() const override { return true; }
    void write_report(std::uint8_t id, ByteView payload) override {
        check();
        inner_->write_report(id, payload);
        if (id == 1 && payload.size() > 3 && payload[3] == 0x0E)
            --left_;
    }
    std::optional<transport::HidReport> read_report(std::chrono::milliseconds timeout) override {
        check();
        return inner_->read_report(timeout);
    }
    void flush() override { inner_->flush(); }
    std::string describe() const override { return "board"; }

  private:
    void check() const {
        if (left_ <= 0)
            throw Error(ErrorCode::Device, "board: unplugged");
    }
    std::unique_ptr<transport::Transport> inner_;
    int& left_;
};

TEST(WriteFuses, AHalfBurnedSetSaysExactlyWhichWordsLanded) {
    const Job job = test::make_test_job(test::signed_spec());
    SimBoard board(true);
    board.start();
    int programs_left = 3;
    const Port base = board.port();
    const Port port{"board", [&]() -> std::unique_ptr<transport::Transport> {
                        if (programs_left <= 0)
                            throw Error(ErrorCode::Device, "board: no such device");
                        return std::make_unique<CablePull>(base.open(), programs_left);
                    }};
    const BoardResult r = write_board(job, burning(false), port, {});
    board.stop();
    EXPECT_EQ(r.outcome, Outcome::Failed);
    EXPECT_EQ(r.error_code, ErrorCode::Device);
    std::vector<std::string> statuses;
    for (const auto& f : r.fuses)
        statuses.push_back(fmt::format("{} {}", f.word, fuse_status_name(f.status)));
    EXPECT_EQ(statuses, (std::vector<std::string>{
                            "SRK0 programmed", "SRK1 programmed", "SRK2 unconfirmed",
                            "SRK3 not-attempted", "SRK4 not-attempted", "SRK5 not-attempted",
                            "SRK6 not-attempted", "SRK7 not-attempted", "LOCK not-attempted"}));
    EXPECT_TRUE(r.error.starts_with("program-fuses: SRK2 (index 0x1A): program 0x")) << r.error;
    EXPECT_TRUE(
        r.error.ends_with("; fuses burned in this run: SRK0, SRK1; failed: none; "
                          "unconfirmed: SRK2; not attempted: SRK3, SRK4, SRK5, SRK6, "
                          "SRK7, LOCK"))
        << r.error;
    // What the report says is what the part holds: SRK2 did land, SRK3 and later did not.
    const hab::SrkFuseWords words = hab::srk_fuse_words(TestPki::get().hash());
    EXPECT_EQ(board.chip().fuses().read(0x1A), words[2]);
    EXPECT_EQ(board.chip().fuses().read(0x1B), 0u);
}

}  // namespace
}  // namespace rtprov::write
