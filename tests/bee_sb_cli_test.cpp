// Black-box tests of BEE (build/sign --bee, info --bee-key/--decrypt) and SB 1.x (sb build, info,
// receive-sb-file on `rtprov sim`). The byte-exact cases need $RTPROV_VECTORS (skipped without):
// the keys, KIBs and nonces are those of NXP's debug logs and SPSDK's test (see
// lib/bee/bee_golden_test.cpp), the SB timestamp and padding those of NXP's test.

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>

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

const char* const kBeeUserKey = R"(mode: user-key
regions:
  - key: 0123456789abcdeffedcba9876543210
    kib_key: C1C2C3C4C5C6C7C8C9CACBCCCDCECFC0
    kib_iv: 1112131415161718191A1B1C1D1E1F10
    nonce: 112233445566778899AABBCC
    protect:
      - {start: 0x60001000, length: 0x2000}
      - {start: 0x60003800, length: 0x800}
  - key: F123456789abcdeffedcba987654321F
    kib_key: C1C2C3C4C5C6C7C8C9CACBCCCDCECFC2
    kib_iv: 2122232425262728292A2B2C2D2E2F20
    nonce: 2233445566778899AABBCCDD
    protect:
      - {start: 0x60100000, length: 0x1000}
)";

const char* const kBeeOtpmk =
    "mode: otpmk\nregions:\n  - protect: [{start: 0x60001000, length: 0x2000}]\n";

struct Board {
    std::string dir, prefix, part;
    std::uint32_t flash_option;  // FlexSPI NOR option word 0 of NXP's SB test
};

const Board kBoards[] = {{"rt1020-evk", "evkmimxrt1020_iled_blinky", "mimxrt1020", 0xC0000007},
                         {"rt1050-evkb", "evkbimxrt1050_iled_blinky", "mimxrt1050", 0xC0233007}};

std::string sign_args(const std::filesystem::path& v) {
    const std::string k = (v / "hab-keys").string();
    std::string certs;
    for (int i = 1; i <= 4; ++i)
        certs +=
            fmt::format("{}{}/crts/SRK{}_sha256_2048_65537_v3_ca_crt.pem", i > 1 ? "," : "", k, i);
    return fmt::format(
        "--srk-certs {0} --srk-index 0 --csf-key {1}/keys/CSF1_1_sha256_2048_65537_v3_usr_key.pem "
        "--csf-cert {1}/crts/CSF1_1_sha256_2048_65537_v3_usr_crt.pem "
        "--img-key {1}/keys/IMG1_1_sha256_2048_65537_v3_usr_key.pem "
        "--img-cert {1}/crts/IMG1_1_sha256_2048_65537_v3_usr_crt.pem "
        "--key-password-file {1}/keys/key_pass.txt --signature-time 2020-04-08T05:54:33Z",
        certs, k);
}

TEST(BeeCli, UserKeyBuildIsByteIdenticalAndDecryptsBack) {
    const auto v = vectors_dir();
    if (!v)
        GTEST_SKIP() << "RTPROV_VECTORS is not set";
    for (const Board& b : kBoards) {
        SCOPED_TRACE(b.part);
        TempDir t;
        write_text(t / "bee.yaml", kBeeUserKey);
        const auto out = *v / b.dir / "output";
        auto r =
            rtprov(fmt::format("build --device {} --boot-device flexspi-nor --app {}/{}_ext_"
                               "FLASH.bin --app-address 0x60002000 --bee {} -o {}",
                               b.part, (*v / b.dir).string(), b.prefix, (t / "bee.yaml").string(),
                               (t / "out.bin").string()));
        ASSERT_EQ(r.exit_code, 0) << r.err;
        EXPECT_TRUE(read_file(t / "out.bin") ==
                    read_file(out / (b.prefix + "_ext_FLASH_bee_userkey_unsigned.bin")));
        r =
            rtprov(fmt::format("info {} --bee-key 0123456789abcdeffedcba9876543210 --bee-key "
                               "F123456789abcdeffedcba987654321F --decrypt {} --show-keys",
                               (out / (b.prefix + "_ext_FLASH_bee_userkey_unsigned.bin")).string(),
                               (t / "plain.bin").string()));
        ASSERT_EQ(r.exit_code, 0) << r.err;
        EXPECT_NE(r.out.find("  nonce      112233445566778899aabbcc00000000"), std::string::npos);
        EXPECT_TRUE(read_file(t / "plain.bin") ==
                    read_file(out / (b.prefix + "_ext_FLASH_unsigned.bin")));
    }
}

