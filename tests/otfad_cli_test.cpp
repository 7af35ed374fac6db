// Black-box tests of RT1010 OTFAD: `rtprov build -c` with an otfad: section prints no key (the
// KEK, its SW_GP2 words, the context keys), `rtprov info --otfad-kek` decrypts back to the plain
// build, and the sections are refused on the parts that cannot run them.

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "cli_support.hpp"
#include "rtprov/util/file.hpp"

namespace rtprov::test {
namespace {

std::string hex(ByteView b) {
    std::string s;
    for (auto v : b)
        s += fmt::format("{:02x}", v);
    return s;
}

std::string upper(std::string s) {
    for (auto& c : s)
        c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return s;
}

struct OtfadProject {
    TempDir t;
    Bytes kek = Bytes{0xA1, 0xB2, 0xC3, 0xD4, 0xE5, 0xF6, 0x07, 0x18,
                      0x29, 0x3A, 0x4B, 0x5C, 0x6D, 0x7E, 0x8F, 0x90};
    Bytes key = Bytes(16, 0x3C);

    OtfadProject() {
        Bytes app(0x2000);
        for (std::size_t i = 0; i < app.size(); ++i)
            app[i] = static_cast<std::uint8_t>((i * 7919) >> 3);
        store_le32(app.data(), 0x20002000);
        store_le32(app.data() + 4, 0x60002101);
        write_bytes(t / "app.bin", app);
        write_bytes(t / "kek.bin", kek);
        write_bytes(t / "ctx0.bin", key);
        const std::string base =
            "device: mimxrt1010\napp: {file: app.bin, address: 0x60002000}\nfcb: rt1010-evk\n";
        write_text(t / "plain.yaml", base + "output: plain.bin\n");
        write_text(t / "otfad.yaml",
                   base + "output: otfad.bin\notfad:\n  kek_file: kek.bin\n  regions:\n"
                          "    - {start: 0x60001000, length: 0x3000, key_file: ctx0.bin}\n");
    }
    std::string path(const std::string& name) const { return (t / name).string(); }
};

TEST(OtfadCli, BuildPrintsNoKeyAndInfoDecryptsBack) {
    OtfadProject p;
    auto r = rtprov("build -c " + p.path("plain.yaml"));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    r = rtprov("build -c " + p.path("otfad.yaml"));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.out.find("OTFAD context 0: key blob at 0x0, 0x60001000..0x60003FFF, AES-CTR, "
                         "valid, decrypt, read-only"),
              std::string::npos)
        << r.out;
    EXPECT_NE(r.out.find("fuse SW_GP2_0"), std::string::npos) << r.out;
    auto json = rtprov("--json build -c " + p.path("otfad.yaml"));
    ASSERT_EQ(json.exit_code, 0) << json.err;
    const auto doc = nlohmann::json::parse(json.out);
    EXPECT_EQ(doc["otfad"]["kek_source"], "sw-gp2");
    EXPECT_EQ(doc["otfad"]["fuses"][0]["name"], "SW_GP2_0");
    EXPECT_FALSE(doc["otfad"]["fuses"][0].contains("value"));
    EXPECT_FALSE(doc["otfad"]["contexts"][0].contains("key"));
    // No key in any form: hex of the KEK, of the context key, of the SW_GP2 words.
    for (const std::string& out : {r.out + r.err, json.out + json.err}) {
        for (const std::string& secret :
             {hex(p.kek), hex(p.key), std::string("908f7e6d"), std::string("d4c3b2a1")}) {
            EXPECT_EQ(out.find(secret), std::string::npos) << secret;
            EXPECT_EQ(out.find(upper(secret)), std::string::npos) << secret;
        }
    }
    const Bytes built = read_file(p.t / "otfad.bin");
    EXPECT_NE(built, read_file(p.t / "plain.bin"));

    r = rtprov("info " + p.path("otfad.bin"));
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_EQ(r.err, "rtprov: error: " + p.path("otfad.bin") +
                         ": OTFAD-encrypted image (key blobs at 0x000): give --otfad-kek to "
                         "decrypt it\n");
    r = rtprov(fmt::format("info {} --otfad-kek {} --decrypt {}", p.path("otfad.bin"),
                           p.path("kek.bin"), p.path("dec.bin")));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.out.find("OTFAD-encrypted (shown decrypted)"), std::string::npos) << r.out;
    EXPECT_EQ(r.out.find(hex(p.key)), std::string::npos);
    EXPECT_EQ(read_file(p.t / "dec.bin"), read_file(p.t / "plain.bin"));
    r = rtprov(fmt::format("info {} --otfad-kek {}", p.path("otfad.bin"), p.path("ctx0.bin")));
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_NE(r.err.find("key blob 0 at offset 0x0: does not unwrap with this KEK"),
              std::string::npos)
        << r.err;
}

TEST(OtfadCli, SectionsAreRefusedOnPartsThatCannotRunThem) {
    OtfadProject p;
    write_text(p.t / "rt1050.yaml",
               "device: mimxrt1050\napp: {file: app.bin, address: 0x60002000}\nfcb: "
               "rt1050-evkb\noutput: x.bin\notfad: {kek_file: kek.bin}\n");
    auto r = rtprov("build -c " + p.path("rt1050.yaml"));
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_NE(r.err.find("otfad: mimxrt1050 has no OTFAD (only the RT1010 has); its encrypted "
                         "XIP is the BEE: use a bee: section"),
              std::string::npos)
        << r.err;
    write_text(p.t / "bee.yaml",
               "device: mimxrt1010\napp: {file: app.bin, address: 0x60002000}\nfcb: rt1010-evk\n"
               "output: x.bin\nbee:\n  regions:\n    - key_file: kek.bin\n      protect: "
               "[{start: 0x60001000, length: 0x1000}]\n");
    r = rtprov("build -c " + p.path("bee.yaml"));
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_NE(r.err.find("bee: mimxrt1010 has no BEE; its encrypted XIP is the OTFAD: use an "
                         "otfad: section"),
              std::string::npos)
        << r.err;
    EXPECT_FALSE(std::filesystem::exists(p.t / "x.bin"));
}

}  // namespace
}  // namespace rtprov::test
