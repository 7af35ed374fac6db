// Black-box tests of issue 24, point 3 (trust for irreversible steps): every fuse flag of
// `rtprov write` needs a package signed by a trust key, or --allow-unsigned-fuses (and then the
// records and the summary say so); the refusal comes before any port is opened. Every command
// that reads packages honours RTPROV_TRUST_KEY, and an empty one is an error, not "no trust".

#include <signal.h>

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "cli_support.hpp"
#include "sim_part.hpp"
#include "process_support.hpp"
#include "rtprov/hab/pki.hpp"
#include "rtprov/util/file.hpp"
#include "write_events_support.hpp"

namespace rtprov::test {
namespace {

using Json = nlohmann::json;

bool contains(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}


// A HAB-signed RT1020 project with its SRK fuse plan, exported twice: unsigned, and signed with
// the package key (its certificate is the trust key); another certificate is a wrong key.
struct Packages {
    TempDir dir;
    std::filesystem::path unsigned_pkg, signed_pkg, trust_key, wrong_key;

    Packages() {
        const auto d = dir.path();
        write_rt1020_app_and_flashloader(d);
        hab::PkiOptions o;
        o.srk_count = 1;
        o.rng_seed = "write_trust";
        hab::write_pki(hab::generate_pki(o), d / "pki");
        write_text(d / "signed.yaml",
                   "version: 1\ndevice: mimxrt1020\nboot_device: flexspi-nor\n"
                   "app:\n  file: app.bin\n  address: 0x60002000\n"
                   "fcb:\n  preset: rt1020-evk\nflashloader: fl.bin\n"
                   "hab:\n  srk_table: pki/srk/SRK_table.bin\n"
                   "  csf_key: pki/keys/CSF1_1_sha256_2048_65537_v3_usr_key.pem\n"
                   "  csf_cert: pki/crts/CSF1_1_sha256_2048_65537_v3_usr_crt.pem\n"
                   "  img_key: pki/keys/IMG1_1_sha256_2048_65537_v3_usr_key.pem\n"
                   "  img_cert: pki/crts/IMG1_1_sha256_2048_65537_v3_usr_crt.pem\n"
                   "  signature_time: 2024-01-31T12:00:00Z\n");
        unsigned_pkg = d / "unsigned.zip";
        signed_pkg = d / "signed.zip";
        trust_key = d / "pki/crts/CSF1_1_sha256_2048_65537_v3_usr_crt.pem";
        wrong_key = d / "pki/crts/IMG1_1_sha256_2048_65537_v3_usr_crt.pem";
        auto r = rtprov(fmt::format("export-pkg -c {} -o {}", (d / "signed.yaml").string(),
                                    unsigned_pkg.string()));
        EXPECT_EQ(r.exit_code, 0) << r.err;
        r = rtprov(fmt::format("export-pkg -c {} --sign-key {} -o {}", (d / "signed.yaml").string(),
                               (d / "pki/keys/CSF1_1_sha256_2048_65537_v3_usr_key.pem").string(),
                               signed_pkg.string()));
        EXPECT_EQ(r.exit_code, 0) << r.err;
    }
};

const Packages& packages() {
    static const Packages p;
    return p;
}

// Runs rtprov with RTPROV_TRUST_KEY set to `value` (possibly empty).
RunResult with_trust_env(const std::string& value, const std::string& args) {
    return run_command(fmt::format("RTPROV_TRUST_KEY='{}' {} {}", value, kRtprov, args));
}

bool fuse_burned(const Json& inspection, const std::string& prefix) {
    for (const auto& f : inspection["fuses"]) {
        if (f["name"].get<std::string>().starts_with(prefix))
            return true;
    }
    return false;
}

std::string station_of(const TempDir& station) {
    return " --station-dir " + station.path().string();
}

Json attempts_of(const TempDir& station) {
    const auto r = rtprov("--json records" + station_of(station) + " list");
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return Json::parse(r.out);
}

constexpr const char* kRefusal =
    "rtprov: error: {} would burn fuses (irreversible), but the package is not signed: sign it "
    "(export-pkg --sign-key) and give its key with --trust-key FILE (or RTPROV_TRUST_KEY), or "
    "give --allow-unsigned-fuses to burn from an untrusted package on purpose (the records say "
    "so)\n";

TEST(WriteTrustE2e, AnUnsignedPackageWithAFuseFlagIsRefusedBeforeAnyPortIsOpened) {
    for (const std::string flags :
         {"--burn-srk", "--close", "--burn-srk --close", "--burn-data-fuses"}) {
        SCOPED_TRACE(flags);
        TempDir state;
        TempDir station;
        SimPart sim(true, "--device mimxrt1020", state.path());
        const auto r = rtprov(fmt::format("write {} -p {} {}{}", packages().unsigned_pkg.string(),
                                          sim.port(), flags, station_of(station)));
        EXPECT_EQ(sim.stop(), 0);
        EXPECT_EQ(r.exit_code, 1) << r.err;
        const std::string shown = flags == "--burn-srk --close" ? "--burn-srk, --close" : flags;
        EXPECT_EQ(r.err, fmt::format(kRefusal, shown));
        EXPECT_EQ(r.out, "");
        const Json insp = sim.inspect();
        EXPECT_TRUE(insp["flash"]["used"].empty()) << insp.dump();
        EXPECT_EQ(insp["hab"], "open");
        EXPECT_FALSE(fuse_burned(insp, "SRK")) << insp.dump();
        EXPECT_FALSE(fuse_burned(insp, "BOOT_CFG")) << insp.dump();
        // No board was even started: the station's database was not opened.
        EXPECT_FALSE(std::filesystem::exists(station.path() / "records.sqlite"));
    }
}

TEST(WriteTrustE2e, APackageSignedByTheTrustKeyBurnsAndCloses) {
    TempDir state;
    TempDir station;
    SimPart sim(true, "--device mimxrt1020", state.path());
    const auto r = rtprov(fmt::format("--json write {} -p {} --burn-srk --close --trust-key {}{}",
                                      packages().signed_pkg.string(), sim.port(),
                                      packages().trust_key.string(), station_of(station)));
    EXPECT_EQ(sim.stop(), 0);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const auto events = events_of(r.out);
    const auto results = of_kind(events, "result");
    ASSERT_EQ(results.size(), 1u);
    EXPECT_EQ(results[0]["trust"], "trusted");
    EXPECT_EQ(of_kind(events, "summary").at(0)["trust"], "trusted");
    const Json insp = sim.inspect();
    EXPECT_EQ(insp["hab"], "closed");
    EXPECT_TRUE(insp["boot_check"]["boots"].get<bool>()) << insp.dump();
    EXPECT_EQ(attempts_of(station).at(0)["trust"], "trusted");
}

TEST(WriteTrustE2e, AllowUnsignedFusesBurnsAndTheRecordAndTheSummarySaySo) {
    TempDir station;
    auto r = rtprov(fmt::format("--json write {} -p sim:auto --burn-srk --allow-unsigned-fuses{}",
                                packages().unsigned_pkg.string(), station_of(station)));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const auto events = events_of(r.out);
    const auto results = of_kind(events, "result");
    ASSERT_EQ(results.size(), 1u);
    EXPECT_EQ(results[0]["trust"], "unsigned-fuses-allowed");
    EXPECT_EQ(results[0]["fuses"][0]["status"], "programmed");
    EXPECT_EQ(of_kind(events, "summary").at(0)["trust"], "unsigned-fuses-allowed");
    EXPECT_TRUE(contains(r.err,
                         "warning: --allow-unsigned-fuses: fuses (--burn-srk) are burned "
                         "from a package no trust key confirmed; the records say so"))
        << r.err;
    const Json attempt = attempts_of(station).at(0);
    EXPECT_EQ(attempt["trust"], "unsigned-fuses-allowed");
    const auto shown = rtprov(
        fmt::format("records{} show {}", station_of(station), attempt["id"].get<std::int64_t>()));
    EXPECT_TRUE(contains(shown.out, "signature unsigned-fuses-allowed")) << shown.out;

    // The text summary says it too.
    r = rtprov(fmt::format("write {} -p sim:auto --burn-srk --allow-unsigned-fuses{}",
                           packages().unsigned_pkg.string(), station_of(station)));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_TRUE(contains(r.out,
                         "1 of 1 board passed; fuses burned from an untrusted package "
                         "(--allow-unsigned-fuses)"))
        << r.out;
}

TEST(WriteTrustE2e, WithoutFuseFlagsAnUnsignedPackageIsWrittenAsBefore) {
    const auto r =
        rtprov(fmt::format("--json write {} -p sim:auto", packages().unsigned_pkg.string()));
    EXPECT_EQ(r.exit_code, 6) << r.err;  // passed-unfused: the SRK plan was not burned
    EXPECT_EQ(of_kind(events_of(r.out), "summary").at(0)["trust"], "unverified");
}

TEST(WriteTrustE2e, PkgCommandsHonourRtprovTrustKey) {
    const std::string pkg = packages().signed_pkg.string();
    const std::string wrong = packages().wrong_key.string();
    const std::string good = packages().trust_key.string();
    TempDir out;
    const std::string migrated = (out.path() / "migrated.zip").string();
    for (const std::string& args :
         {fmt::format("pkg diff {0} {0}", pkg), fmt::format("pkg migrate {} -o {}", pkg, migrated),
          fmt::format("import-pkg {}", pkg)}) {
        SCOPED_TRACE(args);
        std::filesystem::remove(migrated);
        const auto refused = with_trust_env(wrong, args);
        EXPECT_EQ(refused.exit_code, 4) << refused.err;
        EXPECT_TRUE(contains(refused.err, "which is not a trusted key")) << refused.err;
        EXPECT_FALSE(std::filesystem::exists(migrated));
        // --trust-key does the same, and a right key lets the command run.
        const auto flag = rtprov(args + " --trust-key " + wrong);
        EXPECT_EQ(flag.exit_code, 4) << flag.err;
        const auto trusted = with_trust_env(good, args);
        EXPECT_EQ(trusted.exit_code, 0) << trusted.err;
        EXPECT_EQ(std::filesystem::exists(migrated), contains(args, "migrate"));
    }
    // An unsigned package is refused too, once a trust key is given.
    const auto unsigned_diff =
        with_trust_env(good, fmt::format("pkg diff {} {}", packages().unsigned_pkg.string(), pkg));
    EXPECT_EQ(unsigned_diff.exit_code, 4) << unsigned_diff.err;
}

TEST(WriteTrustE2e, AnEmptyRtprovTrustKeyIsAnError) {
    const std::string pkg = packages().signed_pkg.string();
    TempDir out;
    for (const std::string& args :
         {fmt::format("pkg diff {0} {0}", pkg),
          fmt::format("pkg migrate {} -o {}", pkg, (out.path() / "m.zip").string()),
          fmt::format("import-pkg {}", pkg), fmt::format("write {} -p sim:auto", pkg)}) {
        SCOPED_TRACE(args);
        const auto r = with_trust_env("", args);
        EXPECT_EQ(r.exit_code, 1) << r.err;
        EXPECT_EQ(r.err,
                  "rtprov: error: RTPROV_TRUST_KEY is set but empty: point it at the trust key "
                  "(public key, certificate or key PEM), or unset it to read packages without a "
                  "trust key\n");
    }
    EXPECT_FALSE(std::filesystem::exists(out.path() / "m.zip"));
}

}  // namespace
}  // namespace rtprov::test
