// Black-box tests of `rtprov sim`: the real binary serves a pty; hosts drive it with rtprov's own
// `sdp` / `mboot` commands and, in-process, with the protocol clients over open_uart().

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "cli_support.hpp"
#include "process_support.hpp"
#include "rtprov/boot/image.hpp"
#include "rtprov/proto/mboot_client.hpp"
#include "rtprov/proto/sdp_client.hpp"
#include "rtprov/transport/transport.hpp"
#include "rtprov/util/file.hpp"

namespace rtprov::test {
namespace {

using namespace std::chrono_literals;

// A flashloader-like image: IVT at 0x20208000 (offset 0), entry inside the 4 KiB app at +0x400.
boot::BootImage flashloader_image() {
    const auto& dev = device::find_device("mimxrt1020");
    boot::BuildOptions o;
    o.device = &dev;
    o.boot_device = device::BootDevice::SerialDownloader;
    Bytes app(0x1000, 0x5A);
    store_le32(app.data(), 0x20020000);
    store_le32(app.data() + 4, dev.flashloader_address + 0x501);
    o.app.add(dev.flashloader_address + 0x400, app, "flashloader");
    return boot::build_image(o);
}

Bytes pattern(std::size_t n) {
    Bytes out(n);
    for (std::size_t i = 0; i < n; ++i)
        out[i] = static_cast<std::uint8_t>((i * 131) ^ (i >> 9));
    return out;
}

nlohmann::json inspect_json(const TempDir& state) {
    auto r = rtprov("--json sim --state " + state.path().string() + " inspect");
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return nlohmann::json::parse(r.out);
}

TEST(SimE2e, PrintsThePtyAndStopsCleanlyOnSigterm) {
    TempDir state;
    SimProcess sim("sim --uart --state " + state.path().string() + " --link " +
                   (state / "tty").string());
    ASSERT_TRUE(sim.endpoint().starts_with("/dev/pts/")) << sim.endpoint();
    EXPECT_EQ(std::filesystem::read_symlink(state / "tty").string(), sim.endpoint());
    EXPECT_EQ(sim.stop(), 0);
    const auto doc = inspect_json(state);
    EXPECT_EQ(doc["device"], "mimxrt1020");
    EXPECT_EQ(doc["state"], "rom");
    EXPECT_EQ(doc["boot_check"]["boots"], false);
    EXPECT_EQ(doc["boot_check"]["reason"],
              "no FCB at flash offset 0x0 (tag 0xFFFFFFFF, expected \"FCFB\")");
}

// The whole provisioning flow in-process over the pty: SDP load + jump, then MCUBoot.
TEST(SimE2e, FlashloaderFlowOverThePty) {
    TempDir state;
    SimProcess sim("sim --uart --state " + state.path().string());
    auto t = transport::open_uart(sim.endpoint(), 115200);
    proto::SdpClient sdp(*t, 2000ms);
    const auto img = flashloader_image();
    sdp.write_file(img.address, img.data);
    sdp.jump_address(img.address + img.ivt_offset);

    proto::McuBootClient mb(*t, 5000ms);
    mb.ping();
    EXPECT_EQ(mb.get_property(1).at(0), 0x4B010600u);  // K1.6.0
    mb.fill_memory(0x2000, 4, 0xC0000007);
    mb.configure_memory(9, 0x2000);
    mb.flash_erase_region(0x60000000, 0x100000);
    const Bytes data = pattern(0x100000);
    mb.write_memory(0x60000000, data);
    EXPECT_EQ(mb.read_memory(0x60000000, 0x100000), data);

    mb.efuse_program_once(0x26, 0x0000F0F0);  // GP1
    mb.efuse_program_once(0x26, 0x00000F0F);
    EXPECT_EQ(mb.efuse_read_once(0x26), 0x0000FFFFu);
    mb.efuse_program_once(0x00, 1u << 10);  // GP1_LOCK
    EXPECT_THROW(mb.efuse_program_once(0x26, 0x10000), proto::McuBootStatusError);
    t.reset();
    EXPECT_EQ(sim.stop(), 0);

    const auto doc = inspect_json(state);
    EXPECT_EQ(doc["state"], "flashloader");
    ASSERT_EQ(doc["flash"]["used"].size(), 1u);
    EXPECT_EQ(doc["flash"]["used"][0]["address"], 0x60000000u);
    EXPECT_EQ(doc["flash"]["used"][0]["length"], 0x100000u);
    bool gp1 = false;
    for (const auto& f : doc["fuses"])
        gp1 = gp1 || (f["name"] == "GP1" && f["value"] == 0xFFFFu);
    EXPECT_TRUE(gp1) << doc.dump();
    EXPECT_EQ(doc["boot_check"]["boots"], false);  // pattern data: no FCB

    // Flash and fuses survive a restart.
    SimProcess again("sim --uart --state " + state.path().string());
    auto t2 = transport::open_uart(again.endpoint(), 115200);
    proto::SdpClient sdp2(*t2, 2000ms);
    sdp2.write_file(img.address, img.data);
    sdp2.jump_address(img.address + img.ivt_offset);
    proto::McuBootClient mb2(*t2, 5000ms);
    mb2.ping();
    mb2.fill_memory(0x2000, 4, 0xC0000007);
    mb2.configure_memory(9, 0x2000);
    EXPECT_EQ(mb2.read_memory(0x60000100, 256), Bytes(data.begin() + 256, data.begin() + 512));
    EXPECT_EQ(mb2.efuse_read_once(0x26), 0x0000FFFFu);
}

// The provisioning flow through the CLI host commands on `port` (a -p URI): SDP load and jump,
// then MCUBoot configure, erase, write `size` bytes, read them back, and fuses with write-once
// (OR) semantics and a lock. `dir` holds the files exchanged with rtprov.
void cli_flow(const std::string& port_uri, const TempDir& dir, std::size_t size) {
    const std::string port = " -p " + port_uri + " ";
    const auto img = flashloader_image();
    write_bytes(dir / "fl.bin", img.data);
    auto r = rtprov("sdp" + port + "write-file " + std::to_string(img.address) + " " +
                    (dir / "fl.bin").string());
    ASSERT_EQ(r.exit_code, 0) << r.err;
    r = rtprov("sdp" + port + "jump-address " + std::to_string(img.address));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    r = rtprov("mboot" + port + "get-property 1");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.out.find("K1.6.0"), std::string::npos) << r.out;
    ASSERT_EQ(rtprov("mboot" + port + "fill-memory 0x2000 4 0xC0000007").exit_code, 0);
    ASSERT_EQ(rtprov("mboot" + port + "configure-memory 9 0x2000").exit_code, 0);
    const std::string hex_size = fmt::format("0x{:X}", size);
    r = rtprov("mboot" + port + "flash-erase-region 0x60000000 " + hex_size);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const Bytes data = pattern(size);
    write_bytes(dir / "data.bin", data);
    r = rtprov("mboot" + port + "write-memory 0x60000000 " + (dir / "data.bin").string());
    ASSERT_EQ(r.exit_code, 0) << r.err;
    r = rtprov("mboot" + port + "read-memory 0x60000000 " + hex_size + " " +
               (dir / "back.bin").string());
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(read_file(dir / "back.bin"), data);
    // Fuses only gain bits: programming 0xF0 after 0x0F reads back 0xFF.
    ASSERT_EQ(rtprov("mboot" + port + "efuse-program-once 0x26 0x0F").exit_code, 0);
    ASSERT_EQ(rtprov("mboot" + port + "efuse-program-once 0x26 0xF0").exit_code, 0);
    r = rtprov("mboot" + port + "efuse-read-once 0x26");
    EXPECT_NE(r.out.find("Response word 2 = 255 (0xff)"), std::string::npos) << r.out;
    // After GP1_LOCK (bit 10 of LOCK, index 0) GP1 cannot be programmed any more.
    ASSERT_EQ(rtprov("mboot" + port + "efuse-program-once 0x00 0x400").exit_code, 0);
    r = rtprov("mboot" + port + "efuse-program-once 0x26 0x100");
    EXPECT_EQ(r.exit_code, 3) << r.out;
    EXPECT_NE(r.err.find("kStatus_OCOTP_ProgramFailure"), std::string::npos) << r.err;
    r = rtprov("mboot" + port + "efuse-read-once 0x26");
    EXPECT_NE(r.out.find("Response word 2 = 255 (0xff)"), std::string::npos) << r.out;
}

TEST(SimE2e, CliSdpAndMbootCommands) {
    TempDir state;
    SimProcess sim("sim --uart --state " + state.path().string());
    cli_flow("uart:" + sim.endpoint(), state, 0x8000);
}

// The same CLI flow over the HID-report socket, with a 1 MiB write; the state survives the sim.
TEST(SimE2e, CliSdpAndMbootCommandsOverHid) {
    TempDir state;
    const std::string sock = (state / "hid.sock").string();
    SimProcess sim("sim --hid " + sock + " --state " + state.path().string());
    ASSERT_EQ(sim.endpoint(), sock);
    cli_flow("sim:" + sock, state, 0x100000);
    EXPECT_EQ(sim.stop(), 0);
    const auto doc = inspect_json(state);
    EXPECT_EQ(doc["state"], "flashloader");
    ASSERT_EQ(doc["flash"]["used"].size(), 1u);
    EXPECT_EQ(doc["flash"]["used"][0]["address"], 0x60000000u);
    EXPECT_EQ(doc["flash"]["used"][0]["length"], 0x100000u);
}

// Argument forms as NXP's sdphost reads them: read-register without COUNT reads one item of the
// access width (1 byte at 8 bits), not 4 bytes.
TEST(SimE2e, SdpReadRegisterDefaultCountIsOneItem) {
    SimProcess sim("sim --uart --uid 0123456789abcdef");
    const std::string port = " -p uart:" + sim.endpoint() + " ";
    auto data = [&](const std::string& args) {
        auto r = rtprov("--json sdp" + port + "read-register 0x401F4410 " + args);
        EXPECT_EQ(r.exit_code, 0) << r.err;
        return nlohmann::json::parse(r.out)["data"].get<std::vector<int>>();
    };
    EXPECT_EQ(data("8"), (std::vector<int>{0xEF}));
    EXPECT_EQ(data("16"), (std::vector<int>{0xEF, 0xCD}));
    EXPECT_EQ(data("32"), (std::vector<int>{0xEF, 0xCD, 0xAB, 0x89}));
    EXPECT_EQ(data("8 3"), (std::vector<int>{0xEF, 0xCD, 0xAB}));
}

// As blhost, efuse-program-once reads VALUE as hex with or without 0x: "10" burns 0x10.
TEST(SimE2e, MbootEfuseProgramOnceValueIsHex) {
    TempDir dir;
    SimProcess sim("sim --uart");
    const std::string port = " -p uart:" + sim.endpoint() + " ";
    const auto img = flashloader_image();
    write_bytes(dir / "fl.bin", img.data);
    ASSERT_EQ(rtprov("sdp" + port + "write-file " + std::to_string(img.address) + " " +
                     (dir / "fl.bin").string())
                  .exit_code,
              0);
    ASSERT_EQ(rtprov("sdp" + port + "jump-address " + std::to_string(img.address)).exit_code, 0);
    ASSERT_EQ(rtprov("mboot" + port + "efuse-program-once 0x26 10").exit_code, 0);
    ASSERT_EQ(rtprov("mboot" + port + "efuse-program-once 0x27 0x20").exit_code, 0);
    auto value = [&](const std::string& index) {
        auto r = rtprov("--json mboot" + port + "efuse-read-once " + index);
        EXPECT_EQ(r.exit_code, 0) << r.err;
        return nlohmann::json::parse(r.out)["value"].get<std::uint32_t>();
    };
    EXPECT_EQ(value("0x26"), 0x10u);
    EXPECT_EQ(value("0x27"), 0x20u);
    EXPECT_EQ(rtprov("mboot" + port + "efuse-program-once 0x28 12g4").exit_code, 1);
}

TEST(SimE2e, BaudThrottlingMatchesTheLineRate) {
    SimProcess sim("sim --uart --baud 115200");
    auto t = transport::open_uart(sim.endpoint(), 115200);
    proto::SdpClient sdp(*t, 5000ms);
    const Bytes data(0x2000, 0xA5);  // 8 KiB: 0.71 s at 11520 bytes/s
    const auto start = std::chrono::steady_clock::now();
    sdp.write_file(0x20000000, data);
    const auto secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start);
    EXPECT_GT(secs.count(), 0.6);
    EXPECT_LT(secs.count(), 3.0);
}