// NXP's OTPMK file is the signed image as written: the flashloader encrypts it on the part.
TEST(BeeCli, OtpmkSignIsByteIdentical) {
    const auto v = vectors_dir();
    if (!v)
        GTEST_SKIP() << "RTPROV_VECTORS is not set";
    for (const Board& b : kBoards) {
        SCOPED_TRACE(b.part);
        TempDir t;
        write_text(t / "bee.yaml", kBeeOtpmk);
        const auto out = *v / b.dir / "output";
        auto r = rtprov(
            fmt::format("--json sign --image {} {} --no-padding --bee {} --device {} -o {}",
                        (out / (b.prefix + "_ext_FLASH_unsigned.bin")).string(), sign_args(*v),
                        (t / "bee.yaml").string(), b.part, (t / "out.bin").string()));
        ASSERT_EQ(r.exit_code, 0) << r.err;
        EXPECT_TRUE(read_file(t / "out.bin") ==
                    read_file(out / (b.prefix + "_ext_FLASH_bee_otmpk.bin")));
        const auto doc = nlohmann::json::parse(r.out);
        EXPECT_EQ(doc["bee"]["flashloader_option"],
                  (nlohmann::json{0xE0110000u, 0x60001000u, 0x2000u}));
        EXPECT_EQ(doc["bee"]["fuses"][1]["name"], "BEE_KEY0_SEL");
        EXPECT_EQ(doc["bee"]["fuses"][1]["value"], 0x2000u);
    }
}

TEST(BeeCli, Errors) {
    TempDir t;
    write_text(t / "bee.yaml", kBeeUserKey);
    const auto app = kSource / "examples/rt1020-evk/app/blinky.srec";
    auto r = rtprov(fmt::format("build --device mimxrt1020 --app {} --no-padding --bee {} -o {}",
                                app.string(), (t / "bee.yaml").string(), (t / "o.bin").string()));
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_EQ(r.err,
              "rtprov: error: build: bee: BEE headers go to boot device offsets 0x400 and 0x800: "
              "the image must start at 0x60000000 (build with padding); this one starts at "
              "0x60001000\n");
    EXPECT_FALSE(std::filesystem::exists(t / "o.bin"));
    r = rtprov(fmt::format("build --device mimxrt1020 --app {} --bee {} -o {}", app.string(),
                           (t / "bee.yaml").string(), (t / "o.bin").string()));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    r = rtprov("info " + (t / "o.bin").string());
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_EQ(r.err, "rtprov: error: " + (t / "o.bin").string() +
                         ": BEE-encrypted image (headers at 0x400 and 0x800): give --bee-key to "
                         "decrypt it\n");
    r = rtprov("info " + (t / "o.bin").string() + " --bee-key 00112233445566778899aabbccddeeff");
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_EQ(r.err.rfind("rtprov: error: " + (t / "o.bin").string() +
                              ": BEE region 0 header at 0x400: PRDB offset 0x0: tag ",
                          0),
              0u)
        << r.err;
    r = rtprov("info " + (t / "o.bin").string() + " --bee-key 0011");
    EXPECT_EQ(r.err, "rtprov: error: --bee-key '0011': 2 bytes; a BEE key is 16\n");
    r = rtprov("info " + (kSource / "examples/rt1020-evk/app/blinky.srec").string() +
               " --decrypt x.bin");
    EXPECT_EQ(r.err, "rtprov: error: --decrypt needs --bee-key\n");
}

