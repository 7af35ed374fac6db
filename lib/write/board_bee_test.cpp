// BEE packages (issue 17) written to simulated RT1050/RT1060 parts, and OTFAD packages to
// simulated RT1010 parts: OTPMK (the flashloader encrypts with each part's own key) and user key
// (SW_GP2 burned from the package's secrets, then locked and read-locked). The parts boot through
// their BEE or OTFAD, the fuse plans read back equal, a dry run lists every irreversible word, a
// conflicting key selector is refused before anything is burned, and no key word value appears
// in an event, a record or a message.

#include <algorithm>
#include <functional>
#include <mutex>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "bee_projects.hpp"
#include "rtprov/sim/bee_keys.hpp"
#include "rtprov/sim/image_check.hpp"
#include "rtprov/write/board.hpp"
#include "rtprov/write/events_json.hpp"
#include "rtprov/write/fuse_plan.hpp"
#include "rtprov/write/runner.hpp"
#include "write_test_support.hpp"

namespace rtprov::write {
namespace {

using rtprov::test::BeeMode;
using test::SimBoard;

struct BeePackage {
    rtprov::test::TempDir dir;
    pkg::ExportedPackage out;
};

std::unique_ptr<BeePackage> export_project(
    const std::function<std::filesystem::path(const std::filesystem::path&)>& make) {
    auto p = std::make_unique<BeePackage>();
    pkg::ExportOptions o;
    o.insecure_plain_secrets = true;  // in memory; sealing: seal_test, encrypted_e2e_test
    o.project = make(p->dir.path());
    p->out = pkg::export_package(o);
    return p;
}

std::unique_ptr<BeePackage> export_bee(const std::string& device, BeeMode mode) {
    return export_project([&](const std::filesystem::path& dir) {
        return rtprov::test::bee_project(dir, device, mode);
    });
}

std::unique_ptr<BeePackage> export_otfad(rtprov::test::OtfadMode mode) {
    return export_project([&](const std::filesystem::path& dir) {
        return rtprov::test::otfad_project(dir, mode);
    });
}

// The job `rtprov write` makes, with the secrets the station opened.
Job job_for(const pkg::ExportedPackage& out, const WriteOptions& options) {
    pkg::Package p;
    p.manifest = out.manifest;
    p.files = rtprov::test::package_files(out);
    Job job = make_job(std::move(p), out.zip, std::nullopt, options);
    for (const auto& s : out.secrets)
        job.secrets[s.name] = s.value;
    return job;
}

WriteOptions burning() {
    WriteOptions o;
    o.burn_srk = true;
    o.burn_encryption = true;
    o.allow_unsigned_fuses = true;
    o.retries = 1;
    return o;
}

std::uint32_t expected(const Job& job, const pkg::FuseWordPlan& f) {
    return *planned_value(job, f) & f.mask;
}

// Every event, result and message of a run as text.
struct Transcript {
    std::mutex mutex;
    std::string text;
    EventSink sink() {
        return [this](const Event& e) {
            std::lock_guard lock(mutex);
            text += event_json(e).dump() + "\n";
        };
    }
};

std::string step_detail(const BoardResult& r, const std::string& op) {
    for (const auto& s : r.steps)
        if (s.op == op)
            return s.detail;
    return "";
}

// Writes `pkg` to two fresh parts of `dev` at once (their UIDs, and so their OTPMKs, differ):
// both pass (OTPMK: verify leaves the encrypted range to the boot check), every word of the fuse
// plan reads back as planned, each part boots with `boot_reason` in the verdict, no key word's
// value is in any event, and `check` is called with each part's fuses. Returns the two parts'
// flash [from, from + length).
std::pair<Bytes, Bytes> write_two_and_boot(const BeePackage& pkg, const device::Device& dev,
                                           bool otpmk, std::string_view boot_reason,
                                           std::uint32_t from, std::size_t length,
                                           const std::function<void(const sim::Fuses&)>& check) {
    const WriteOptions options = burning();
    const Job job = job_for(pkg.out, options);
    SimBoard a(true, "", dev);
    SimBoard b(true, "", dev);
    a.chip().fuses().set_uid(0x1111222233334444ull);
    b.chip().fuses().set_uid(0x5555666677778888ull);
    a.start();
    b.start();
    Transcript t;
    const std::vector<Port> ports = {a.port("a"), b.port("b")};
    const auto results = write_boards(job, options, ports, t.sink());
    a.stop();
    b.stop();
    for (const BoardResult& r : results) {
        EXPECT_EQ(r.outcome, Outcome::Passed) << r.board << ": " << r.error;
        if (otpmk) {
            EXPECT_NE(step_detail(r, "verify").find(
                          "the 12288 inside (0x60002000..0x60004FFF) not compared: the "
                          "flashloader encrypted them with the part's OTPMK"),
                      std::string::npos)
                << step_detail(r, "verify");
        }
    }
    for (SimBoard* board : {&a, &b}) {
        const sim::Fuses& fuses = board->chip().fuses();
        for (const pkg::FuseWordPlan& f : job.package.manifest.fuses)
            EXPECT_EQ(*fuses.read(f.index) & f.mask, expected(job, f)) << f.word;
        const sim::Verdict v = sim::check_flash_boot(board->chip());
        EXPECT_TRUE(v.ok) << v.reason;
        EXPECT_NE(v.reason.find(boot_reason), std::string::npos) << v.reason;
        check(fuses);
    }
    for (const auto& s : pkg.out.secrets) {
        EXPECT_EQ(t.text.find(fmt::format("{:08x}", load_le32(s.value.data()))),
                  std::string::npos)
            << s.name;
    }
    return {test::flash_at(a.chip(), from, length), test::flash_at(b.chip(), from, length)};
}

TEST(WriteBee, PackagesWriteInParallelBootAndTheirFusePlansReadBackEqual) {
    for (const std::string device : {"mimxrt1050", "mimxrt1060"}) {
        for (const BeeMode mode : {BeeMode::Otpmk, BeeMode::UserKey}) {
            const bool otpmk = mode == BeeMode::Otpmk;
            SCOPED_TRACE(device + (otpmk ? " otpmk" : " user-key"));
            const device::Device& dev = device::find_device(device);
            const auto [fa, fb] = write_two_and_boot(
                *export_bee(device, mode), dev, otpmk, "BEE: 1 region(s) decrypted", 0x60002000,
                0x3000, [&](const sim::Fuses& fuses) {
                    if (otpmk)
                        return;
                    // Locked and read-locked: software reads the key words as 0.
                    EXPECT_EQ(fuses.field("SW_GP2_LOCK"), 1u);
                    EXPECT_EQ(fuses.field("SW_GP2_RLOCK"), 1u);
                    EXPECT_EQ(sim::software_fuse_read(fuses, dev.fuse("SW_GP2_0")->index), 0u);
                });
            // OTPMK: each part encrypted with its own key, so the two flashes differ.
            EXPECT_EQ(fa != fb, otpmk);
        }
    }
}

TEST(WriteBee, DryRunListsEveryIrreversibleWordAndChangesNothing) {
    const auto pkg = export_bee("mimxrt1050", BeeMode::UserKey);
    WriteOptions options = burning();
    options.dry_run = true;
    const Job job = job_for(pkg->out, options);
    SimBoard board(true, "", device::find_device("mimxrt1050"));
    board.start();
    Transcript t;
    const BoardResult r = write_board(job, options, board.port(), t.sink());
    board.stop();
    EXPECT_EQ(r.outcome, Outcome::DryRun) << r.error;
    std::vector<std::string> rows;
    for (const FuseRow& f : r.fuses)
        rows.push_back(describe_row(f));
    EXPECT_EQ(rows, (std::vector<std::string>{
                        "SW_GP2_0 secret (SW_GP2_0) -> secret (SW_GP2_0) (planned)",
                        "SW_GP2_1 secret (SW_GP2_1) -> secret (SW_GP2_1) (planned)",
                        "SW_GP2_2 secret (SW_GP2_2) -> secret (SW_GP2_2) (planned)",
                        "SW_GP2_3 secret (SW_GP2_3) -> secret (SW_GP2_3) (planned)",
                        "BOOT_CFG0 0x00000000 -> 0x00000002 (bits 0x00000002) (planned)",
                        "BOOT_CFG1 0x00000000 -> 0x00003010 (bits 0x00003010) (planned)",
                        "LOCK 0x00000000 -> 0x00200000 (planned)",
                        "LOCK 0x00000000 -> 0x00a00000 (planned)",
                    }));
    EXPECT_NE(t.text.find("\"new\":\"secret (SW_GP2_0)\""), std::string::npos) << t.text;
    EXPECT_NE(t.text.find("\"mask\":\"0x00003010\""), std::string::npos);
    EXPECT_TRUE(board.chip().flash().used_ranges().empty());
    const device::Device& dev = device::find_device("mimxrt1050");
    for (const std::string word : {"SW_GP2_0", "BOOT_CFG0", "BOOT_CFG1", "LOCK"})
        EXPECT_EQ(*board.chip().fuses().read(dev.fuse(word)->index), 0u) << word;
}

TEST(WriteBee, AConflictingKeySelectorIsRefusedBeforeAnythingIsBurned) {
    const auto pkg = export_bee("mimxrt1060", BeeMode::Otpmk);
    const WriteOptions options = burning();
    const Job job = job_for(pkg->out, options);
    SimBoard board(true, "", device::find_device("mimxrt1060"));
    const device::Device& dev = device::find_device("mimxrt1060");
    // BEE_KEY0_SEL = 1 burned by someone else: OTPMK (2) cannot be reached.
    ASSERT_EQ(board.chip().fuses().program(dev.fuse("BOOT_CFG1")->index, 0x1000),
              sim::FuseStatus::Ok);
    board.start();
    const BoardResult r = write_board(job, options, board.port(), {});
    board.stop();
    EXPECT_EQ(r.outcome, Outcome::Failed);
    EXPECT_EQ(r.error_code, ErrorCode::Verification);
    EXPECT_NE(r.error.find("BOOT_CFG1 (index 0x06) holds 0x00001000, which has bits 0x00001000 "
                           "of mask 0x00003010 the plan's value lacks (another value already "
                           "burned): refusing to burn any fuse"),
              std::string::npos)
        << r.error;
    EXPECT_TRUE(board.chip().flash().used_ranges().empty());
    EXPECT_EQ(*board.chip().fuses().read(dev.fuse("BOOT_CFG1")->index), 0x1000u);
    for (const std::string word : {"SRK0", "BOOT_CFG0", "LOCK"})
        EXPECT_EQ(*board.chip().fuses().read(dev.fuse(word)->index), 0u) << word;
}

TEST(WriteBee, KeyWordsNeverAppearInEventsRecordsOrMessages) {
    const auto pkg = export_bee("mimxrt1060", BeeMode::UserKey);
    const WriteOptions options = burning();
    const Job job = job_for(pkg->out, options);
    const device::Device& dev = device::find_device("mimxrt1060");
    SimBoard board(true, "", dev);
    // The key words already hold other bits: refused, and the message names no value.
    ASSERT_EQ(board.chip().fuses().program(dev.fuse("SW_GP2_2")->index, 0x00000001),
              sim::FuseStatus::Ok);
    board.start();
    Transcript t;
    const BoardResult refused = write_board(job, options, board.port(), t.sink());
    board.stop();
    EXPECT_EQ(refused.outcome, Outcome::Failed);
    EXPECT_NE(refused.error.find("SW_GP2_2 (index 0x2B) cannot take the package's key "
                                 "(fuse:SW_GP2_2): it holds other bits, or is locked or "
                                 "read-locked (SW_GP2_RLOCK: it reads back as 0 and cannot be "
                                 "compared): refusing to burn any fuse"),
              std::string::npos)
        << refused.error;
    // A board that takes them: every event and the result (what records store) is searched.
    SimBoard good(true, "", dev);
    good.start();
    const BoardResult r = write_board(job, options, good.port(), t.sink());
    good.stop();
    EXPECT_EQ(r.outcome, Outcome::Passed) << r.error;
    const std::string all =
        t.text + result_json(refused).dump() + result_json(r).dump() + refused.error;
    EXPECT_NE(all.find("secret (SW_GP2_3)"), std::string::npos);
    for (const auto& s : pkg->out.secrets) {
        const std::uint32_t v = load_le32(s.value.data());
        for (const std::string& text : {fmt::format("{:08x}", v), fmt::format("{:08X}", v)})
            EXPECT_EQ(all.find(text), std::string::npos) << s.name << " " << text;
    }
}

// Closing verifies the boot image read back from the part, which is ciphertext inside the BEE
// ranges: refused before any board, not failed half way after the fuses.
TEST(WriteBee, CloseIsRefusedForABeePackageBeforeAnyBoard) {
    const auto pkg = export_bee("mimxrt1060", BeeMode::Otpmk);
    WriteOptions options = burning();
    options.close = true;
    try {
        (void)job_for(pkg->out, options);
        ADD_FAILURE() << "a job was made";
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), ErrorCode::Usage);
        EXPECT_NE(std::string(e.what()).find("--close: the package requires bee-otpmk"),
                  std::string::npos)
            << e.what();
    }
}

