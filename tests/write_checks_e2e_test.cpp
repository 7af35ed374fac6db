// Black-box tests of issue 18 ("passed means the board boots"): the real `rtprov write` against
// `rtprov sim` processes and sim:auto parts. A wrong part is refused before anything is erased,
// a board without its fuse plan is passed-unfused (exit 6, counted apart in `records stats`), a
// part fused for other keys rejects the flashloader once (exit 4, no retries), and the boot check
// after the reset decides whether a board passed.

#include <signal.h>

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "cli_support.hpp"
#include "sim_part.hpp"
#include "process_support.hpp"
#include "write_events_support.hpp"
#include "rtprov/hab/pki.hpp"
#include "rtprov/util/file.hpp"

namespace rtprov::test {
namespace {

using Json = nlohmann::json;

bool contains(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}


// Projects for the RT1020 (unsigned, signed with key set A or B) and an unsigned RT1060 one,
// exported once by the real export-pkg.
struct Packages {
    TempDir dir;
    std::filesystem::path rt1020, rt1060, signed_a, signed_b;

    Packages() {
        const auto d = dir.path();
        write_rt1020_app_and_flashloader(d);
        auto r = rtprov(fmt::format(
            "build --device mimxrt1060 --boot-device serial-downloader --app {} --app-address "
            "0x20208400 -o {}",
            (d / "flapp.bin").string(), (d / "fl1060.bin").string()));
        EXPECT_EQ(r.exit_code, 0) << r.err;
        const std::string app = "app:\n  file: app.bin\n  address: 0x60002000\n";
        const std::string base = "version: 1\ndevice: mimxrt1020\nboot_device: flexspi-nor\n" +
                                 app + "fcb:\n  preset: rt1020-evk\nflashloader: fl.bin\n";
        write_text(d / "rt1020.yaml", base);
        write_text(d / "rt1060.yaml", "version: 1\ndevice: mimxrt1060\nboot_device: flexspi-nor\n" +
                                          app + "fcb:\n  preset: rt1060-evk\nflashloader: fl1060.bin\n");
        for (const char* set : {"a", "b"}) {
            hab::PkiOptions o;
            o.srk_count = 1;
            o.rng_seed = fmt::format("write_checks_{}", set);
            hab::write_pki(hab::generate_pki(o), d / fmt::format("pki_{}", set));
            write_text(d / fmt::format("signed_{}.yaml", set),
                       base + fmt::format(
                                  "hab:\n  srk_table: pki_{0}/srk/SRK_table.bin\n"
                                  "  csf_key: pki_{0}/keys/CSF1_1_sha256_2048_65537_v3_usr_key.pem\n"
                                  "  csf_cert: pki_{0}/crts/CSF1_1_sha256_2048_65537_v3_usr_crt.pem\n"
                                  "  img_key: pki_{0}/keys/IMG1_1_sha256_2048_65537_v3_usr_key.pem\n"
                                  "  img_cert: pki_{0}/crts/IMG1_1_sha256_2048_65537_v3_usr_crt.pem\n"
                                  "  signature_time: 2024-01-31T12:00:00Z\n",
                                  set));
        }
        rt1020 = export_pkg("rt1020");
        rt1060 = export_pkg("rt1060");
        signed_a = export_pkg("signed_a");
        signed_b = export_pkg("signed_b");
    }

