// Black-box tests of `rtprov mboot` / `rtprov sdp` with blhost's and sdphost's command lines
// against `rtprov sim`: the global forms (-p PORT[,BAUD], -u, -t, -j, `--`), batch files,
// unknown-command suggestions, and the boot ROM answering where a flashloader was expected.

#include <chrono>

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "cli_support.hpp"
#include "process_support.hpp"

namespace rtprov::test {
namespace {

// A simulated RT1020 on a pty with the flashloader stand-in loaded and started with sdphost's
// forms (bare serial port with baud, -j, `--`).
class FlashloaderSim {
  public:
    FlashloaderSim() : sim_("sim --uart --uid 0123456789abcdef") {
        const auto fl = dir_ / "fl.bin";
        auto r = rtprov(fmt::format("build -c {} -o {}",
                                    (kSource / "examples/sim-flashloader/project.yaml").string(),
                                    fl.string()));
        EXPECT_EQ(r.exit_code, 0) << r.err;
        r = rtprov(
            fmt::format("sdp -p {},115200 -j -- write-file 0x20208C00 {}", pty(), fl.string()));
        EXPECT_EQ(r.exit_code, 0) << r.err;
        EXPECT_EQ(nlohmann::json::parse(r.out)["bytes"], 1092) << r.out;
        r = rtprov(fmt::format("sdp -p {} -t 2000 -- jump-address 0x20208C00", pty()));
        EXPECT_EQ(r.exit_code, 0) << r.err;
    }
    const std::string& pty() const { return sim_.endpoint(); }
    const TempDir& dir() const { return dir_; }

  private:
    SimProcess sim_;
    TempDir dir_;
};

TEST(MbootCli, BlhostGlobalForms) {
    FlashloaderSim sim;
    // -p PORT,BAUD (no scheme), -t MS, -j and `--` before the command, as in blhost scripts.
    auto r = rtprov(fmt::format("mboot -p {},115200 -t 2000 -j -- get-property 1", sim.pty()));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const auto doc = nlohmann::json::parse(r.out);
    EXPECT_EQ(doc["values"], nlohmann::json::array({0x4B010600}));
    EXPECT_EQ(doc["status"], 0);
    // The rtprov form and blhost's property names and text.
    r = rtprov(fmt::format("mboot -p uart:{} get-property max-packet-size", sim.pty()));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.out,
              "Response status = 0 (0x0) Success.\n"
              "Response word 1 = 1024 (0x400)\n"
              "Max Packet Size = 1.0 kiB\n");
    r = rtprov(fmt::format("mboot -p {} -- get-property security-state", sim.pty()));
    EXPECT_NE(r.out.find("Security State = UNSECURE\n"), std::string::npos) << r.out;
    r = rtprov(fmt::format("mboot -p {} list-memory", sim.pty()));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.out,
              "Internal Flash:\n"
              "    Region 0: 0x60000000 - 0x5FFFFFFF; Total Size: 0 B Sector size: 0 B\n"
              "Internal RAM:\n"
              "    Region 0: 0x20200000 - 0x2023FFFF; Total Size: 256.0 kiB\n"
              "External Memories:\n"
              "FLEX-SPI-NOR:\n"
              "  Not Configured\n");
    // flash-read-resource exists, and the RT10xx flashloader refuses it as NXP's does.
    r = rtprov(fmt::format("mboot -p {} flash-read-resource 0 8 1", sim.pty()));
    EXPECT_EQ(r.exit_code, 3);
    EXPECT_EQ(r.err,
              "rtprov: error: mboot flash-read-resource: flash-read-resource: "
              "kStatus_UnsupportedCommand (10006)\n");
}

TEST(MbootCli, DeviceOptionsAreChecked) {
    auto r = rtprov("mboot get-property 1");
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_EQ(r.err,
              "rtprov: error: mboot: give the device with either -p PORT[,BAUD] (or a "
              "URI) or -u VID,PID\n");
    r = rtprov("mboot -u 0x15a2,0x0073 -p /dev/null get-property 1");
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_NE(r.err.find(", not both"), std::string::npos) << r.err;
    r = rtprov("sdp -u 1fc9 error-status");
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_EQ(r.err,
              "rtprov: error: -u '1fc9': expected VID,PID or VID:PID (hex, 0x optional, "
              "e.g. 0x15a2,0x0073) or a hidraw path\n");
    // Well-formed -u values reach the USB layer (no such device here: exit 3, not 1).
    for (const char* id : {"0x15a2,0x0073", "15a2:0073", "0X15A2:73"}) {
        r = rtprov(fmt::format("mboot -u {} -t 100 get-property 1", id));
        EXPECT_EQ(r.exit_code, 3) << id << ": " << r.err;
    }
}

