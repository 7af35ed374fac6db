// SB 1.x: command encoding as NXP's debug logs show it, round trips, and the parser's messages.

#include "rtprov/sb/sb.hpp"

#include <functional>

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <mbedtls/sha1.h>

#include "rtprov/util/error.hpp"

namespace rtprov::sb {
namespace {

std::string hex(ByteView b) {
    std::string s;
    for (auto v : b)
        s += fmt::format("{:02x}", v);
    return s;
}

std::string message_of(const std::function<void()>& fn) {
    try {
        fn();
    } catch (const Error& e) {
        return e.what();
    }
    return "no error";
}

SbFile sample() {
    SbFile f;
    f.timestamp = parse_timestamp("2020-04-24T15:33:32Z", "t");
    Section s;
    s.commands = {fill(0x2000, 0xC0233007), enable(9, 0x2000, 4), erase(0x60000000, 0x10000),
                  load(0x60001000, Bytes(48, 0xAB)), jump(0x60002000, 0, 0x20020000)};
    f.sections.push_back(s);
    Section s2;
    s2.id = 1;
    s2.commands = {reset()};
    f.sections.push_back(s2);
    return f;
}

TEST(Sb, CommandHeadersAsInNxpDebugLogs) {
    // debug_logs/sb_file_2_sections.sb.txt
    EXPECT_EQ(hex(encode_header(fill(0x2000, 0xC0233007))), "9b0300000020000004000000073023c0");
    EXPECT_EQ(hex(encode_header(enable(9, 0x2000, 4))), "90090009002000000400000000000000");
    EXPECT_EQ(hex(encode_header(erase(0x60000000, 0x10000))), "c2070000000000600000010000000000");
    EXPECT_EQ(hex(encode_header(fill(0x2000, 0xF000000F))), "8003000000200000040000000f0000f0");
}

TEST(Sb, Crc32Mpeg2) {
    const std::string check = "123456789";
    EXPECT_EQ(crc32_mpeg2(ByteView(reinterpret_cast<const std::uint8_t*>(check.data()), 9)),
              0x0376E6E7u);
}

TEST(Sb, MemoryIdsInFlags) {
    EXPECT_EQ(memory_flags(9), 0x0900);
    EXPECT_EQ(memory_flags(0x120), 0x2010);
    EXPECT_EQ(memory_id(0x2010), 0x120u);
    EXPECT_EQ(memory_id(erase_all(9).flags), 9u);
    EXPECT_EQ(erase_all(9).flags & kFlagEraseAll, kFlagEraseAll);
}

TEST(Sb, RoundTrip) {
    const SbFile f = sample();
    const Bytes b = serialize(f);
    EXPECT_EQ(b.size() % 16, 0u);
    const SbFile back = parse(b, "s.sb");
    ASSERT_EQ(back.sections.size(), 2u);
    EXPECT_EQ(back.sections[0].commands, f.sections[0].commands);
    EXPECT_EQ(back.sections[1].commands, f.sections[1].commands);
    EXPECT_EQ(back.sections[0].tag_flags, 0);
    EXPECT_EQ(back.sections[1].tag_flags, kFlagLastTag);
    EXPECT_EQ(back.timestamp, f.timestamp);
    EXPECT_EQ(serialize(back), b);
    EXPECT_EQ(timestamp_text(back.timestamp), "2020-04-24T15:33:32Z");
    EXPECT_EQ(version_text(back.product_version), "999.999.999");
}

TEST(Sb, BuilderChecks) {
    SbFile f;
    EXPECT_EQ(message_of([&] { serialize(f); }), "an SB file needs at least one section");
    f.sections.push_back(Section{});
    f.first_boot_section = 3;
    EXPECT_EQ(message_of([&] { serialize(f); }),
              "the first boot section 3 is not a bootable section of the file; the flashloader "
              "would execute nothing");
    EXPECT_EQ(message_of([&] { load(0x20000000, Bytes(5)); }),
              "LOAD at 0x20000000: 5 bytes; SB loads are padded to a multiple of 16");
    EXPECT_EQ(message_of([&] { parse_timestamp("2020-04-24 15:33:32", "--timestamp"); }),
              "--timestamp '2020-04-24 15:33:32': expected a UTC time YYYY-MM-DDTHH:MM:SSZ from "
              "2000 on");
    EXPECT_EQ(parse_version("1.2.30", "v"), (std::array<std::uint16_t, 3>{0x1, 0x2, 0x30}));
    EXPECT_EQ(message_of([&] { parse_version("1.2", "product_version"); }),
              "product_version '1.2': expected three decimal numbers 0..999 (e.g. 1.0.0)");
}

TEST(Sb, FlashImageSection) {
    FlashImageOptions o;
    o.program_fcb = true;
    o.bee_option = {0xE0110000, 0x60001000, 0x2000};
    const Section s = flash_image_section(0x60001000, Bytes(0x282C, 0x11), o);
    ASSERT_EQ(s.commands.size(), 10u);
    EXPECT_EQ(s.commands[0], fill(0x2000, 0xC0000007));
    EXPECT_EQ(s.commands[1], enable(9, 0x2000, 4));
    EXPECT_EQ(s.commands[2], erase(0x60000000, 0x4000));
    EXPECT_EQ(s.commands[3], fill(0x2000, 0xF000000F));
    EXPECT_EQ(s.commands[5], fill(0x2000, 0xE0110000));
    EXPECT_EQ(s.commands[7], fill(0x2008, 0x2000));
    EXPECT_EQ(s.commands[8], enable(9, 0x2000, 12));
    EXPECT_EQ(s.commands[9].count, 0x2830u);
    o = FlashImageOptions{};
    EXPECT_EQ(flash_image_section(0x60000000, Bytes(0x1001), o).commands[2],
              erase(0x60000000, 0x2000));
}

// Corrupts a serialized sample and returns the parser's message.
std::string corrupt(const std::function<void(Bytes&)>& edit) {
    Bytes b = serialize(sample());
    edit(b);
    return message_of([&] { parse(b, "bad.sb"); });
}

// Recomputes the header digest after editing header fields, so the later checks are reached.
void fix_digest(Bytes& b) {
    mbedtls_sha1_ret(&b[0x14], kHeaderSize - 0x14, &b[0]);
}

TEST(Sb, MalformedFilesAreRejectedWithTheOffset) {
    EXPECT_EQ(message_of([&] { parse(Bytes(10), "t.sb"); }),
              "t.sb: 10 bytes; an SB file starts with a 96-byte header");
    EXPECT_EQ(corrupt([](Bytes& b) { b[0x14] = 'X'; }),
              "bad.sb: offset 0x14: no 'STMP' signature; not an SB file");
    EXPECT_EQ(corrupt([](Bytes& b) { b[0x18] = 2; }),
              "bad.sb: offset 0x18: SB version 2.2; rtprov reads SB 1.x (SB 2.x files are for "
              "other NXP parts)");
    EXPECT_EQ(corrupt([](Bytes& b) { b[0x36] = 'X'; }),
              "bad.sb: offset 0x34: no 'sgtl' signature, which version 1.2 has");
    EXPECT_EQ(corrupt([](Bytes& b) { b[0x40] ^= 1; }),
              "bad.sb: offset 0x0: the header digest (SHA-1 of bytes 0x14..0x5F) does not match "
              "the header");
    EXPECT_EQ(corrupt([](Bytes& b) { b.resize(b.size() + 16); }),
              fmt::format("bad.sb: offset 0x1C: image size {} blocks ({} bytes), but the file has "
                          "{} bytes",
                          serialize(sample()).size() / 16, serialize(sample()).size(),
                          serialize(sample()).size() + 16));
    EXPECT_EQ(corrupt([](Bytes& b) {
                  b[0x28] = 1;
                  fix_digest(b);
              }),
              "bad.sb: offset 0x28: 1 keys: an encrypted SB file; rtprov reads unencrypted files "
              "only");
    EXPECT_EQ(corrupt([](Bytes& b) {
                  b[0x20] = 9;
                  fix_digest(b);
              }),
              "bad.sb: offset 0x20: first boot tag block 9, expected 8");
    // Section 0's TAG is at 0x80, its first command (FILL) at 0x90.
    EXPECT_EQ(corrupt([](Bytes& b) { b[0x80] ^= 1; }),
              "bad.sb: offset 0x80: section 0 TAG: checksum 0x65, computed 0x64");
    EXPECT_EQ(corrupt([](Bytes& b) {
                  b[0x91] = 0x0C;
                  b[0x90] = header_checksum(ByteView(b).subspan(0x90, 16));
              }),
              "bad.sb: offset 0x91: section 0 command 0: unknown command tag 0x0C");
    EXPECT_EQ(corrupt([](Bytes& b) {
                  b[0x81] = 0x02;
                  b[0x80] = header_checksum(ByteView(b).subspan(0x80, 16));
              }),
              "bad.sb: offset 0x81: section 0: expected a TAG command, found LOAD");
    // LOAD header at 0xC0, data at 0xD0.
    const std::string crc = corrupt([](Bytes& b) { b[0xD0] ^= 0xFF; });
    EXPECT_EQ(crc.rfind("bad.sb: offset 0xCC: section 0 command 3: LOAD data CRC-32 0x", 0), 0u)
        << crc;
    EXPECT_EQ(corrupt([](Bytes& b) {
                  store_le32(&b[0xC8], 0x1000);
                  b[0xC0] = header_checksum(ByteView(b).subspan(0xC0, 16));
              }),
              "bad.sb: offset 0xC8: section 0 command 3: LOAD of 4096 bytes runs past the end of "
              "the section");
    EXPECT_EQ(corrupt([](Bytes& b) { b[b.size() - 20] ^= 1; }).substr(0, 15), "bad.sb: offset ");
    EXPECT_NE(corrupt([](Bytes& b) {
                  b[b.size() - 20] ^= 1;
              }).find("the SHA-1 of the file does not match the trailer"),
              std::string::npos);
}

}  // namespace
}  // namespace rtprov::sb
