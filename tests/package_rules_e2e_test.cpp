// Black-box tests of issue 24, point 1: a package exported by the real export-pkg, changed as an
// attacker with a text editor would and rehashed (package_tamper.hpp), is refused by every
// command that reads it (import-pkg, write, pkg diff, pkg migrate) with exit 2 before a port is
// opened: nothing is erased, written or burned on the simulated part.

#include <signal.h>

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "cli_support.hpp"
#include "package_tamper.hpp"
#include "process_support.hpp"
#include "rtprov/boot/image.hpp"
#include "rtprov/hab/pki.hpp"
#include "rtprov/util/file.hpp"

namespace rtprov::test {
namespace {

using Json = nlohmann::json;
using pkg::StepOp;

// A signed RT1020 package (one SRK, SRK_LOCK after verify) with a flashloader and a serial
// number at 0x60100000, exported by `rtprov export-pkg`.
struct SignedPackage {
    TempDir dir;
    std::filesystem::path zip;
    SignedPackage() {
        const auto d = dir.path();
        write_rt1020_app_and_flashloader(d);
        hab::PkiOptions o;
        o.srk_count = 1;
        o.rng_seed = "package_rules_e2e";
        hab::write_pki(hab::generate_pki(o), d / "pki");
        write_text(d / "p.yaml",
                   "version: 1\ndevice: mimxrt1020\nboot_device: flexspi-nor\n"
                   "app:\n  file: app.bin\n  address: 0x60002000\nfcb:\n  preset: rt1020-evk\n"
                   "flashloader: fl.bin\n"
                   "hab:\n  srk_table: pki/srk/SRK_table.bin\n"
                   "  csf_key: pki/keys/CSF1_1_sha256_2048_65537_v3_usr_key.pem\n"
                   "  csf_cert: pki/crts/CSF1_1_sha256_2048_65537_v3_usr_crt.pem\n"
                   "  img_key: pki/keys/IMG1_1_sha256_2048_65537_v3_usr_key.pem\n"
                   "  img_cert: pki/crts/IMG1_1_sha256_2048_65537_v3_usr_crt.pem\n"
                   "  signature_time: 2024-01-31T12:00:00Z\n"
                   "per_board:\n  - name: serial\n    source: counter\n    start: 1000\n"
                   "    address: 0x60100000\n");
        zip = d / "p.zip";
        const auto r =
            rtprov(fmt::format("export-pkg -c {} -o {}", (d / "p.yaml").string(), zip.string()));
        EXPECT_EQ(r.exit_code, 0) << r.err;
    }
};

const SignedPackage& package() {
    static const SignedPackage p;
    return p;
}

std::size_t step(const pkg::Manifest& m, StepOp op) {
    return step_index(m, op);
}

// Every attack of the issue within point 1, as an edit of the real package.
const std::vector<std::pair<std::string, PackageEdit>>& attacks() {
    static const std::vector<std::pair<std::string, PackageEdit>> list = {
        {"SRK0 at index 6 (BOOT_CFG1) with value 2",
         [](pkg::Manifest& m, auto&) {
             m.fuses[0].index = 6;
             m.fuses[0].value = 2;
         }},
        {"lock-fuses SEC_CONFIG[1]",
         [](pkg::Manifest& m, auto&) {
             m.write_plan[step(m, StepOp::LockFuses)].field = "SEC_CONFIG[1]";
         }},
        {"lock-fuses SDP_DISABLE",
         [](pkg::Manifest& m, auto&) {
             m.write_plan[step(m, StepOp::LockFuses)].field = "SDP_DISABLE";
         }},
        {"per-board value into BOOT_CFG1",
         [](pkg::Manifest& m, auto&) {
             pkg::BoardData& d = m.write_plan[step(m, StepOp::PerBoardData)].data;
             d.fuses = {"BOOT_CFG1"};
         }},
        {"write to the OCOTP controller 0x401F4000",
         [](pkg::Manifest& m, auto&) {
             m.write_plan[step(m, StepOp::Write)].address = 0x401F4000;
             m.write_plan[step(m, StepOp::Verify)].address = 0x401F4000;
         }},
        {"an unsigned copy written instead of the image",
         [](pkg::Manifest& m, std::map<std::string, Bytes>& files) {
             Bytes copy = files.at("images/flexspi-nor.bin");
             copy.resize(copy.size() - 0x2000);  // the CSF region
             files["images/copy.bin"] = copy;
             m.files.push_back({"images/copy.bin", "", 0, pkg::FileRole::Image});
             m.write_plan[step(m, StepOp::Write)].file = "images/copy.bin";
             m.write_plan[step(m, StepOp::Verify)].file = "images/copy.bin";
         }},
        {"images: []", [](pkg::Manifest& m, auto&) { m.images.clear(); }},
        {"per-board data over the CSF",
         [](pkg::Manifest& m, std::map<std::string, Bytes>& files) {
             const auto& image = files.at("images/flexspi-nor.bin");
             const auto parsed = boot::parse_boot_image(image, "image");
             m.write_plan[step(m, StepOp::PerBoardData)].data.address =
                 m.images[0].address + (parsed.ivt.csf - parsed.file_address);
         }},
        {"a write at 0x607FF000",
         [](pkg::Manifest& m, auto&) {
             for (auto& s : m.write_plan)
                 if (s.op == StepOp::Write || s.op == StepOp::Verify || s.op == StepOp::Erase)
                     s.address = 0x607FF000;
         }},
        {"a write at 0xFFFFF000",
         [](pkg::Manifest& m, auto&) {
             for (auto& s : m.write_plan)
                 if (s.op == StepOp::Write || s.op == StepOp::Verify || s.op == StepOp::Erase)
                     s.address = 0xFFFFF000;
         }},
        {"an erase of 2^32 + 4096 bytes",
         [](pkg::Manifest& m, auto&) {
             m.write_plan[step(m, StepOp::Erase)].length = (1ull << 32) + 4096;
         }},
        {"a write without its verify",
         [](pkg::Manifest& m, auto&) {
             m.write_plan.erase(m.write_plan.begin() +
                                static_cast<std::ptrdiff_t>(step(m, StepOp::Verify)));
         }},
    };
    return list;
}

std::filesystem::path tampered(const TempDir& dir, std::size_t n) {
    const auto path = dir / fmt::format("attack{}.zip", n);
    write_bytes(path, tamper_package(read_file(package().zip), attacks()[n].second));
    return path;
}

TEST(PackageRulesE2e, TheGenuinePackageIsAccepted) {
    TempDir t;
    const auto same = t / "same.zip";
    write_bytes(same, tamper_package(read_file(package().zip), [](auto&, auto&) {}));
    const auto r = rtprov("import-pkg " + same.string());
    EXPECT_EQ(r.exit_code, 0) << r.err;
}

// The same package, untampered, writes and fuses the same simulated part: what the attack test
// below looks at (flash used, SRK fuses) does show a write.
TEST(PackageRulesE2e, TheGenuinePackageWritesAndFusesASimulatedPart) {
    TempDir t;
    const auto state = t / "state";
    std::filesystem::create_directories(state);
    Child sim(fmt::format("{} sim --hid {} --state {} --device mimxrt1020 2>/dev/null", kRtprov,
                          (state / "hid.sock").string(), state.string()));
    const std::string endpoint = sim.line().value_or("");
    const auto r = rtprov(fmt::format("write {} -p sim:{} --burn-srk --allow-unsigned-fuses --station-dir {}",
                                      package().zip.string(), endpoint, (t / "station").string()));
    EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
    sim.signal(SIGTERM);
    EXPECT_EQ(sim.wait(), 0);
    const auto i = rtprov("--json sim --state " + state.string() + " inspect");
    ASSERT_EQ(i.exit_code, 0) << i.err;
    const Json part = Json::parse(i.out);
    EXPECT_FALSE(part["flash"]["used"].empty()) << part.dump();
    EXPECT_TRUE(std::any_of(part["fuses"].begin(), part["fuses"].end(), [](const Json& w) {
        return w["name"] == "SRK0";
    })) << part["fuses"].dump();
}

TEST(PackageRulesE2e, EveryAttackIsRefusedByEveryCommandThatReadsThePackage) {
    TempDir t;
    for (std::size_t n = 0; n < attacks().size(); ++n) {
        SCOPED_TRACE(attacks()[n].first);
        const std::string zip = tampered(t, n).string();
        for (const std::string& command :
             {"import-pkg " + zip,
              fmt::format("write {} -p sim:auto --burn-srk --allow-unsigned-fuses --station-dir {}", zip,
                          (t / "station").string()),
              fmt::format("pkg diff {} {}", package().zip.string(), zip),
              fmt::format("pkg migrate {} -o {}", zip, (t / "migrated.zip").string())}) {
            const auto r = rtprov(command);
            EXPECT_EQ(r.exit_code, 2) << command << "\n" << r.out << r.err;
            EXPECT_NE(r.err.find("rtprov: error: "), std::string::npos) << r.err;
            EXPECT_NE(r.err.find("manifest.json: "), std::string::npos) << r.err;
        }
        EXPECT_FALSE(std::filesystem::exists(t / "migrated.zip"));
    }
}

// On a simulated part served by `rtprov sim` (a fresh one per attack): the tampered plan is
// refused before the port is opened, so the part's flash and fuses are as they were. Before the
// rules, the first attack closed the part with SRK0 blank and reported passed.
TEST(PackageRulesE2e, ARefusedPackageLeavesTheSimulatedPartUntouched) {
    TempDir t;
    for (std::size_t n = 0; n < attacks().size(); ++n) {
        SCOPED_TRACE(attacks()[n].first);
        const auto state = t / fmt::format("state{}", n);
        std::filesystem::create_directories(state);
        Child sim(fmt::format("{} sim --hid {} --state {} --device mimxrt1020 2>/dev/null", kRtprov,
                              (state / "hid.sock").string(), state.string()));
        const std::string endpoint = sim.line().value_or("");
        const auto r =
            rtprov(fmt::format("write {} -p sim:{} --burn-srk --allow-unsigned-fuses --station-dir {}",
                               tampered(t, n).string(), endpoint, (t / "station").string()));
        EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
        sim.signal(SIGTERM);
        EXPECT_EQ(sim.wait(), 0);
        const auto i = rtprov("--json sim --state " + state.string() + " inspect");
        ASSERT_EQ(i.exit_code, 0) << i.err;
        const Json part = Json::parse(i.out);
        ASSERT_TRUE(part["flash"]["used"].is_array()) << part.dump();
        EXPECT_TRUE(part["flash"]["used"].empty()) << part["flash"].dump();
        ASSERT_TRUE(part["fuses"].is_array()) << part.dump();
        for (const auto& w : part["fuses"]) {
            const std::string name = w["name"];
            EXPECT_FALSE(name.starts_with("SRK") || name.starts_with("BOOT_CFG") || name == "LOCK")
                << part["fuses"].dump();
        }
        EXPECT_EQ(part["hab"], "open");
    }
}

}  // namespace
}  // namespace rtprov::test
