// Black-box tests of `rtprov write`: a signed package (made by `rtprov export-pkg`) written by the
// real binary to `rtprov sim --uart` processes over ptys, in parallel, with faults, killed and
// resumed; every --json line checked against docs/write-events.schema.json.

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <regex>
#include <thread>

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "cli_support.hpp"
#include "process_support.hpp"
#include "write_events_support.hpp"
#include "rtprov/device/device.hpp"
#include "rtprov/hab/pki.hpp"
#include "rtprov/sim/chip.hpp"
#include "rtprov/sim/state_store.hpp"
#include "rtprov/util/file.hpp"

namespace rtprov::test {
namespace {

using Json = nlohmann::json;
using namespace std::chrono_literals;

// `rtprov sim --uart ARGS` with its state in its own folder; endpoint() is the pty.
class Sim {
  public:
    explicit Sim(const std::string& args = "", std::optional<std::filesystem::path> state = {})
        : state_(state.value_or(dir_.path())),
          child_(std::make_unique<Child>(fmt::format("{} sim --uart --state {} {} 2>/dev/null",
                                                     kRtprov, state_.string(), args))) {
        endpoint_ = child_->line().value_or("");
    }
    const std::string& endpoint() const { return endpoint_; }
    std::string port() const { return "uart:" + endpoint_; }
    const std::filesystem::path& state() const { return state_; }
    // SIGTERM (the sim saves its state) and wait.
    int stop() {
        child_->signal(SIGTERM);
        return child_->wait();
    }
    Json inspect() const {
        const auto r = rtprov("--json sim --state " + state_.string() + " inspect");
        EXPECT_EQ(r.exit_code, 0) << r.err;
        return Json::parse(r.out);
    }

  private:
    TempDir dir_;
    std::filesystem::path state_;
    std::unique_ptr<Child> child_;
    std::string endpoint_;
};

// ---- the package ------------------------------------------------------------------------------

// A project with a 40 KiB app, signed with a throw-away PKI, with a flashloader (plain and
// signed), exported by the real `rtprov export-pkg`. Made once for the whole binary.
struct Fixture {
    TempDir dir;
    std::filesystem::path pkg;           // signed package
    std::filesystem::path unsigned_pkg;  // the same without flashloader or hab:
    std::filesystem::path nocak_pkg;     // signed for fast authentication (hab.nocak)
    std::filesystem::path flashloader;   // the flashloader image alone
    hab::SrkHash srk_hash{};