    std::filesystem::path export_pkg(const std::string& name) const {
        const auto pkg = dir.path() / (name + ".zip");
        const auto r = rtprov(fmt::format("export-pkg -c {} -o {}",
                                          (dir.path() / (name + ".yaml")).string(), pkg.string()));
        EXPECT_EQ(r.exit_code, 0) << r.err;
        return pkg;
    }
};

const Packages& packages() {
    static const Packages p;
    return p;
}

TEST(WriteChecksE2e, AnRt1060PackageOnASimulatedRt1020IsRefusedBeforeAnythingIsErased) {
    TempDir state;
    SimPart sim(true, "--device mimxrt1020", state.path());
    const auto r = rtprov(fmt::format("--json write {} -p {}", packages().rt1060.string(), sim.port()));
    EXPECT_EQ(sim.stop(), 0);
    EXPECT_EQ(r.exit_code, 4) << r.err;
    const auto results = of_kind(events_of(r.out), "result");
    ASSERT_EQ(results.size(), 1u);
    EXPECT_EQ(results[0]["outcome"], "failed");
    const std::string error = results[0]["error"]["message"];
    EXPECT_TRUE(contains(error, "its boot ROM enumerates as 1fc9:0130 (mimxrt1020, mimxrt1024, "
                                "mimxrt1050), but the package is for mimxrt1060 (boot ROM "
                                "1fc9:0135); nothing was written"))
        << error;
    const auto part = sim.inspect();
    ASSERT_TRUE(part["flash"]["used"].is_array()) << part.dump();
    EXPECT_TRUE(part["flash"]["used"].empty()) << part["flash"].dump();
}

TEST(WriteChecksE2e, ABoardWrittenWithoutItsFusePlanIsPassedUnfusedAndCountedApart) {
    TempDir station;
    const std::string common =
        fmt::format("--json write {} -p sim:auto --station-dir {}", packages().signed_a.string(),
                    station.path().string());
    auto r = rtprov(common);
    EXPECT_EQ(r.exit_code, 6) << r.err;
    auto events = events_of(r.out);
    ASSERT_EQ(of_kind(events, "result").size(), 1u);
    EXPECT_EQ(of_kind(events, "result")[0]["outcome"], "passed-unfused");
    const Json summary = of_kind(events, "summary").at(0);
    EXPECT_EQ(summary["passed"], 0);
    EXPECT_EQ(summary["passed_unfused"], 1);
    EXPECT_EQ(summary["exit_code"], 6);
    // Quiet, it still says so in its exit code; --no-fuses waives the plan on purpose.
    r = rtprov(fmt::format("-q write {} -p sim:auto --station-dir {}", packages().signed_a.string(),
                           station.path().string()));
    EXPECT_EQ(r.exit_code, 6) << r.err;
    r = rtprov(common + " --no-fuses");
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(of_kind(events_of(r.out), "result").at(0)["fuses_waived"], true);
    r = rtprov(common + " --no-fuses --burn-srk");
    EXPECT_EQ(r.exit_code, 1) << r.err;

    r = rtprov(fmt::format("--json records --station-dir {} stats", station.path().string()));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const Json stats = Json::parse(r.out);
    EXPECT_EQ(stats["passed"], 1);
    EXPECT_EQ(stats["passed_unfused"], 2);
    EXPECT_EQ(stats["failed"], 0);
    EXPECT_EQ(stats["boards_passed"], 1);
    EXPECT_TRUE(stats["causes"].empty()) << stats.dump();
}

TEST(WriteChecksE2e, APartClosedForOtherKeysRejectsTheFlashloaderOnceWithTheLikelyCause) {
    TempDir state;
    {
        SimPart sim(false, "", state.path());
        const auto r =
            rtprov(fmt::format("write {} -p {} --burn-srk --close --allow-unsigned-fuses",
                               packages().signed_a.string(), sim.port()));
        EXPECT_EQ(r.exit_code, 0) << r.err;
        EXPECT_EQ(sim.stop(), 0);
    }
    SimPart sim(false, "", state.path());
    const auto r = rtprov(
        fmt::format("--json write {} -p {} --burn-srk --close --allow-unsigned-fuses --retries 3",
                    packages().signed_b.string(), sim.port()));
    EXPECT_EQ(sim.stop(), 0);
    EXPECT_EQ(r.exit_code, 4) << r.err;
    const auto events = events_of(r.out);
    EXPECT_TRUE(of_kind(events, "retry").empty()) << r.out;
    const std::string error = of_kind(events, "result").at(0)["error"]["message"];
    EXPECT_TRUE(contains(error, "the closed part rejected the package's signed flashloader"))
        << error;
    EXPECT_TRUE(contains(error, "most likely fused with another SRK hash")) << error;
    EXPECT_TRUE(contains(error, "INVALID_SIGNATURE")) << error;
}

TEST(WriteChecksE2e, BootCheckOnAFixtureFollowsTheBootPins) {
    for (const bool hid : {false, true}) {
        for (const std::string mode : {"internal", "serial"}) {
            TempDir state;
            SimPart sim(hid, "--boot-mode " + mode, state.path());
            const auto r = rtprov(fmt::format("--json write {} -p {} --boot-check 1",
                                              packages().rt1020.string(), sim.port()));
            EXPECT_EQ(sim.stop(), 0);
            const auto results = of_kind(events_of(r.out), "result");
            ASSERT_EQ(results.size(), 1u) << r.out << r.err;
            const std::string boot = results[0]["boot_check"];
            if (mode == "internal") {
                EXPECT_EQ(r.exit_code, 0) << r.err;
                EXPECT_EQ(results[0]["outcome"], "passed");
                EXPECT_TRUE(boot.starts_with("boots: no serial-download boot ROM")) << boot;
                EXPECT_EQ(sim.inspect()["state"], "app");
            } else {
                // Serial-downloader pins: the ROM is back after the reset; the board did not boot.
                EXPECT_EQ(r.exit_code, 4) << r.err;
                EXPECT_EQ(results[0]["outcome"], "failed");
                EXPECT_TRUE(boot.starts_with("does not boot: the boot ROM came back")) << boot;
            }
        }
    }
}

TEST(WriteChecksE2e, WithoutABootCheckTheResultSaysItWasNotChecked) {
    TempDir state;
    SimPart sim(false, "", state.path());
    const auto r =
        rtprov(fmt::format("--json write {} -p {}", packages().rt1020.string(), sim.port()));
    EXPECT_EQ(sim.stop(), 0);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(of_kind(events_of(r.out), "result").at(0)["boot_check"], "not checked");
}

}  // namespace
}  // namespace rtprov::test