// Done when of issue 17: RT1010 OTFAD packages, OTPMK and SW_GP2, written to two simulated parts
// at once: both pass and boot through their OTFAD, the fuse plans read back equal, the KEK is
// locked and read-locked, and OTPMK parts each hold their own key blobs.
TEST(WriteOtfad, PackagesWriteInParallelBootAndTheirFusePlansReadBackEqual) {
    const device::Device& dev = device::find_device("mimxrt1010");
    for (const auto mode : {rtprov::test::OtfadMode::Otpmk, rtprov::test::OtfadMode::SwGp2}) {
        const bool otpmk = mode == rtprov::test::OtfadMode::Otpmk;
        SCOPED_TRACE(otpmk ? "otpmk" : "sw-gp2");
        // The key blob table at 0 and the encrypted app: each part's own with the OTPMK.
        const auto [fa, fb] = write_two_and_boot(
            *export_otfad(mode), dev, otpmk, "OTFAD", 0x60000000, 0x5000,
            [&](const sim::Fuses& fuses) {
                EXPECT_EQ(fuses.field("MAC_ADDR_LOCK"), 1u);  // its write lock bit
                EXPECT_EQ(fuses.field("SW_GP2_LOCK"), otpmk ? 0u : 1u);
                EXPECT_EQ(fuses.field("SW_GP2_RLOCK"), otpmk ? 0u : 1u);
                if (!otpmk) {
                    EXPECT_EQ(sim::software_fuse_read(fuses, dev.fuse("SW_GP2_0")->index), 0u);
                }
            });
        EXPECT_EQ(Bytes(fa.begin(), fa.begin() + 0x100) != Bytes(fb.begin(), fb.begin() + 0x100),
                  otpmk);
        EXPECT_EQ(Bytes(fa.begin() + 0x2000, fa.end()) != Bytes(fb.begin() + 0x2000, fb.end()),
                  otpmk);
    }
}