TEST(MbootCli, UnknownCommandsGetASuggestion) {
    auto r = rtprov("mboot -p /dev/null get-proprty 1");
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_EQ(r.err,
              "rtprov: error: mboot: unknown command 'get-proprty' (did you mean "
              "'get-property'?)\n");
    r = rtprov("mboot -p /dev/null -- read-memroy 0 4");
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_EQ(r.err,
              "rtprov: error: mboot: unknown command 'read-memroy' (did you mean "
              "'read-memory'?)\n");
    r = rtprov("sdp -p /dev/null write-fil 0x20000000 x.bin");
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_EQ(r.err,
              "rtprov: error: sdp: unknown command 'write-fil' (did you mean 'write-file'?)\n");
    r = rtprov("mboot -p /dev/null frobnicate");
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_EQ(r.err,
              "rtprov: error: mboot: unknown command 'frobnicate' (see rtprov mboot "
              "--help)\n");
    r = rtprov("mboot -p /dev/null flash-security-disable 0011223344556677");
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_NE(r.err.find("does not apply to i.MX RT10xx flashloaders"), std::string::npos) << r.err;
    r = rtprov("mboot -p /dev/null");
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_EQ(r.err, "rtprov: error: rtprov mboot: missing command (see rtprov mboot --help)\n");
}

TEST(MbootCli, BatchRunsInOrderAndStopsAtTheFailingLine) {
    FlashloaderSim sim;
    const auto file = sim.dir() / "cmds.txt";
    write_text(file,
               "# blhost command file\n"
               "write-memory 0x20210000 {{0102030405}}   # five bytes\n"
               "\n"
               "read-memory 0x20210000 5\n"
               "read-memory 0x70000000 4\n"
               "fill-memory 0x20210000 4 0xffffffff\n");
    auto r = rtprov(fmt::format("mboot -p {} batch {}", sim.pty(), file.string()));
    EXPECT_EQ(r.exit_code, 3);
    EXPECT_EQ(r.out,
              "Response status = 0 (0x0) Success.\n"
              "Response word 1 = 5 (0x5)\n"
              "01 02 03 04 05\n"
              "Response status = 0 (0x0) Success.\n"
              "Response word 1 = 5 (0x5)\n"
              "Read 5 of 5 bytes.\n");
    EXPECT_EQ(r.err, fmt::format("rtprov: error: mboot batch: {}:5: read-memory: read-memory: "
                                 "kStatusMemoryRangeInvalid (10200)\n",
                                 file.string()));
    // Line 6 never ran: the bytes are still there.
    r = rtprov(fmt::format("mboot -p {} -j read-memory 0x20210000 5", sim.pty()));
    EXPECT_EQ(nlohmann::json::parse(r.out)["data"], nlohmann::json::array({1, 2, 3, 4, 5}));

    // With -j: one document, the results of every line that ran.
    write_text(file, "get-property 1\nefuse-read-once 0x01\n");
    r = rtprov(fmt::format("mboot -p {} -j batch {}", sim.pty(), file.string()));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const auto doc = nlohmann::json::parse(r.out);
    ASSERT_EQ(doc["results"].size(), 2u) << r.out;
    EXPECT_EQ(doc["results"][0]["line"], 1);
    EXPECT_EQ(doc["results"][1]["value"], 0x89ABCDEFu);

    // A wrong line is found before anything runs, named by its line (bad input: exit 2).
    write_text(file, "write-memory 0x20210000 {{AA}}\nget-proprty 1\n");
    r = rtprov(fmt::format("mboot -p {} batch {}", sim.pty(), file.string()));
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_EQ(r.err, fmt::format("rtprov: error: mboot batch: {}:2: unknown command "
                                 "'get-proprty' (did you mean 'get-property'?)\n",
                                 file.string()));
    EXPECT_EQ(r.out, "");
    r = rtprov(fmt::format("mboot -p {} -j read-memory 0x20210000 1", sim.pty()));
    EXPECT_EQ(nlohmann::json::parse(r.out)["data"], nlohmann::json::array({1}));
}

// The simulator before a flashloader is loaded speaks SDP only. A user-visible timeout bound,
// not a speed goal: the answer comes from the probe, not after --timeout (5 s) runs out.
void expect_rom_answer(const std::string& port) {
    const auto start = std::chrono::steady_clock::now();
    const auto r = rtprov("mboot -p " + port + " get-property 1");
    const std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
    EXPECT_EQ(r.exit_code, 3);
    EXPECT_NE(r.err.find("the boot ROM answered (boot ROM in serial download mode, SDP; HAB "
                         "open), not an MCUBoot flashloader: load a flashloader first"),
              std::string::npos)
        << r.err;
    EXPECT_TRUE(r.err.starts_with("rtprov: error: ")) << r.err;
    EXPECT_LT(took.count(), 2.0);
}

TEST(MbootCli, BootRomInSerialDownloadModeIsNamedAtOnce) {
    SimProcess uart("sim --uart");
    expect_rom_answer("uart:" + uart.endpoint());
    TempDir dir;
    SimProcess hid("sim --hid " + (dir / "hid.sock").string());
    expect_rom_answer("sim:" + hid.endpoint());
    // The ROM still works for sdp afterwards (the probe left nothing behind).
    const auto r = rtprov("sdp -p uart:" + uart.endpoint() + " error-status");
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.out, "Status (HAB mode) = 0xF0F0F0F0 (HAB_SUCCESS)\n");
}

}  // namespace
}  // namespace rtprov::test
