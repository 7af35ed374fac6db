// Black-box tests of factory traceability: `rtprov write` to simulated boards over HID-report
// sockets (which re-enumerate as the flashloader, as USB does) and ptys, with the station's
// records database: every attempt with its board's UID and port, per-board serial numbers
// reserved once and never given twice (also when a run is killed at random points), production
// quotas, and `rtprov records` reproducing a scripted production run.

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <random>
#include <regex>
#include <set>
#include <thread>

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "cli_support.hpp"
#include "process_support.hpp"
#include "rtprov/device/device.hpp"
#include "rtprov/records/records.hpp"
#include "rtprov/sim/chip.hpp"
#include "rtprov/sim/state_store.hpp"

namespace rtprov::test {
namespace {

using Json = nlohmann::json;
using namespace std::chrono_literals;

constexpr std::uint32_t kSerialAddress = 0x60100000;
constexpr std::uint32_t kUidAddress = 0x60100010;

// `rtprov sim --hid|--uart` with its own state folder and UID; a HID board's socket is its port.
class Board {
  public:
    Board(bool hid, std::uint64_t uid, const std::string& args = "") : hid_(hid), uid_(uid) {
        start(args);
    }
    // Stops the simulator (it saves its state) and starts it again on the same state.
    void restart(const std::string& args = "") {
        stop();
        start(args);
    }
    int stop() {
        if (!child_)
            return 0;
        child_->signal(SIGTERM);
        const int status = child_->wait();
        child_.reset();
        return status;
    }
    const std::string& port() const { return port_; }
    // The board as `rtprov write` names it (uart: ports get the default baud rate).
    std::string board(const std::string& baud = "115200") const {
        return hid_ ? port_ : port_ + "," + baud;
    }
    std::string uid() const { return fmt::format("{:016x}", uid_); }
    // The flash at [address, +length) as the simulator saved it (after stop()).
    Bytes flash(std::uint32_t address, std::uint32_t length) const {
        sim::Chip chip(device::find_device("mimxrt1020"));
        EXPECT_TRUE(sim::load_state(chip, dir_ / "state"));
        return chip.flash().read(address - 0x60000000, length);
    }
    std::uint32_t fuse(const std::string& word) const {
        sim::Chip chip(device::find_device("mimxrt1020"));
        EXPECT_TRUE(sim::load_state(chip, dir_ / "state"));
        return chip.fuses().read(chip.device().fuse(word)->index).value_or(0);
    }

  private:
    void start(const std::string& args) {
        const std::string link = hid_ ? "--hid " + (dir_ / "hid.sock").string() : "--uart";
        child_ = std::make_unique<Child>(
            fmt::format("{} sim {} --state {} --uid {:016x} {} 2>/dev/null", kRtprov, link,
                        (dir_ / "state").string(), uid_, args));
        port_ = (hid_ ? "sim:" : "uart:") + child_->line().value_or("");
    }

    bool hid_;
    std::uint64_t uid_;
    TempDir dir_;
    std::unique_ptr<Child> child_;
    std::string port_;
};

using Boards = std::vector<std::unique_ptr<Board>>;

// `hid` boards over sockets then `uart` over ptys, UIDs from `first_uid` on.
Boards make_boards(int hid, int uart, std::uint64_t first_uid, const std::string& uart_args = "") {
    Boards boards;
    for (int i = 0; i < hid + uart; ++i)
        boards.push_back(std::make_unique<Board>(i < hid, first_uid + static_cast<std::uint64_t>(i),
                                                 i < hid ? "" : uart_args));
    return boards;
}

std::string ports_of(const Boards& boards, const std::string& uart_baud = "") {
    std::string out;
    for (const auto& b : boards) {
        out += " -p " + b->port();
        if (!uart_baud.empty() && b->port().starts_with("uart:"))
            out += "," + uart_baud;
    }
    return out;
}

// A 40 KiB app with a flashloader, each board getting a serial number from the station's
// counter (from 1000, at 0x60100000) and its UID (at 0x60100010); variants with a quota and
// with MAC addresses from a CSV file burned into fuses.
struct Fixture {
    TempDir dir;
    std::filesystem::path pkg, quota_pkg, mac_pkg;