TEST(WriteOtfad, DryRunListsEveryIrreversibleWordAndChangesNothing) {
    const auto pkg = export_otfad(rtprov::test::OtfadMode::SwGp2);
    WriteOptions options = burning();
    options.dry_run = true;
    const Job job = job_for(pkg->out, options);
    const device::Device& dev = device::find_device("mimxrt1010");
    SimBoard board(true, "", dev);
    board.start();
    const BoardResult r = write_board(job, options, board.port(), {});
    board.stop();
    EXPECT_EQ(r.outcome, Outcome::DryRun) << r.error;
    std::vector<std::string> rows;
    for (const FuseRow& f : r.fuses)
        rows.push_back(describe_row(f));
    EXPECT_EQ(rows, (std::vector<std::string>{
                        "SW_GP2_0 secret (SW_GP2_0) -> secret (SW_GP2_0) (planned)",
                        "SW_GP2_1 secret (SW_GP2_1) -> secret (SW_GP2_1) (planned)",
                        "SW_GP2_2 secret (SW_GP2_2) -> secret (SW_GP2_2) (planned)",
                        "SW_GP2_3 secret (SW_GP2_3) -> secret (SW_GP2_3) (planned)",
                        "OTFAD_CFG 0x00000000 -> 0x00000100 (bits 0x00000100) (planned)",
                        "BOOT_CFG0 0x00000000 -> 0x00000001 (bits 0x00000001) (planned)",
                        "BOOT_CFG1 0x00000000 -> 0x00002010 (bits 0x00002010) (planned)",
                        "LOCK 0x00000000 -> 0x00200000 (planned)",
                        "LOCK 0x00000000 -> 0x00a00000 (planned)",
                        "LOCK 0x00000000 -> 0x00a00100 (planned)",
                    }));
    EXPECT_TRUE(board.chip().flash().used_ranges().empty());
    for (const std::string word : {"SW_GP2_0", "OTFAD_CFG", "BOOT_CFG0", "BOOT_CFG1", "LOCK"})
        EXPECT_EQ(*board.chip().fuses().read(dev.fuse(word)->index), 0u) << word;
}

}  // namespace
}  // namespace rtprov::write
