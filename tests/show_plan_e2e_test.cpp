// Black-box tests of issue 24 point 4 ("what reviewers see is what runs"): `import-pkg`,
// README.txt and `write --dry-run` show the write plan (every step, memory range and fuse word,
// per-board words "assigned at write time"), a README that does not say what the manifest means
// is refused before any board is touched, and `pkg diff` names every changed field.

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "cli_support.hpp"
#include "process_support.hpp"
#include "rtprov/hab/key_io.hpp"
#include "rtprov/hab/pki.hpp"
#include "rtprov/hab/srk.hpp"
#include "rtprov/pkg/zip_archive.hpp"
#include "rtprov/util/file.hpp"
#include "write_events_support.hpp"

namespace rtprov::test {
namespace {

using Json = nlohmann::json;

bool contains(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

// A signed image with a flashloader, a serial number in flash and a MAC address from a CSV
// file in fuses; `pkg` with a signed manifest, `plain_pkg` without, `moved_pkg` the same with
// the serial number 0x100 further.
struct Fixture {
    TempDir dir;
    std::filesystem::path pkg, plain_pkg, moved_pkg, csv, signer_cert;

    Fixture() {
        const auto d = dir.path();
        write_rt1020_app_and_flashloader(d);
        hab::PkiOptions o;
        o.srk_count = 1;
        o.rng_seed = "show_plan_e2e_test";
        hab::write_pki(hab::generate_pki(o), d / "pki");
        signer_cert = d / "pki/crts/SRK1_sha256_2048_65537_v3_ca_crt.pem";
        const std::string project =
            "version: 1\ndevice: mimxrt1020\nboot_device: flexspi-nor\n"
            "app:\n  file: app.bin\n  address: 0x60002000\nfcb:\n  preset: rt1020-evk\n"
            "flashloader: fl.bin\n"
            "hab:\n  srk_table: pki/srk/SRK_table.bin\n"
            "  csf_key: pki/keys/CSF1_1_sha256_2048_65537_v3_usr_key.pem\n"
            "  csf_cert: pki/crts/CSF1_1_sha256_2048_65537_v3_usr_crt.pem\n"
            "  img_key: pki/keys/IMG1_1_sha256_2048_65537_v3_usr_key.pem\n"
            "  img_cert: pki/crts/IMG1_1_sha256_2048_65537_v3_usr_crt.pem\n"
            "  signature_time: 2024-01-31T12:00:00Z\n"
            "per_board:\n"
            "  - name: serial\n    source: counter\n    start: 1000\n    address: {}\n"
            "  - name: mac\n    source: csv\n    column: mac\n    size: 6\n"
            "    fuses: [MAC0, MAC1]\n";
        write_text(d / "p.yaml", fmt::format(fmt::runtime(project), "0x60100000"));
        write_text(d / "moved.yaml", fmt::format(fmt::runtime(project), "0x60100100"));
        pkg = d / "pkg.zip";
        plain_pkg = d / "plain.zip";
        moved_pkg = d / "moved.zip";
        csv = d / "macs.csv";
        write_text(csv, "mac\n00:1b:c5:0a:00:01\n");
        for (const auto& [yaml, zip, sign] : {std::tuple{"p.yaml", pkg, true},
                                              {"p.yaml", plain_pkg, false},
                                              {"moved.yaml", moved_pkg, false}}) {
            const std::string key =
                sign ? " --sign-key " +
                           (d / "pki/keys/SRK1_sha256_2048_65537_v3_ca_key.pem").string()
                     : "";
            const auto r = rtprov(
                fmt::format("export-pkg -c {} -o {}{}", (d / yaml).string(), zip.string(), key));
            EXPECT_EQ(r.exit_code, 0) << r.err;
        }
    }
};

const Fixture& fixture() {
    static const Fixture f;
    return f;
}

// `rtprov sim` on a pty with its state in its own folder.
struct Board {
    TempDir state;
    std::unique_ptr<SimProcess> sim =
        std::make_unique<SimProcess>("sim --uart --state " + state.path().string());
    std::string port() const { return "uart:" + sim->endpoint(); }
    Json inspect() {
        sim->stop();
        const auto r = rtprov("--json sim --state " + state.path().string() + " inspect");
        EXPECT_EQ(r.exit_code, 0) << r.err;
        return Json::parse(r.out);
    }
};

// The package's entries, `edit` applied to the text of `name`, the manifest's size and SHA-256
// of it updated (what an attacker with a text editor and sha256sum makes); signature dropped.
Bytes edited(const std::filesystem::path& zip, const std::string& name,
             const std::function<void(std::string&)>& edit) {
    std::vector<pkg::ZipEntry> entries = pkg::read_zip(read_file(zip), {});
    std::erase_if(entries, [](const pkg::ZipEntry& e) { return e.name == "manifest.sig"; });
    Bytes changed;
    for (auto& e : entries) {
        if (e.name != name)
            continue;
        std::string text(e.data.begin(), e.data.end());
        edit(text);
        e.data.assign(text.begin(), text.end());
        changed = e.data;
    }
    for (auto& e : entries) {
        if (e.name != "manifest.json" || name == "manifest.json")
            continue;
        auto doc = nlohmann::ordered_json::parse(std::string(e.data.begin(), e.data.end()));
        for (auto& f : doc["files"]) {
            if (f["path"] == name) {
                f["sha256"] = hab::hash_hex(hab::sha256(changed));
                f["size"] = changed.size();
            }
        }
        const std::string text = doc.dump(2) + "\n";
        e.data.assign(text.begin(), text.end());
    }
    return pkg::write_zip(entries, {});
}

void replace(std::string& text, const std::string& from, const std::string& to) {
    const auto at = text.find(from);
    ASSERT_NE(at, std::string::npos) << from << " not in\n" << text;
    text.replace(at, from.size(), to);
}

// The lines of `text` from the one starting with `first` to the end.
std::string from_line(const std::string& text, const std::string& first) {
    const auto at = text.find("\n" + first);
    return at == std::string::npos ? "" : text.substr(at + 1);
}

// Before: import-pkg listed images[] and fuses[] and only the step names; README.txt the same.
TEST(ShowPlanE2e, ImportPkgAndTheReadmeShowEveryStepRangeAndFuseWord) {
    const Fixture& f = fixture();
    TempDir t;
    const auto r =
        rtprov(fmt::format("import-pkg {} --to {}", f.pkg.string(), (t / "out").string()));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    for (const char* part :
         {"Write plan (what `rtprov write` runs, in order)\n",
          ". erase memory 0x9 (flexspi-nor) 0x60000000..0x6000",
          "Memory ranges the plan erases, writes or verifies\n",
          "  memory 0x9 (flexspi-nor) 0x60100000..0x60100003 (4 bytes)  step ",
          "Fuse words the run may touch (irreversible)\n", "  SRK0       OTP index 0x18  0x",
          "  MAC0       OTP index 0x22  assigned at write time  step ",
          "  MAC1       OTP index 0x23  assigned at write time  step ",
          "  BOOT_CFG1  OTP index 0x06  bits 0x00000002         with --close",
          "  LOCK       OTP index 0x00  bits 0x00004000         step "}) {
        EXPECT_TRUE(contains(r.out, part)) << part << " not in\n" << r.out;
    }
    // README.txt says the same, line for line.
    const std::string readme = read_text_file(t / "out/README.txt");
    const std::string plan = from_line(r.out, "Write plan (what");
    ASSERT_FALSE(plan.empty());
    EXPECT_TRUE(contains(readme, plan.substr(0, plan.find("\nextracted to")))) << readme;

    // The JSON carries the same description.
    const auto j = rtprov("--json import-pkg " + f.pkg.string());
    ASSERT_EQ(j.exit_code, 0) << j.err;
    const Json doc = Json::parse(j.out);
    const Json& words = doc["plan"]["fuse_words"];
    ASSERT_EQ(words.size(), 12u);  // MAC0, MAC1, SRK0..7, BOOT_CFG1 (--close), LOCK
    EXPECT_EQ(words[0]["word"], "MAC0");
    EXPECT_EQ(words[0]["index"], 0x22);
    EXPECT_EQ(words[0]["assigned_at_write_time"], true);
    EXPECT_EQ(words[0]["needs"], "--burn-data-fuses");
    EXPECT_EQ(
        schema().check(Json{
            {"event", "plan"}, {"package_sha256", std::string(64, '0')}, {"plan", doc["plan"]}}),
        "");
}

// Before: "dry run: per-board values are not reserved; their fuse words are not in the plan",
// "0 to burn" while the run burns MAC0 and MAC1, and no memory range anywhere.
TEST(ShowPlanE2e, DryRunShowsThePlanAndEveryFuseWordTheRunBurns) {
    const Fixture& f = fixture();
    Board board;
    TempDir station;
    const auto r = rtprov(fmt::format(
        "--json write {} -p {} --dry-run --burn-data-fuses --board-data {} --trust-key {} "
        "--station-dir {}",
        f.pkg.string(), board.port(), f.csv.string(), f.signer_cert.string(),
        station.path().string()));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const auto events = events_of(r.out);
    const auto plans = of_kind(events, "plan");
    ASSERT_EQ(plans.size(), 1u);
    const Json import = Json::parse(rtprov("--json import-pkg " + f.pkg.string()).out);
    EXPECT_EQ(plans[0]["plan"], import["plan"]);
    bool serial_range = false;
    for (const auto& range : plans[0]["plan"]["memory_ranges"])
        serial_range |= range["op"] == "per-board-data" && range["start"] == "0x60100000";
    EXPECT_TRUE(serial_range);

    const auto fuse_plans = of_kind(events, "fuse-plan");
    ASSERT_EQ(fuse_plans.size(), 1u);
    // SRK0..7 (skipped: no --burn-srk), MAC0, MAC1, then the lock.
    const Json& rows = fuse_plans[0]["words"];
    ASSERT_EQ(rows.size(), 11u);
    EXPECT_EQ(rows[8]["word"], "MAC0");
    EXPECT_EQ(rows[8]["index"], 0x22);
    EXPECT_EQ(rows[8]["purpose"], "data mac");
    EXPECT_EQ(rows[8]["status"], "assigned");
    EXPECT_EQ(rows[8]["new"], nullptr);
    EXPECT_EQ(rows[9]["word"], "MAC1");
    EXPECT_EQ(rows[9]["status"], "assigned");
    bool counted = false;
    for (const auto& e : of_kind(events, "step-end")) {
        if (e["op"] == "read-fuses")
            counted = contains(e["detail"], ": 2 to burn (2 assigned at write time), ");
    }
    EXPECT_TRUE(counted) << r.out;
    EXPECT_EQ(of_kind(events, "result")[0]["outcome"], "dry-run");

    // In words too.
    Board second;
    const auto text = rtprov(
        fmt::format("write {} -p {} --dry-run --burn-data-fuses --board-data {} --trust-key {} "
                    "--station-dir {}",
                    f.pkg.string(), second.port(), f.csv.string(), f.signer_cert.string(),
                    station.path().string()));
    ASSERT_EQ(text.exit_code, 0) << text.err;
    EXPECT_TRUE(contains(text.out,
                         "dry run: the package's write plan, for every board\n"
                         "Write plan (what `rtprov write` runs, in order)\n"))
        << text.out;
    EXPECT_TRUE(contains(text.out, "  MAC0       OTP index 0x22  assigned at write time  step "));
    // The summary says that nothing was written, not just "passed".
    EXPECT_TRUE(contains(text.out,
                         "1 of 1 board passed the dry run (nothing was written or burned)\n"))
        << text.out;
    EXPECT_TRUE(contains(text.out,
                         ": fuse MAC0       index 0x22  0x00000000 -> assigned at "
                         "write time  assigned       data mac"))
        << text.out;

    // The station's record of a dry run shows those words too.
    const auto shown = rtprov("records --station-dir " + station.path().string() + " show 1");
    EXPECT_EQ(shown.exit_code, 0) << shown.err;
    EXPECT_TRUE(contains(shown.out, "    MAC0       0x00000000 -> assigned at write time assigned"))
        << shown.out;

    for (Board* b : {&board, &second}) {
        const Json i = b->inspect();
        EXPECT_EQ(i["fuses"].size(), 2u);  // the factory UID only
        EXPECT_TRUE(i["flash"]["used"].empty());
    }
}

// Attack: README.txt edited to hide the fuse words (its hash updated in the manifest), and the
// manifest changed under a README left as it was. Both are refused before a port is opened.
TEST(ShowPlanE2e, AReadmeThatDoesNotSayWhatTheManifestMeansIsRefused) {
    const Fixture& f = fixture();
    TempDir t;
    const auto hidden = t / "hidden.zip";
    write_bytes(hidden, edited(f.plain_pkg, "README.txt", [](std::string& text) {
                    replace(text, "  MAC0       OTP index 0x22", "  (none)     OTP index 0x22");
                }));
    const auto moved = t / "moved.zip";
    write_bytes(moved, edited(f.plain_pkg, "manifest.json", [](std::string& text) {
                    replace(text, "\"address\": \"0x60100000\"", "\"address\": \"0x60101000\"");
                }));
    for (const auto& zip : {hidden, moved}) {
        SCOPED_TRACE(zip.filename().string());
        const auto r = rtprov("import-pkg " + zip.string());
        EXPECT_EQ(r.exit_code, 4) << r.err;
        EXPECT_EQ(r.err.rfind(fmt::format("rtprov: error: {}: README.txt does not say what "
                                          "manifest.json means (line ",
                                          zip.string()),
                              0),
                  0u)
            << r.err;
        Board board;
        const auto w = rtprov(fmt::format("write {} -p {} --no-fuses --board-data {}", zip.string(),
                                          board.port(), f.csv.string()));
        EXPECT_EQ(w.exit_code, 4) << w.err;
        EXPECT_TRUE(contains(w.err, "README.txt does not say what manifest.json means")) << w.err;
        const Json i = board.inspect();
        EXPECT_EQ(i["fuses"].size(), 2u);
        EXPECT_TRUE(i["flash"]["used"].empty());
    }
    // The first line that differs, both ways.
    const std::string why = rtprov("import-pkg " + moved.string()).err;
    EXPECT_TRUE(contains(why,
                         "to memory 9 at 0x60100000, assigned at write time\", where the "
                         "manifest means \""))
        << why;
    EXPECT_TRUE(contains(why, "to memory 9 at 0x60101000, assigned at write time\"")) << why;
}

// Before: "~ step 6: per-board-data: data serial: counter from 1000, le32 (4 bytes) to memory 9
// at 0x60100000 -> serial: ..."; now the field that changed, with both values.
TEST(ShowPlanE2e, PkgDiffNamesTheFieldThatChanged) {
    const Fixture& f = fixture();
    const auto r =
        rtprov(fmt::format("pkg diff {} {}", f.plain_pkg.string(), f.moved_pkg.string()));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_TRUE(contains(r.out, ": per-board-data: data.address 0x60100000 -> 0x60100100\n"))
        << r.out;
    const auto j =
        rtprov(fmt::format("--json pkg diff {} {}", f.plain_pkg.string(), f.moved_pkg.string()));
    const Json doc = Json::parse(j.out);
    bool found = false;
    for (const auto& c : doc["changes"]) {
        if (c["area"] == "write-plan")
            found |= c["fields"] == Json::parse(R"([{"field": "data.address",
                "old": "0x60100000", "new": "0x60100100"}])");
    }
    EXPECT_TRUE(found) << j.out;
}

TEST(ShowPlanE2e, AnOldReleasesPackageImportsWithAWordAboutItsReadme) {
    const auto r =
        rtprov("import-pkg " +
               (kSource / "tests/data/pkg-corpus/2.0/rt1020-flexspi-unsigned.zip").string());
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_TRUE(contains(r.err, "README.txt is in the format of rtprov 0.2.0")) << r.err;
    EXPECT_TRUE(contains(r.out, "Write plan (what `rtprov write` runs, in order)\n")) << r.out;
}

}  // namespace
}  // namespace rtprov::test