const char* const kSbCommands = R"(timestamp: 2020-04-24T15:33:32Z
header_padding: db00767af4810b86
trailer_padding: 3672f499920534d2d517a0f7
sections:
  - id: 0
    commands:
      - fill: {address: 0x2000, pattern: {option}}
      - enable: {memory: flexspi-nor, address: 0x2000, size: 4}
      - erase: {address: 0x60000000, length: {erase}}
      - fill: {address: 0x2000, pattern: 0xF000000F}
      - enable: {memory: flexspi-nor, address: 0x2000, size: 4}
      - load: {address: 0x60001000, file: {image}{padding}}
)";

std::string sb_commands(const Board& b, const std::string& image, std::uint32_t erase,
                        const std::string& padding) {
    std::string text = kSbCommands;
    auto put = [&](const std::string& key, const std::string& value) {
        text.replace(text.find(key), key.size(), value);
    };
    put("{option}", fmt::format("0x{:08X}", b.flash_option));
    put("{erase}", fmt::format("0x{:X}", erase));
    put("{image}", image);
    put("{padding}", padding);
    return text;
}

TEST(SbCli, NxpReferenceFilesAreReproduced) {
    const auto v = vectors_dir();
    if (!v)
        GTEST_SKIP() << "RTPROV_VECTORS is not set";
    TempDir t;
    // One section, the image without padding (zero-padded to 16 bytes).
    const std::uint32_t erase[] = {0x5000, 0x7000};
    for (int i = 0; i < 2; ++i) {
        const Board& b = kBoards[i];
        const auto name = *v / b.dir / "output" / (b.prefix + "_ext_FLASH_unsigned_nopadding");
        write_text(t / "np.yaml", sb_commands(b, name.string() + ".bin", erase[i], ""));
        const auto built =
            rtprov("sb build " + (t / "np.yaml").string() + " -o " + (t / "a.sb").string());
        ASSERT_EQ(built.exit_code, 0) << built.err;
        EXPECT_TRUE(read_file(t / "a.sb") == read_file(name.string() + ".sb")) << b.part;
    }
    const auto o20 = *v / "rt1020-evk/output";
    // RT1050: two sections; NXP's test appended 8 "random" bytes to the image.
    const auto o50 = *v / "rt1050-evkb/output";
    std::string text = sb_commands(
        kBoards[1], (o50 / "evkbimxrt1050_iled_blinky_ext_FLASH_unsigned_nofcb.bin").string(),
        0x10000, ", padding: dce86d5de98cf57c");
    text +=
        fmt::format("  - id: 1\n    commands:\n      - load: {{address: 0x6000F000, file: {}}}\n",
                    (*v / "hab-keys/srk/SRK_hash_table.bin").string());
    write_text(t / "rt1050.yaml", text);
    auto r = rtprov("sb build " + (t / "rt1050.yaml").string() + " -o " + (t / "b.sb").string());
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_TRUE(read_file(t / "b.sb") == read_file(o50 / "sb_file_2_sections.sb"));

    r = rtprov("info " + (o50 / "sb_file_2_sections.sb").string());
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.out.find("SB 1.2 file, 18304 bytes, 2 sections, created 2020-04-24T15:33:32Z"),
              std::string::npos)
        << r.out;
    EXPECT_NE(r.out.find("    5  load 0x60001000, 16912 bytes (CRC-32 0xF76E34E0)"),
              std::string::npos)
        << r.out;
    EXPECT_NE(r.out.find("    1  enable flexspi-nor with the 4-byte option block at 0x00002000"),
              std::string::npos)
        << r.out;
    r = rtprov("--json info " +
               (o20 / "evkmimxrt1020_iled_blinky_ext_FLASH_unsigned_nopadding.sb").string());
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const auto doc = nlohmann::json::parse(r.out);
    EXPECT_EQ(doc["sections"][0]["commands"][2]["text"], "erase 0x60000000..0x60005000");
}

