// Black-box tests of issue 17's encrypted-XIP flows: `rtprov export-pkg` of BEE projects
// (RT1050, RT1060; OTPMK and user key) and RT1010 OTFAD projects (OTPMK and SW_GP2), then
// `rtprov write --json` to two simulated parts (sim:auto) with --burn-encryption: both pass and
// the simulator's boot check (the sim-boot events) reads them through the BEE or OTFAD and boots.
// User-key packages are sealed to a station: no key byte is in any file of the package, another
// station is refused, and the dry run lists every irreversible word without a key value.

#include <functional>

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "bee_projects.hpp"
#include "cli_support.hpp"
#include "sim_part.hpp"
#include "rtprov/otfad/otfad.hpp"

namespace rtprov::test {
namespace {

using Json = nlohmann::json;

std::vector<Json> json_lines(const std::string& out) {
    std::vector<Json> events;
    std::istringstream lines(out);
    for (std::string line; std::getline(lines, line);)
        events.push_back(Json::parse(line));
    return events;
}

// The JSON events of a write to two boards: both results passed, and both sim-boot events say
// the part boots, with `reason` in the simulator's reason.
void expect_two_passed_and_booted(const std::string& out, const std::string& reason) {
    std::size_t booted = 0, passed = 0;
    for (const Json& e : json_lines(out)) {
        if (e["event"] == "result" && e["outcome"] == "passed")
            ++passed;
        if (e["event"] == "sim-boot") {
            EXPECT_TRUE(e["boots"].get<bool>()) << e.dump();
            EXPECT_NE(e["reason"].get<std::string>().find(reason), std::string::npos) << e.dump();
            ++booted;
        }
    }
    EXPECT_EQ(passed, 2u) << out;
    EXPECT_EQ(booted, 2u) << out;
}

TEST(WriteBeeE2e, OtpmkPackagesWriteToTwoPartsAndBootThroughTheBee) {
    for (const std::string device : {"mimxrt1050", "mimxrt1060"}) {
        SCOPED_TRACE(device);
        TempDir t;
        const auto project = bee_project(t.path(), device, BeeMode::Otpmk);
        const auto pkg = t / "bee_pkg.zip";
        auto r = rtprov(fmt::format("export-pkg -c {} -o {}", project.string(), pkg.string()));
        ASSERT_EQ(r.exit_code, 0) << r.err;
        // The dry run names the BEE words and the flag they need.
        r = rtprov(fmt::format("write {} -p sim:auto --dry-run", pkg.string()));
        EXPECT_NE(r.out.find("needs --burn-encryption"), std::string::npos) << r.out << r.err;
        r = rtprov(fmt::format("--json write {} -p sim:auto -p sim:auto --burn-srk "
                               "--burn-encryption --allow-unsigned-fuses",
                               pkg.string()));
        EXPECT_EQ(r.exit_code, 0) << r.err << r.out;
        expect_two_passed_and_booted(r.out, "BEE: 1 region(s) decrypted");
    }
}

// The forms in which a key could sit in a file: its bytes, and its hex text (either case).
std::vector<std::string> key_forms(ByteView key) {
    std::string lower = hex_of(key), upper = lower;
    for (auto& c : upper)
        c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return {lower, hex_of(Bytes(lower.begin(), lower.end())),
            hex_of(Bytes(upper.begin(), upper.end()))};
}

struct SealedCase {
    std::string name;
    std::function<std::filesystem::path(const std::filesystem::path&)> project;
    std::vector<Bytes> keys;  // what must be in no file of the package
    std::string boot_reason;  // in every sim-boot event
};

// Done when of issue 17: user-key BEE and SW_GP2 OTFAD packages sealed to station A; the OTPMK
// OTFAD package (nothing to seal) alongside.
TEST(WriteEncryptedE2e, SealedPackagesHoldNoKeyWriteInParallelAndBoot) {
    const bee::Key& kek = kOtfadKek;
    const bee::Key& bee_key = kBeeUserKey;
    const std::vector<SealedCase> cases = {
        {"bee user-key rt1050",
         [](const auto& d) { return bee_project(d, "mimxrt1050", BeeMode::UserKey); },
         {Bytes(bee_key.begin(), bee_key.end()), Bytes(kBeeKibKey.begin(), kBeeKibKey.end())},
         "BEE: 1 region(s) decrypted"},
        {"bee user-key rt1060",
         [](const auto& d) { return bee_project(d, "mimxrt1060", BeeMode::UserKey); },
         {Bytes(bee_key.begin(), bee_key.end()), Bytes(kBeeKibKey.begin(), kBeeKibKey.end())},
         "BEE: 1 region(s) decrypted"},
        {"otfad sw-gp2 rt1010", [](const auto& d) { return otfad_project(d, OtfadMode::SwGp2); },
         {Bytes(kek.begin(), kek.end()), Bytes(kOtfadContextKey.begin(), kOtfadContextKey.end())},
         "OTFAD"},
        {"otfad otpmk rt1010", [](const auto& d) { return otfad_project(d, OtfadMode::Otpmk); },
         {}, "OTFAD"},
    };
    for (const SealedCase& c : cases) {
        SCOPED_TRACE(c.name);
        TempDir t;
        const auto project = c.project(t.path());
        for (const std::string station : {"A", "B"}) {
            const auto r = rtprov(fmt::format("station keygen --out {} --label line-{}",
                                              (t / station).string(), station));
            ASSERT_EQ(r.exit_code, 0) << r.err;
        }
        const auto pkg = t / "pkg.zip";
        auto r = rtprov(fmt::format("export-pkg -c {} -o {} --seal-to {}", project.string(),
                                    pkg.string(), (t / "A/station.pub").string()));
        ASSERT_EQ(r.exit_code, 0) << r.err;
        const std::string dump = zip_entries_hex(pkg);
        // With a user key the image is encrypted in the package, and its plaintext app is not
        // (OTPMK: the image itself is plain there).
        EXPECT_EQ(dump.find("project/app.bin") == std::string::npos, !c.keys.empty());
        for (const Bytes& key : c.keys) {
            for (const std::string& form : key_forms(key))
                EXPECT_EQ(dump.find(form), std::string::npos) << form;
        }
        // The user key words as burned (SW_GP2_n, little-endian) are in no file either.
        if (c.name.starts_with("otfad sw-gp2")) {
            for (const std::uint32_t w : otfad::sw_gp2_words(kek)) {
                Bytes le;
                append_le32(le, w);
                EXPECT_EQ(dump.find(hex_of(le)), std::string::npos);
                EXPECT_EQ(r.out.find(fmt::format("{:08x}", w)), std::string::npos);
            }
        }
        // Every irreversible word in the dry run, each saying which flag burns it.
        r = rtprov(fmt::format("write {} -p sim:auto --dry-run --station-key {}", pkg.string(),
                               (t / "A/station.key").string()));
        EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
        for (const std::string word : {"BOOT_CFG0", "BOOT_CFG1", "LOCK"})
            EXPECT_NE(r.out.find(word), std::string::npos) << word << "\n" << r.out;
        EXPECT_NE(r.out.find("needs --burn-encryption"), std::string::npos) << r.out;
        // The program-fuses step names the flags its words need, not only --burn-srk.
        EXPECT_NE(r.out.find("--burn-encryption)"), std::string::npos) << r.out;
        if (!c.keys.empty()) {
            EXPECT_NE(r.out.find("secret (SW_GP2_0)"), std::string::npos) << r.out;
            // Station B cannot open it: refused before a board is touched.
            const auto b = rtprov(fmt::format("write {} -p sim:auto --burn-encryption "
                                              "--allow-unsigned-fuses --station-key {}",
                                              pkg.string(), (t / "B/station.key").string()));
            EXPECT_NE(b.exit_code, 0);
            EXPECT_NE(b.err.find("sealed to station(s) line-A"), std::string::npos) << b.err;
        }
        r = rtprov(fmt::format("--json write {} -p sim:auto -p sim:auto --burn-encryption "
                               "--allow-unsigned-fuses --station-key {}",
                               pkg.string(), (t / "A/station.key").string()));
        EXPECT_EQ(r.exit_code, 0) << r.err << r.out;
        expect_two_passed_and_booted(r.out, c.boot_reason);
        for (const Bytes& key : c.keys) {
            for (const std::string& form : key_forms(key))
                EXPECT_EQ(r.out.find(form) + r.err.find(form), 2 * std::string::npos) << form;
        }
    }
}

// The part's key words are what `sim inspect` shows last: as set, without a value, unless
// --show-keys asks for them.
TEST(WriteEncryptedE2e, SimInspectShowsKeyWordsOnlyWithShowKeys) {
    TempDir t;
    const auto project = otfad_project(t.path(), OtfadMode::SwGp2);
    const auto pkg = t / "pkg.zip";
    auto r = rtprov(fmt::format("export-pkg -c {} -o {} --insecure-plain-secrets",
                                project.string(), pkg.string()));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const auto state = t / "part";
    {
        SimPart part(true, "--device mimxrt1010", state);
        r = rtprov(fmt::format("write {} -p {} --burn-encryption --allow-unsigned-fuses",
                               pkg.string(), part.port()));
        EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
        part.stop();
    }
    const auto words = otfad::sw_gp2_words(kOtfadKek);
    r = rtprov("sim --state " + state.string() + " inspect");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.out.find("SW_GP2_0     index 0x29 = (key, set; --show-keys shows it)"),
              std::string::npos)
        << r.out;
    EXPECT_NE(r.out.find("boot check: boots"), std::string::npos) << r.out;
    r = rtprov("--json sim --state " + state.string() + " inspect");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    std::size_t hidden = 0;
    const Json doc = Json::parse(r.out);
    for (const Json& f : doc.at("fuses")) {
        if (f["name"].get<std::string>().starts_with("SW_GP2_")) {
            EXPECT_FALSE(f.contains("value")) << f.dump();
            EXPECT_TRUE(f.value("keys_hidden", false)) << f.dump();
            ++hidden;
        }
    }
    EXPECT_EQ(hidden, 4u) << r.out;
    for (const std::uint32_t w : words) {
        EXPECT_EQ(r.out.find(std::to_string(w)), std::string::npos);
        EXPECT_EQ(rtprov("sim --state " + state.string() + " inspect").out.find(
                      fmt::format("0x{:08X}", w)),
                  std::string::npos);
    }
    r = rtprov("sim --state " + state.string() + " inspect --show-keys");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.out.find(fmt::format("SW_GP2_0     index 0x29 = 0x{:08X}", words[0])),
              std::string::npos)
        << r.out;
}

}  // namespace
}  // namespace rtprov::test