    Fixture() {
        const auto d = dir.path();
        write_rt1020_app_and_flashloader(d);
        const std::string base =
            "version: 1\ndevice: mimxrt1020\nboot_device: flexspi-nor\n"
            "app:\n  file: app.bin\n  address: 0x60002000\nfcb:\n  preset: rt1020-evk\n"
            "flashloader: fl.bin\n";
        const std::string serial =
            "per_board:\n"
            "  - name: serial\n    source: counter\n    start: 1000\n    address: 0x60100000\n"
            "  - name: uid\n    source: uid\n    address: 0x60100010\n";
        write_text(d / "serial.yaml", base + serial);
        write_text(d / "quota.yaml", base + serial + "production:\n  quota: 2\n");
        write_text(d / "mac.yaml", base +
                                       "per_board:\n"
                                       "  - name: mac\n    source: csv\n    column: mac\n"
                                       "    size: 6\n    fuses: [MAC0, MAC1]\n");
        pkg = d / "serial.zip";
        quota_pkg = d / "quota.zip";
        mac_pkg = d / "mac.zip";
        for (const auto& [yaml, zip] :
             {std::pair{"serial.yaml", pkg}, {"quota.yaml", quota_pkg}, {"mac.yaml", mac_pkg}}) {
            const auto r =
                rtprov(fmt::format("export-pkg -c {} -o {}", (d / yaml).string(), zip.string()));
            EXPECT_EQ(r.exit_code, 0) << r.err;
        }
    }
};

const Fixture& fixture() {
    static const Fixture f;
    return f;
}

std::string station_of(const TempDir& station) {
    return " --station-dir " + station.path().string();
}

// Every attempt of the station, oldest first (`rtprov records list --json`).
Json attempts_of(const TempDir& station) {
    const auto r = rtprov("--json records" + station_of(station) + " list");
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return Json::parse(r.out);
}

// The newest attempt of each port.
std::map<std::string, Json> latest_by_port(const Json& attempts) {
    std::map<std::string, Json> out;
    for (const auto& a : attempts)
        out[a["port"]] = a;
    return out;
}

std::string value_of(const Json& attempt, const std::string& name) {
    for (const auto& d : attempt["data"]) {
        if (d["name"] == name)
            return d["value"];
    }
    return "";
}

// The serial numbers the station reserved, in order.
std::vector<std::uint64_t> serials_of(const TempDir& station) {
    records::Database db(records::database_path(station.path()), false);
    std::vector<std::uint64_t> out;
    for (const auto& r : db.reservations()) {
        if (r.name == "serial")
            out.push_back(std::stoull(r.value));
    }
    std::sort(out.begin(), out.end());
    return out;
}

std::vector<std::uint64_t> consecutive(std::uint64_t from, std::size_t count) {
    std::vector<std::uint64_t> out;
    for (std::size_t i = 0; i < count; ++i)
        out.push_back(from + i);
    return out;
}

// Each board holds its serial number and its UID where the package puts them.
void expect_values_on(const Board& b, const Json& attempt) {
    const std::uint32_t serial =
        static_cast<std::uint32_t>(std::stoul(value_of(attempt, "serial")));
    Bytes le(4);
    store_le32(le.data(), serial);
    EXPECT_EQ(b.flash(kSerialAddress, 4), le) << b.port();
    Bytes uid(8);
    for (std::size_t i = 0; i < 8; ++i)
        uid[i] = static_cast<std::uint8_t>(std::stoull(b.uid(), nullptr, 16) >> (56 - 8 * i));
    EXPECT_EQ(b.flash(kUidAddress, 8), uid) << b.port();
}

TEST(RecordsE2e, FourHidAndTwoPtyBoardsInOneRunEachRecordedWithItsUidPortAndSerial) {
    const Fixture& f = fixture();
    TempDir station;
    Boards boards = make_boards(4, 2, 0x5100000000000001);
    const auto t0 = std::chrono::steady_clock::now();
    const auto r = rtprov(
        fmt::format("--json write {}{}{}", f.pkg.string(), ports_of(boards), station_of(station)));
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::printf("[ figures  ] 6 boards (4 HID, 2 pty) written in %.2f s\n", seconds);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const Json attempts = attempts_of(station);
    ASSERT_EQ(attempts.size(), 6u);
    const auto by_port = latest_by_port(attempts);
    std::set<std::string> serials;
    for (const auto& b : boards) {
        ASSERT_TRUE(by_port.count(b->board())) << b->board();
        const Json& a = by_port.at(b->board());
        EXPECT_EQ(a["outcome"], "passed") << a.dump(2);
        EXPECT_EQ(a["uid"], b->uid());
        EXPECT_EQ(value_of(a, "uid"), b->uid());
        serials.insert(value_of(a, "serial"));
        // Per-step timings and the package are in the record.
        EXPECT_EQ(a["steps"].size(), 9u);
        EXPECT_EQ(a["steps"][0]["op"], "load-flashloader");
        EXPECT_EQ(a["package"]["schema"], "2.1");
        EXPECT_EQ(a["package"]["file"], f.pkg.string());
        EXPECT_NE(a["finished_at"], nullptr);
    }
    EXPECT_EQ(serials, (std::set<std::string>{"1000", "1001", "1002", "1003", "1004", "1005"}));
    EXPECT_EQ(serials_of(station), consecutive(1000, 6));
    for (auto& b : boards) {
        EXPECT_EQ(b->stop(), 0);
        expect_values_on(*b, by_port.at(b->board()));
    }
}

TEST(RecordsE2e, ARunKilledHalfWayAndResumedLeavesNoGapInTheSerials) {
    const Fixture& f = fixture();
    TempDir station;
    // The pty boards on a throttled line: still writing when the HID boards are done.
    Boards boards = make_boards(4, 2, 0x5200000000000001, "--baud 921600");
    const std::string write = fmt::format("{} --json write {}{}{}", kRtprov, f.pkg.string(),
                                          ports_of(boards, "921600"), station_of(station));
    {
        Child run(write + " 2>/dev/null");
        int results = 0;
        while (auto line = run.line()) {
            const Json e = Json::parse(*line);
            results += e["event"] == "result" ? 1 : 0;
            if (results >= 4 && e["event"] == "progress" && e["op"] == "write")
                break;
        }
        run.signal(SIGKILL);
        EXPECT_EQ(run.wait(), 128 + SIGKILL);
    }
    const Json killed = attempts_of(station);
    ASSERT_EQ(killed.size(), 6u);
    EXPECT_EQ(std::count_if(killed.begin(), killed.end(),
                            [](const Json& a) { return a["outcome"] == "running"; }),
              2);
    const auto r = rtprov(fmt::format("--json write {}{}{}", f.pkg.string(),
                                      ports_of(boards, "921600"), station_of(station)));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const Json all = attempts_of(station);
    ASSERT_EQ(all.size(), 12u);
    // The killed attempts are marked, the pty boards resumed with the serials they had.
    EXPECT_EQ(std::count_if(all.begin(), all.end(),
                            [](const Json& a) { return a["outcome"] == "interrupted"; }),
              2);
    const auto before = latest_by_port(killed);
    const auto after = latest_by_port(all);
    for (const auto& b : boards) {
        const Json& a = after.at(b->board("921600"));
        EXPECT_EQ(a["outcome"], "passed");
        EXPECT_EQ(a["uid"], b->uid());
        EXPECT_EQ(value_of(a, "serial"), value_of(before.at(b->board("921600")), "serial"));
        EXPECT_EQ(a["resumed"], b->port().starts_with("uart:"));
    }
    EXPECT_EQ(serials_of(station), consecutive(1000, 6));
    for (auto& b : boards) {
        EXPECT_EQ(b->stop(), 0);
        expect_values_on(*b, after.at(b->board("921600")));
    }
}

// Kills `write` after `delay` (unless it ended before); returns the result events it printed.
std::vector<Json> run_killed_after(const std::string& command, std::chrono::milliseconds delay) {
    Child run(command + " 2>/dev/null");
    std::mutex m;
    std::condition_variable cv;
    bool ended = false;
    std::thread killer([&] {
        std::unique_lock lock(m);
        if (!cv.wait_for(lock, delay, [&] { return ended; }))
            run.signal(SIGKILL);
    });
    std::vector<Json> results;
    while (auto line = run.line()) {
        const Json e = Json::parse(*line, nullptr, false);
        if (!e.is_discarded() && e.value("event", "") == "result")
            results.push_back(e);
    }
    {
        std::lock_guard lock(m);
        ended = true;
    }
    cv.notify_one();
    killer.join();
    run.wait();
    return results;
}

TEST(RecordsE2e, KilledAtRandomPointsTheRecordsStayCompleteAndNoSerialIsGivenTwice) {
    const Fixture& f = fixture();
    // Seeds whose kill times fall before the first board is read, while the HID boards are
    // written, and while the pty board is.
    for (const unsigned seed : {9u, 7u, 12u, 5u, 4u}) {
        SCOPED_TRACE(fmt::format("seed {}", seed));
        std::mt19937 rng(seed);
        TempDir station;
        Boards boards = make_boards(2, 1, 0x5300000000000001 + seed * 16, "--baud 921600");
        const std::string write = fmt::format("{} --json write {}{}{}", kRtprov, f.pkg.string(),
                                              ports_of(boards, "921600"), station_of(station));
        const auto delay =
            std::chrono::milliseconds(std::uniform_int_distribution<int>(0, 1400)(rng));
        const std::vector<Json> shown = run_killed_after(write, delay);
        std::printf("[ figures  ] seed %u: killed after %d ms, %zu of %zu results shown\n", seed,
                    static_cast<int>(delay.count()), shown.size(), boards.size());

        // Readable and whole; every result that was shown is there, final. (Killed before it
        // opened the station, there is no database yet, and nothing was shown.)
        if (!std::filesystem::exists(records::database_path(station.path()))) {
            EXPECT_TRUE(shown.empty());
        } else {
            records::Database db(records::database_path(station.path()), false);
            EXPECT_EQ(db.integrity(), "ok");
            const auto attempts = db.attempts({});
            for (const Json& res : shown) {
                const auto a = std::find_if(attempts.begin(), attempts.end(),
                                            [&](const auto& x) { return x.port == res["board"]; });
                ASSERT_NE(a, attempts.end()) << res.dump();
                EXPECT_EQ(a->outcome, res["outcome"]);
                EXPECT_EQ(a->uid, res["uid"].get<std::string>());
                EXPECT_FALSE(a->finished_at.empty());
            }
            // One serial per board, never two boards with one serial.
            std::set<std::string> uids;
            std::set<std::string> values;
            for (const auto& r : db.reservations()) {
                if (r.name != "serial")
                    continue;
                EXPECT_TRUE(uids.insert(r.uid).second) << r.uid;
                EXPECT_TRUE(values.insert(r.value).second) << r.value;
            }
        }
        const auto r = rtprov(fmt::format("--json write {}{}{}", f.pkg.string(),
                                          ports_of(boards, "921600"), station_of(station)));
        ASSERT_EQ(r.exit_code, 0) << r.err;
        EXPECT_EQ(serials_of(station), consecutive(1000, boards.size()));
        const auto latest = latest_by_port(attempts_of(station));
        for (auto& b : boards) {
            EXPECT_EQ(latest.at(b->board("921600"))["outcome"], "passed");
            EXPECT_EQ(b->stop(), 0);
            expect_values_on(*b, latest.at(b->board("921600")));
        }
    }
}

TEST(RecordsE2e, StatsReproduceTheCountsOfAScriptedProductionRun) {
    const Fixture& f = fixture();
    TempDir station;
    // Shift 1: three boards, one with a flash that fails to program.
    Boards boards = make_boards(1, 1, 0x5400000000000001);
    boards.push_back(std::make_unique<Board>(true, 0x5400000000000003, "--faults program-fail=1"));
    auto r = rtprov(fmt::format("write {}{} --retries 1{}", f.pkg.string(), ports_of(boards),
                                station_of(station)));
    EXPECT_EQ(r.exit_code, 3) << r.err;
    // A dry run on a fourth board changes nothing and counts apart.
    Board fourth(true, 0x5400000000000004);
    r = rtprov(fmt::format("write {} -p {} --dry-run{}", f.pkg.string(), fourth.port(),
                           station_of(station)));
    EXPECT_EQ(r.exit_code, 0) << r.err;
    // The failed board, repaired, passes the second time.
    boards[2]->restart();
    r = rtprov(
        fmt::format("write {} -p {}{}", f.pkg.string(), boards[2]->port(), station_of(station)));
    EXPECT_EQ(r.exit_code, 0) << r.err;

    r = rtprov("--json records" + station_of(station) + " stats");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    Json stats = Json::parse(r.out);
    ASSERT_EQ(stats["causes"].size(), 1u);
    EXPECT_EQ(stats["causes"][0]["step"], "write");
    EXPECT_EQ(stats["causes"][0]["code"], "device");
    EXPECT_EQ(stats["causes"][0]["count"], 1);
    EXPECT_NE(stats["causes"][0]["example"].get<std::string>().find("ProgramFail"),
              std::string::npos);
    std::uint64_t passed = 0;
    std::uint64_t failed = 0;
    for (const auto& h : stats["hours"]) {
        passed += h["passed"].get<std::uint64_t>();
        failed += h["failed"].get<std::uint64_t>();
    }
    EXPECT_EQ(passed, 3u);
    EXPECT_EQ(failed, 1u);
    EXPECT_GT(stats["passed_per_hour"].get<double>(), 0);
    stats.erase("causes");
    stats.erase("hours");
    stats.erase("passed_per_hour");
    EXPECT_EQ(stats, (Json{{"attempts", 4},
                           {"passed", 3},
                           {"passed_unfused", 0},
                           {"refused", 0},
                           {"failed", 1},
                           {"interrupted", 0},
                           {"running", 0},
                           {"dry_runs", 1},
                           {"boards", 3},
                           {"boards_passed", 3},
                           {"first_pass", 2},
                           {"yield", 1.0},
                           {"first_pass_yield", 0.6667}}));
    // The same counts for people.
    r = rtprov("records" + station_of(station) + " stats");
    EXPECT_NE(r.out.find("attempts: 4 finished: 3 passed, 0 passed-unfused, 1 failed, 0 "
                         "interrupted (0 refused, 0 running, 1 dry run)\nboards: 3, 3 passed (yield 100.0%), 2 passed the first time "
                         "(66.7%)\nfailure causes:\n      1  write (device): "),
              std::string::npos)
        << r.out;
    // Export carries the same attempts.
    r = rtprov("records" + station_of(station) + " export --csv");
    EXPECT_EQ(std::count(r.out.begin(), r.out.end(), '\n'), 6);  // header, 4 + 1 dry run
}

TEST(RecordsE2e, AProductionQuotaIsKeptByTheStation) {
    const Fixture& f = fixture();
    TempDir station;
    Boards boards = make_boards(3, 0, 0x5500000000000001);
    auto r = rtprov(fmt::format("--json write {}{}{}", f.quota_pkg.string(), ports_of(boards),
                                station_of(station)));
    EXPECT_EQ(r.exit_code, 1) << r.err;
    const Json attempts = attempts_of(station);
    ASSERT_EQ(attempts.size(), 3u);
    int passed = 0;
    for (const auto& a : attempts) {
        if (a["outcome"] == "passed") {
            ++passed;
            continue;
        }
        EXPECT_EQ(a["error"]["step"], "read-fuses");
        // Whether the others had passed or were still under way depends on the timing.
        const std::string message = a["error"]["message"];
        EXPECT_TRUE(std::regex_match(
            message, std::regex("read-fuses: production quota reached: [0-2] boards? passed and "
                                "[0-2] under way of the package's quota of 2 at this station \\(a "
                                "limit the station keeps in its records database, not a "
                                "cryptographic one\\)")))
            << message;
    }
    EXPECT_EQ(passed, 2);
    Board more(true, 0x5500000000000009);
    r = rtprov(
        fmt::format("write {} -p {}{}", f.quota_pkg.string(), more.port(), station_of(station)));
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_EQ(r.err, fmt::format("rtprov: error: production quota reached: 2 of 2 boards passed "
                                 "with this package at this station ({}); the quota is a limit "
                                 "the station keeps in its records, not a cryptographic one\n",
                                 records::database_path(station.path()).string()));
}

TEST(RecordsE2e, CsvRowsGoIntoFusesOneRowPerBoard) {
    const Fixture& f = fixture();
    TempDir station;
    write_text(station / "macs.csv",
               "mac,batch\n00:1b:c5:0a:00:01,A\n00:1b:c5:0a:00:02,A\n00:1b:c5:0a:00:03,B\n");
    Boards boards = make_boards(0, 2, 0x5600000000000001);
    auto r = rtprov(fmt::format(
        "write {}{} --burn-data-fuses --allow-unsigned-fuses --board-data {}{}", f.mac_pkg.string(),
        ports_of(boards), (station / "macs.csv").string(), station_of(station)));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    std::set<std::pair<std::uint32_t, std::uint32_t>> fuses;
    const auto latest = latest_by_port(attempts_of(station));
    for (auto& b : boards) {
        EXPECT_EQ(b->stop(), 0);
        const std::string mac = value_of(latest.at(b->board()), "mac");
        const Json& rows = latest.at(b->board())["fuses"];
        ASSERT_EQ(rows.size(), 2u);
        EXPECT_EQ(rows[0]["purpose"], "data mac");
        EXPECT_EQ(rows[0]["status"], "programmed");
        // Bytes in order, little-endian across MAC0, MAC1.
        const std::uint32_t last = mac == "00:1b:c5:0a:00:01" ? 0x0100 : 0x0200;
        EXPECT_EQ(b->fuse("MAC0"), 0x0ac51b00u) << mac;
        EXPECT_EQ(b->fuse("MAC1"), last) << mac;
        fuses.insert({b->fuse("MAC0"), b->fuse("MAC1")});
    }
    EXPECT_EQ(fuses.size(), 2u);
    // Without a CSV file the run is refused before any board is touched.
    r = rtprov(fmt::format("write {} -p sim:auto{}", f.mac_pkg.string(), station_of(station)));
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_EQ(r.err,
              "rtprov: error: the package writes per-board value 'mac' from the CSV column 'mac': "
              "give the station's file with --board-data FILE.csv\n");
}

TEST(RecordsE2e, EachSimulatedPartKeepsItsOwnUidInItsStateDirectory) {
    TempDir a;
    TempDir b;
    const auto uid_of = [](const TempDir& dir, const std::string& args) {
        Child sim(fmt::format("{} --json sim --hid {} --state {} {} 2>/dev/null", kRtprov,
                              (dir / "hid.sock").string(), (dir / "state").string(), args));
        // A refused part prints its error document instead (not one line).
        const Json hello = Json::parse(sim.line().value_or("{}"), nullptr, false);
        sim.signal(SIGTERM);
        sim.wait();
        return hello.is_object() ? hello.value("uid", std::string()) : std::string();
    };
    const std::string first = uid_of(a, "");
    EXPECT_EQ(first.size(), 16u);
    EXPECT_EQ(uid_of(a, ""), first);                            // the same part again
    EXPECT_NE(uid_of(b, ""), first);                            // another part
    EXPECT_EQ(uid_of(b, "--uid 00000000000000c3").size(), 0u);  // refused: b has its own
    TempDir c;
    EXPECT_EQ(uid_of(c, "--uid 00000000000000c3"), "00000000000000c3");
    const auto r = rtprov(fmt::format("sim --hid {} --state {} --uid 00000000000000c4",
                                      (c / "hid.sock").string(), (c / "state").string()));
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_EQ(r.err, fmt::format("rtprov: error: {} holds a part with UID 00000000000000c3, not "
                                 "--uid 00000000000000c4\n",
                                 (c / "state").string()));
}

}  // namespace
}  // namespace rtprov::test