TEST(SbCli, MalformedFilesNameTheOffset) {
    TempDir t;
    write_text(t / "c.yaml", "timestamp: 2021-01-01T00:00:00Z\nsections: [{commands: [reset]}]\n");
    auto r = rtprov("sb build " + (t / "c.yaml").string() + " -o " + (t / "r.sb").string());
    ASSERT_EQ(r.exit_code, 0) << r.err;
    Bytes sb = read_file(t / "r.sb");
    sb[0x81] = 0x0F;  // the RESET command's tag (table at 0x60, TAG 0x70, RESET 0x80)
    write_bytes(t / "bad.sb", sb);
    r = rtprov("info " + (t / "bad.sb").string());
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_EQ(r.err, "rtprov: error: " + (t / "bad.sb").string() +
                         ": offset 0x80: section 0 command 0: checksum 0x62, computed 0x69\n");
    write_text(t / "e.yaml", "sections: [{commands: [{jump: {argument: 1}}]}]\n");
    r = rtprov("sb build " + (t / "e.yaml").string() + " -o " + (t / "e.sb").string());
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_EQ(r.err, "rtprov: error: " + (t / "e.yaml").string() +
                         ":1:31: 'sections[0].commands[0] (jump)' needs 'address'\n");
}

// Loads a stand-in flashloader over SDP and returns an MCUBoot client on the same link.
proto::McuBootClient start_flashloader(transport::Transport& t) {
    const auto& dev = device::find_device("mimxrt1020");
    boot::BuildOptions o;
    o.device = &dev;
    o.boot_device = device::BootDevice::SerialDownloader;
    Bytes app(0x1000, 0x5A);
    store_le32(app.data(), 0x20020000);
    store_le32(app.data() + 4, dev.flashloader_address + 0x501);
    o.app.add(dev.flashloader_address + 0x400, app, "flashloader");
    const boot::BootImage img = boot::build_image(o);
    proto::SdpClient sdp(t, 2000ms);
    sdp.write_file(img.address, img.data);
    sdp.jump_address(img.address + img.ivt_offset);
    proto::McuBootClient mb(t, 5000ms);
    mb.ping();
    return mb;
}

// An SB file sent with `rtprov mboot receive-sb-file` leaves the flash that the direct
// write-memory path leaves (checked by reading both simulated parts back).
TEST(SbCli, ReceiveSbFileOnTheSimulatorMatchesDirectWrite) {
    TempDir t;
    const auto app = kSource / "examples/rt1020-evk/app/blinky.srec";
    auto r = rtprov(fmt::format("build --device mimxrt1020 --app {} --no-padding -o {}",
                                app.string(), (t / "image.bin").string()));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    Bytes image = read_file(t / "image.bin");
    image.resize(align_up(image.size(), 16), 0);  // what the SB load writes
    write_text(t / "c.yaml", sb_commands(kBoards[0], (t / "image.bin").string(), 0x10000, ""));
    r = rtprov("sb build " + (t / "c.yaml").string() + " -o " + (t / "image.sb").string());
    ASSERT_EQ(r.exit_code, 0) << r.err;

    TempDir s1, s2;
    Bytes via_sb, direct;
    {
        SimProcess sim("sim --uart --state " + s1.path().string());
        {
            auto link = transport::open_uart(sim.endpoint(), 115200);
            start_flashloader(*link);
        }
        r = rtprov("mboot -p uart:" + sim.endpoint() + " receive-sb-file " +
                   (t / "image.sb").string());
        ASSERT_EQ(r.exit_code, 0) << r.err;
        auto link = transport::open_uart(sim.endpoint(), 115200);
        proto::McuBootClient mb(*link, 5000ms);
        via_sb = mb.read_memory(0x60000000, 0x10000);  // still configured by the SB
    }
    {
        SimProcess sim("sim --uart --state " + s2.path().string());
        auto link = transport::open_uart(sim.endpoint(), 115200);
        proto::McuBootClient mb = start_flashloader(*link);
        mb.fill_memory(0x2000, 4, kBoards[0].flash_option);
        mb.configure_memory(9, 0x2000);
        mb.flash_erase_region(0x60000000, 0x10000);
        mb.fill_memory(0x2000, 4, 0xF000000F);
        mb.configure_memory(9, 0x2000);
        mb.write_memory(0x60001000, image);
        direct = mb.read_memory(0x60000000, 0x10000);
    }
    EXPECT_TRUE(via_sb == direct);
    EXPECT_TRUE(std::equal(image.begin(), image.end(), via_sb.begin() + 0x1000));
}

}  // namespace
}  // namespace rtprov::test