TEST(SimE2e, BadFaultSpecIsAUsageError) {
    auto r = rtprov("sim --uart --faults drop=7");
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_EQ(r.err, "rtprov: error: --faults: drop=7: probability must be between 0 and 1\n");
}

TEST(SimE2e, PowerLossSavesAPartialWrite) {
    TempDir state;
    SimProcess sim("sim --uart --faults power-loss-after=5000 --state " + state.path().string());
    auto t = transport::open_uart(sim.endpoint(), 115200);
    proto::SdpClient sdp(*t, 2000ms);
    const auto img = flashloader_image();
    sdp.write_file(img.address, img.data);
    sdp.jump_address(img.address + img.ivt_offset);
    proto::McuBootClient mb(*t, 1000ms);
    mb.fill_memory(0x2000, 4, 0xC0000007);
    mb.configure_memory(9, 0x2000);
    EXPECT_THROW(mb.write_memory(0x60000000, Bytes(0x4000, 0)), Error);
    t.reset();
    EXPECT_EQ(sim.stop(), 3);
    const auto doc = inspect_json(state);
    ASSERT_EQ(doc["flash"]["used"].size(), 1u);
    EXPECT_EQ(doc["flash"]["used"][0]["length"], 0x2000u);  // 5000 bytes: two 4 KiB sectors
}

}  // namespace
}  // namespace rtprov::test
