// Robustness of the real binary against hostile inputs (issue 24): a manifest nested 300,000
// levels deep, a records database holding such an attempt, --ports-from /dev/zero, a UART that
// another process holds, and escape sequences in operator-given names.

#include <sqlite3.h>
#include <unistd.h>

#include <chrono>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "cli_support.hpp"
#include "process_support.hpp"
#include "rtprov/pkg/zip_archive.hpp"
#include "rtprov/records/records.hpp"
#include "rtprov/transport/transport.hpp"
#include "rtprov/util/file.hpp"
#include "rtprov/util/process.hpp"

namespace rtprov::test {
namespace {

const std::filesystem::path kPackage =
    kSource / "tests" / "data" / "pkg-corpus" / "2.0" / "rt1020-flexspi-signed-flashloader.zip";

// The corpus package with its manifest's "writer" nested `depth` arrays deep.
void write_deep_package(const std::filesystem::path& out, std::size_t depth) {
    std::vector<pkg::ZipEntry> entries = pkg::read_zip(read_file(kPackage), {});
    for (auto& e : entries) {
        if (e.name != "manifest.json")
            continue;
        std::string text(e.data.begin(), e.data.end());
        const auto at = text.find("\"writer\":");
        ASSERT_NE(at, std::string::npos);
        const auto end = text.find(',', at);
        text = text.substr(0, at) + "\"writer\": " + std::string(depth, '[') +
               std::string(depth, ']') + text.substr(end);
        e.data.assign(text.begin(), text.end());
    }
    write_bytes(out, pkg::write_zip(entries, {}));
}

// Crashed with a stack overflow (SIGSEGV, exit 139) in import-pkg and write.
TEST(Robustness, AManifestNested300000DeepIsRefusedNotACrash) {
    TempDir dir;
    const auto zip = dir / "deep.zip";
    write_deep_package(zip, 300000);
    for (const std::string& command :
         {"import-pkg " + zip.string(), "write " + zip.string() + " -p sim:auto"}) {
        const auto r = rtprov(command);
        EXPECT_EQ(r.exit_code, 2) << command << "\n" << r.err;
        EXPECT_NE(r.err.find("manifest.json: JSON nested deeper than 64 levels"), std::string::npos)
            << r.err;
    }
}

TEST(Robustness, RecordsShowOfAnAttemptNestedTooDeepExits2) {
    TempDir dir;
    const auto file = dir / "records.sqlite";
    std::int64_t id = 0;
    {
        records::Database db(file, true);
        write::BoardResult r;
        r.board = "p1";
        id = db.begin_attempt({"s", host_name(), 1, "f", "2.1", "w"}, r);
    }
    sqlite3* raw = nullptr;
    ASSERT_EQ(sqlite3_open(file.c_str(), &raw), SQLITE_OK);
    const std::string sql = fmt::format("UPDATE attempts SET data = '{}{}'",
                                        std::string(300000, '['), std::string(300000, ']'));
    ASSERT_EQ(sqlite3_exec(raw, sql.c_str(), nullptr, nullptr, nullptr), SQLITE_OK);
    sqlite3_close(raw);
    for (const std::string& sub :
         {fmt::format("show {}", id), std::string("list"), std::string("export --json")}) {
        const auto r = rtprov(fmt::format("records --db {} {}", file.string(), sub));
        EXPECT_EQ(r.exit_code, 2) << sub << "\n" << r.err;
        EXPECT_NE(r.err.find(fmt::format("{}: attempt {}: data: JSON nested deeper than 64",
                                         file.string(), id)),
                  std::string::npos)
            << r.err;
    }
}

// Hung for ever, reading /dev/zero into memory.
TEST(Robustness, PortsFromDevZeroExits2AtOnce) {
    const auto t0 = std::chrono::steady_clock::now();
    const auto r = run_command(
        fmt::format("timeout 30 {} write {} --ports-from /dev/zero", kRtprov, kPackage.string()));
    EXPECT_EQ(r.exit_code, 2) << r.err;
    EXPECT_NE(r.err.find("port list: /dev/zero: larger than the limit of 1048576 bytes (1 MiB)"),
              std::string::npos)
        << r.err;
    EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(10));
}

// Two processes could open one UART and interleave their bytes to one board.
TEST(Robustness, AUartHeldByAnotherProcessIsRefusedNamingItsPid) {
    SimProcess sim("sim --uart");
    ASSERT_FALSE(sim.endpoint().empty());
    auto held = transport::open_uart(sim.endpoint(), 115200);  // this test process holds it
    const auto r = rtprov("sdp -p uart:" + sim.endpoint() + " error-status");
    EXPECT_EQ(r.exit_code, 3) << r.err;
    EXPECT_NE(r.err.find(fmt::format("{} is in use by PID {} (", sim.endpoint(), ::getpid())),
              std::string::npos)
        << r.err;
    held.reset();
    const auto again = rtprov("sdp -p uart:" + sim.endpoint() + " error-status");
    EXPECT_EQ(again.exit_code, 0) << again.err;
}

// Escape sequences in --station went raw into the records and onto every terminal.
TEST(Robustness, ControlCharactersInNamesAreRefusedNamingTheOption) {
    TempDir dir;
    auto r = rtprov(fmt::format("write {} -p sim:auto --station \"$(printf 'line\\033[2J')\"",
                                kPackage.string()));
    EXPECT_EQ(r.exit_code, 1) << r.err;
    EXPECT_NE(r.err.find("--station: control character 0x1b at byte 4 ('line\\x1b[2J')"),
              std::string::npos)
        << r.err;
    r = run_command(fmt::format("RTPROV_STATION=\"$(printf 'a\\rb')\" {} write {} -p sim:auto",
                                kRtprov, kPackage.string()));
    EXPECT_EQ(r.exit_code, 1) << r.err;
    EXPECT_NE(r.err.find("RTPROV_STATION: control character 0x0d at byte 1"), std::string::npos)
        << r.err;
    r = rtprov(
        fmt::format("write {} -p \"$(printf 'sim:auto\\033]0;x\\007')\"", kPackage.string()));
    EXPECT_EQ(r.exit_code, 1) << r.err;
    EXPECT_NE(r.err.find("--port: control character 0x1b at byte 8"), std::string::npos) << r.err;
    write_text(dir / "ports.txt", "# rig 1\nsim:auto\nsim:auto\x1b[1m\n");
    r = rtprov(
        fmt::format("write {} --ports-from {}", kPackage.string(), (dir / "ports.txt").string()));
    EXPECT_EQ(r.exit_code, 2) << r.err;
    EXPECT_NE(r.err.find((dir / "ports.txt").string() + ":3: control character 0x1b"),
              std::string::npos)
        << r.err;
}

}  // namespace
}  // namespace rtprov::test