    Fixture() {
        const auto d = dir.path();
        write_rt1020_app_and_flashloader(d);
        flashloader = d / "fl.bin";
        hab::PkiOptions o;
        o.srk_count = 1;
        o.rng_seed = "write_e2e_test";
        const hab::GeneratedPki pki = hab::generate_pki(o);
        hab::write_pki(pki, d / "pki");
        srk_hash = pki.fuse_hash;
        const std::string base =
            "version: 1\ndevice: mimxrt1020\nboot_device: flexspi-nor\n"
            "app:\n  file: app.bin\n  address: 0x60002000\nfcb:\n  preset: rt1020-evk\n";
        write_text(d / "unsigned.yaml", base);
        write_text(d / "signed.yaml",
                   base +
                       "flashloader: fl.bin\n"
                       "hab:\n  srk_table: pki/srk/SRK_table.bin\n"
                       "  csf_key: pki/keys/CSF1_1_sha256_2048_65537_v3_usr_key.pem\n"
                       "  csf_cert: pki/crts/CSF1_1_sha256_2048_65537_v3_usr_crt.pem\n"
                       "  img_key: pki/keys/IMG1_1_sha256_2048_65537_v3_usr_key.pem\n"
                       "  img_cert: pki/crts/IMG1_1_sha256_2048_65537_v3_usr_crt.pem\n"
                       "  signature_time: 2024-01-31T12:00:00Z\n");
        write_text(d / "nocak.yaml",
                   base +
                       "flashloader: fl.bin\n"
                       "hab:\n  srk_table: pki/srk/SRK_table.bin\n  nocak: true\n"
                       "  csf_key: pki/keys/SRK1_sha256_2048_65537_v3_ca_key.pem\n"
                       "  csf_cert: pki/crts/SRK1_sha256_2048_65537_v3_ca_crt.pem\n"
                       "  signature_time: 2024-01-31T12:00:00Z\n");
        pkg = d / "signed_pkg.zip";
        unsigned_pkg = d / "unsigned_pkg.zip";
        nocak_pkg = d / "nocak_pkg.zip";
        auto r = rtprov(
            fmt::format("export-pkg -c {} -o {}", (d / "signed.yaml").string(), pkg.string()));
        EXPECT_EQ(r.exit_code, 0) << r.err;
        r = rtprov(fmt::format("export-pkg -c {} -o {}", (d / "unsigned.yaml").string(),
                               unsigned_pkg.string()));
        EXPECT_EQ(r.exit_code, 0) << r.err;
        r = rtprov(
            fmt::format("export-pkg -c {} -o {}", (d / "nocak.yaml").string(), nocak_pkg.string()));
        EXPECT_EQ(r.exit_code, 0) << r.err;
    }
};

const Fixture& fixture() {
    static const Fixture f;
    return f;
}

std::string ports_of(const std::vector<std::unique_ptr<Sim>>& sims) {
    std::string out;
    for (const auto& s : sims)
        out += " -p " + s->port();
    return out;
}

std::vector<std::uint32_t> fuses_of(const Json& inspection) {
    std::vector<std::uint32_t> out;
    for (const auto& f : inspection["fuses"])
        out.push_back(f["value"]);
    return out;
}

// The flash of a saved simulator state, [0x60000000, +length).
Bytes flash_of(const std::filesystem::path& state, std::uint32_t length) {
    sim::Chip chip(device::find_device("mimxrt1020"));
    EXPECT_TRUE(sim::load_state(chip, state));
    return chip.flash().read(0, length);
}

// ---- tests ------------------------------------------------------------------------------------

TEST(WriteE2e, SignedPackageToFourBoardsInParallelAllCloseAndBoot) {
    const Fixture& f = fixture();
    std::vector<std::unique_ptr<Sim>> sims;
    for (int i = 0; i < 4; ++i)
        sims.push_back(std::make_unique<Sim>());
    TempDir log;
    const auto r =
        rtprov(fmt::format("--json write {}{} --burn-srk --close --allow-unsigned-fuses --log {}",
                           f.pkg.string(), ports_of(sims), log.path().string()));
    EXPECT_EQ(r.exit_code, 0) << r.err << r.out;
    const auto events = events_of(r.out);
    const auto results = of_kind(events, "result");
    ASSERT_EQ(results.size(), 4u);
    for (const auto& res : results) {
        EXPECT_EQ(res["outcome"], "passed") << res.dump(2);
        EXPECT_EQ(res["fuses"].size(), 10u);  // SRK0..7, BOOT_CFG1 (close), LOCK
        for (const auto& fuse : res["fuses"])
            EXPECT_EQ(fuse["status"], "programmed") << fuse.dump();
        EXPECT_EQ(res["hab"], "open");  // as the ROM said before closing
        EXPECT_EQ(res["steps"].size(), 10u);
    }
    const auto summary = of_kind(events, "summary");
    ASSERT_EQ(summary.size(), 1u);
    EXPECT_EQ(summary[0]["passed"], 4);
    EXPECT_EQ(events.back()["event"], "summary");
    // Every board is in the log, complete.
    std::size_t records = 0;
    for (const auto& e : std::filesystem::directory_iterator(log.path())) {
        const Json rec = Json::parse(read_text_file(e.path()));
        EXPECT_EQ(rec["outcome"], "passed");
        ++records;
    }
    EXPECT_EQ(records, 4u);
    for (auto& s : sims) {
        EXPECT_EQ(s->stop(), 0);
        const Json i = s->inspect();
        EXPECT_EQ(i["hab"], "closed");
        EXPECT_EQ(i["boot_check"]["boots"], true) << i["boot_check"]["reason"];
    }
}

// Fast authentication end to end: export-pkg once hung on the NOCAK project (an empty image
// certificate path named as an input), and verify, write and the simulator's HAB check refused
// the image (no CSF key installed): now it is written, closed and boots.
TEST(WriteE2e, FastAuthenticationPackageClosesAndBoots) {
    const Fixture& f = fixture();
    Sim sim;
    const auto r =
        rtprov(fmt::format("--json write {} -p {} --burn-srk --close --allow-unsigned-fuses",
                           f.nocak_pkg.string(), sim.port()));
    EXPECT_EQ(r.exit_code, 0) << r.err << r.out;
    EXPECT_EQ(sim.stop(), 0);
    const Json i = sim.inspect();
    EXPECT_EQ(i["hab"], "closed");
    EXPECT_EQ(i["boot_check"]["boots"], true) << i["boot_check"]["reason"];
}

TEST(WriteE2e, ClosingWithAMismatchingSrkHashIsRefusedBeforeAnyFuseChanges) {
    const Fixture& f = fixture();
    TempDir state;
    {
        // A part already burned with another key's hash.
        sim::Chip chip(device::find_device("mimxrt1020"));
        const hab::SrkFuseWords words = hab::srk_fuse_words(f.srk_hash);
        for (std::uint32_t i = 0; i < 8; ++i)
            chip.fuses().program(0x18 + i, ~words[i]);
        sim::save_state(chip, state.path());
    }
    Sim sim("", state.path());
    const auto r =
        rtprov(fmt::format("--json write {} -p {} --burn-srk --close --allow-unsigned-fuses",
                           f.pkg.string(), sim.port()));
    EXPECT_EQ(r.exit_code, 4) << r.err;
    const auto events = events_of(r.out);
    const auto results = of_kind(events, "result");
    ASSERT_EQ(results.size(), 1u);
    EXPECT_EQ(results[0]["error"]["step"], "read-fuses");
    const hab::SrkFuseWords words = hab::srk_fuse_words(f.srk_hash);
    EXPECT_EQ(results[0]["error"]["message"],
              fmt::format("read-fuses: closing refused: SRK0 (index 0x18) holds 0x{:08x}, which "
                          "has bits 0x{:08x} lacks: refusing to burn any fuse",
                          ~words[0], words[0]));
    for (const auto& fuse : results[0]["fuses"])
        EXPECT_NE(fuse["status"], "programmed");
    const std::vector<std::uint32_t> before = [&] {
        sim::Chip chip(device::find_device("mimxrt1020"));
        sim::load_state(chip, state.path());
        std::vector<std::uint32_t> v;
        for (const auto& w : chip.fuses().words())
            if (w.value != 0)
                v.push_back(w.value);
        return v;
    }();
    EXPECT_EQ(sim.stop(), 0);
    const Json i = sim.inspect();
    EXPECT_EQ(fuses_of(i), before);
    EXPECT_EQ(i["hab"], "open");
    EXPECT_TRUE(i["flash"]["used"].empty());  // refused before anything was written
}

TEST(WriteE2e, AFaultyBoardFailsAloneAndSaysWhatHappened) {
    const Fixture& f = fixture();
    std::vector<std::unique_ptr<Sim>> sims;
    sims.push_back(std::make_unique<Sim>());
    sims.push_back(std::make_unique<Sim>("--faults program-fail=1"));
    sims.push_back(std::make_unique<Sim>("--faults crc=0.02,nak=0.02 --seed 3"));  // recovers
    sims.push_back(std::make_unique<Sim>());
    const auto r =
        rtprov(fmt::format("--json write {}{} --retries 2 --no-fuses", f.pkg.string(), ports_of(sims)));
    EXPECT_EQ(r.exit_code, 3) << r.err;
    const auto results = of_kind(events_of(r.out), "result");
    ASSERT_EQ(results.size(), 4u);
    for (const auto& res : results) {
        if (res["board"] != sims[1]->port() + ",115200") {
            EXPECT_EQ(res["outcome"], "passed") << res.dump(2);
            continue;
        }
        EXPECT_EQ(res["outcome"], "failed");
        EXPECT_EQ(res["error"]["code"], "device");
        EXPECT_EQ(res["error"]["step"], "write");
        EXPECT_EQ(res["retries"], 2);
        const std::uint32_t size = res["images"][0]["size"];
        EXPECT_EQ(res["error"]["message"],
                  fmt::format("write: write 0x60000000..0x{:08X} (gave up after 3 attempts): "
                              "write-memory: kStatus_FlexSPINOR_ProgramFail (20100)",
                              0x60000000 + std::min<std::uint32_t>(size, 0x10000) - 1))
            << res.dump(2);
    }
    for (std::size_t i = 0; i < sims.size(); ++i) {
        sims[i]->stop();
        EXPECT_EQ(sims[i]->inspect()["boot_check"]["boots"], i != 1) << i;
    }
}

TEST(WriteE2e, AKilledWriteResumedGivesTheSameFlash) {
    const Fixture& f = fixture();
    TempDir log;
    // A throttled line so the write takes long enough to be killed in the middle.
    Sim sim("--baud 921600");
    const std::string write = fmt::format("{} --json write {} -p {},921600 --log {}", kRtprov,
                                          f.pkg.string(), sim.port(), log.path().string());
    {
        Child run(write + " 2>/dev/null");
        while (auto line = run.line()) {
            const Json e = Json::parse(*line);
            if (e["event"] == "progress" && e["op"] == "write" && e["done"] > 0)
                break;
        }
        run.signal(SIGKILL);
        EXPECT_EQ(run.wait(), 128 + SIGKILL);
    }
    // The record the killed run left: complete JSON, still "running", in the write step.
    std::vector<std::filesystem::path> records;
    for (const auto& e : std::filesystem::directory_iterator(log.path())) {
        if (!e.path().filename().string().starts_with("."))  // a temporary file cut short
            records.push_back(e.path());
    }
    ASSERT_EQ(records.size(), 1u);
    const Json killed = Json::parse(read_text_file(records[0]));
    EXPECT_EQ(killed["outcome"], "running");
    EXPECT_EQ(killed["record"]["last_step"], "write");

    const auto r = rtprov(fmt::format("--json write {} -p {},921600 --log {} --no-fuses",
                                      f.pkg.string(), sim.port(), log.path().string()));
    EXPECT_EQ(r.exit_code, 0) << r.err;
    const auto results = of_kind(events_of(r.out), "result");
    ASSERT_EQ(results.size(), 1u);
    EXPECT_EQ(results[0]["resumed"], true);
    EXPECT_EQ(results[0]["steps"][0]["detail"], "flashloader already running");
    const std::uint64_t size = results[0]["images"][0]["size"];
    EXPECT_EQ(results[0]["bytes_written"].get<std::uint64_t>() +
                  results[0]["bytes_unchanged"].get<std::uint64_t>(),
              size);
    EXPECT_EQ(sim.stop(), 0);

    // The same flash as a board written in one go.
    Sim clean;
    EXPECT_EQ(
        rtprov(fmt::format("write {} -p {} --no-fuses", f.pkg.string(), clean.port())).exit_code,
        0);
    EXPECT_EQ(clean.stop(), 0);
    EXPECT_EQ(flash_of(sim.state(), 0x10000), flash_of(clean.state(), 0x10000));
    EXPECT_EQ(sim.inspect()["boot_check"]["boots"], true);
}

TEST(WriteE2e, DryRunShowsTheFusePlanAndChangesNothing) {
    const Fixture& f = fixture();
    Sim sim;
    const auto r = rtprov(
        fmt::format("--json write {} -p {} --dry-run --burn-srk --close --allow-unsigned-fuses",
                    f.pkg.string(), sim.port()));
    EXPECT_EQ(r.exit_code, 0) << r.err;
    const auto events = events_of(r.out);
    const auto plans = of_kind(events, "fuse-plan");
    ASSERT_EQ(plans.size(), 1u);
    const Json& words = plans[0]["words"];
    ASSERT_EQ(words.size(), 10u);
    const hab::SrkFuseWords srk = hab::srk_fuse_words(f.srk_hash);
    EXPECT_EQ(words[0], (Json{{"word", "SRK0"},
                              {"index", 0x18},
                              {"current", "0x00000000"},
                              {"new", fmt::format("0x{:08x}", srk[0])},
                              {"purpose", "srk"},
                              {"status", "planned"},
                              {"read_back", nullptr}}));
    EXPECT_EQ(words[8]["word"], "BOOT_CFG1");
    EXPECT_EQ(words[8]["new"], "0x00000002");
    EXPECT_EQ(words[9]["purpose"], "lock SRK_LOCK");
    EXPECT_EQ(of_kind(events, "result")[0]["outcome"], "dry-run");
    sim.stop();
    const Json i = sim.inspect();
    EXPECT_EQ(i["fuses"].size(), 2u);  // the factory UID only
    EXPECT_TRUE(i["flash"]["used"].empty());
}

TEST(WriteE2e, WatchModeWritesBoardsAsTheyArePluggedIn) {
    const Fixture& f = fixture();
    TempDir t;
    const auto list = t / "ports.txt";
    write_text(list, "# fixtures of line 1\n");
    Child watch(fmt::format("{} --json write {} --ports-from {} --wait-for-devices --no-fuses "
                            "2>/dev/null",
                            kRtprov, f.pkg.string(), list.string()));
    std::vector<std::unique_ptr<Sim>> sims;
    std::vector<std::string> done;
    for (int n = 0; n < 2; ++n) {
        sims.push_back(std::make_unique<Sim>());
        std::ofstream(list, std::ios::app) << sims.back()->port() << "\n";
        while (auto line = watch.line()) {
            const Json e = Json::parse(*line);
            EXPECT_EQ(schema().check(e), "") << *line;
            if (e["event"] == "result") {
                EXPECT_EQ(e["outcome"], "passed");
                done.push_back(e["board"]);
                break;
            }
        }
    }
    watch.signal(SIGTERM);
    std::optional<Json> summary;
    while (auto line = watch.line())
        summary = Json::parse(*line);
    EXPECT_EQ(watch.wait(), 0);
    ASSERT_TRUE(summary);
    EXPECT_EQ((*summary)["event"], "summary");
    EXPECT_EQ((*summary)["boards"], 2);
    EXPECT_EQ(done,
              (std::vector<std::string>{sims[0]->port() + ",115200", sims[1]->port() + ",115200"}));
}

TEST(WriteE2e, APackageWithoutFlashloaderNeedsOneBeforeAnyBoardIsTouched) {
    const Fixture& f = fixture();
    auto r = rtprov(fmt::format("write {} -p uart:/dev/null", f.unsigned_pkg.string()));
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_EQ(r.err,
              "rtprov: error: the package has no flashloader: give one with --flashloader FILE\n");
    r = rtprov(fmt::format("write {} -p sim:auto --flashloader {}", f.unsigned_pkg.string(),
                           f.flashloader.string()));
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.out.find("sim:auto#1: boot check: boots: FCB, IVT and entry 0x60002101 valid"),
              std::string::npos)
        << r.out;
    EXPECT_NE(r.out.find("1 of 1 board passed"), std::string::npos) << r.out;
}

TEST(WriteE2e, UsageErrors) {
    const Fixture& f = fixture();
    auto r = rtprov("write -p sim:auto");
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_EQ(r.err, "rtprov: error: write needs a package file or -c project.yaml (not both)\n");
    r = rtprov(fmt::format("write {}", f.pkg.string()));
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_EQ(r.err, "rtprov: error: write needs --port URI (or --ports-from FILE)\n");
    r = rtprov(fmt::format("write {} -p sim:auto --close --allow-unsigned-fuses --flashloader {}",
                           f.unsigned_pkg.string(), f.flashloader.string()));
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_EQ(r.err,
              "rtprov: error: --close: the package has no SRK fuse words (SRK0..SRK7): it is not "
              "signed, a closed part would boot nothing\n");
}

}  // namespace
}  // namespace rtprov::test
