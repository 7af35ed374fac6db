// CSF command serialization against the byte strings of NXP's reference CSF (spec/hab.md 2-5).

#include "rtprov/hab/csf.hpp"

#include <gtest/gtest.h>

#include <fmt/format.h>

namespace rtprov::hab {
namespace {

std::string hex(const Bytes& b) {
    std::string s;
    for (auto c : b)
        s += fmt::format("{:02x}", c);
    return s;
}

TEST(Csf, InstallKeyCommands) {
    namespace ik = install_key_flags;
    EXPECT_EQ(hex(serialize_command(
                  InstallKey{ik::kClear, Format::Srk, Algorithm::Sha256, 0, 0, 0x50, {}})),
              "be000c000317000000000050");
    EXPECT_EQ(
        hex(serialize_command(InstallKey{ik::kCsf, Format::X509, Algorithm::Any, 0, 1, 0x490, {}})),
        "be000c020900000100000490");
    EXPECT_EQ(hex(serialize_command(
                  InstallKey{ik::kAbsolute, Format::Blob, Algorithm::Any, 0, 0, 0x20006000, {}})),
              "be000c01bb00000020006000");
    EXPECT_EQ(hex(serialize_command(InstallKey{ik::kHash, Format::X509, Algorithm::Sha256, 0, 2,
                                               0x10, Bytes{1, 2, 3, 4}})),
              "be001080091700020000001001020304");
}

TEST(Csf, AuthenticateDataCommands) {
    EXPECT_EQ(
        hex(serialize_command(AuthenticateData{0, 1, Format::Cms, Engine::Dcp, 0, 0x7E4, {}})),
        "ca000c0001c51b00000007e4");
    const AuthenticateData image{
        0, 2, Format::Cms, Engine::Dcp, 0, 0xD3C, {{0x60001000, 0x40}, {0x60002000, 0x1830}}};
    EXPECT_EQ(command_size(image), 0x1Cu);
    EXPECT_EQ(hex(serialize_command(image)),
              "ca001c0002c51b0000000d3c60001000000000406000200000001830");
    EXPECT_EQ(hex(serialize_command(AuthenticateData{
                  0, 0, Format::Aead, Engine::Dcp, 0, 0xF58, {{0x20002000, 0x1830}}})),
              "ca00140000a31b0000000f582000200000001830");
}

TEST(Csf, UnlockSetAndNop) {
    EXPECT_EQ(hex(serialize_command(Unlock{Engine::Caam, unlock_features::kCaamRng, {}})),
              "b200081d00000002");
    EXPECT_EQ(hex(serialize_command(Unlock{Engine::Ocotp, 0x1, Bytes(8, 0xAB)})),
              "b2001021"
              "00000001"
              "abababababababab");
    EXPECT_EQ(hex(serialize_command(SetEngine{Algorithm::Sha256, Engine::Caam, 0})),
              "b100080300171d00");
    EXPECT_EQ(hex(serialize_command(Nop{})), "c0000400");
}

TEST(Csf, HeaderLengthCoversCommandsOnly) {
    Csf csf;
    csf.commands.push_back(InstallKey{0, Format::Srk, Algorithm::Sha256, 3, 0, 0x50, {}});
    csf.commands.push_back(AuthenticateData{0, 1, Format::Cms, Engine::Dcp, 0, 0x7E4, {}});
    EXPECT_EQ(hex(serialize_csf(csf)),
              "d4001c42"
              "be000c000317030000000050"
              "ca000c0001c51b00000007e4");
    csf.version = 0x40;
    EXPECT_EQ(serialize_csf(csf)[3], 0x40);
}

TEST(Csf, DataBlocks) {
    EXPECT_EQ(hex(make_certificate_block(Bytes{0x30, 0x00})), "d70006423000");
    EXPECT_EQ(hex(make_signature_block(Bytes{0x30, 0x00})), "d80006423000");
    const Bytes nonce(13, 0x11), mac(16, 0x22);
    const Bytes block = make_mac_block(nonce, mac);
    EXPECT_EQ(hex(Bytes(block.begin(), block.begin() + 8)), "ac002542000d0010");
    EXPECT_EQ(block.size(), 0x25u);
}

}  // namespace
}  // namespace rtprov::hab
