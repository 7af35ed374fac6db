// OTFAD key blobs and images: bytes made by NXP's `nxpimage otfad export` (SPSDK 3.10,
// mimxrt1010) for a fixed configuration, round trips, the checks with their messages, fuses.
//
// The golden bytes come from this SPSDK configuration (checked independently with Python's
// `cryptography`: aes_key_unwrap of each record, AES-ECB of the counter blocks):
//   kek: 101112131415161718191A1B1C1D1E1F, otfad_table_address 0x60000000
//   key_blobs: [{aes_key: 0x00112233445566778899AABBCCDDEEFF, aes_ctr: 0x0123456789ABCDEF,
//                start_address: 0x60001000, end_address: 0x60004000}]
//   data_blobs: [{data: 0x3000 bytes of (i * 7 + 3) & 0xFF, address: 0x60001000}]

#include "rtprov/otfad/otfad.hpp"

#include <functional>

#include <fmt/format.h>

#include <gtest/gtest.h>

#include "rtprov/util/error.hpp"
#include "rtprov/util/parse.hpp"

namespace rtprov::otfad {
namespace {

template <std::size_t N>
std::array<std::uint8_t, N> hex_array(std::string_view text) {
    const Bytes b = parse_hex(text, "value");
    std::array<std::uint8_t, N> a{};
    std::copy(b.begin(), b.end(), a.begin());
    return a;
}

std::string message_of(const std::function<void()>& fn) {
    try {
        fn();
    } catch (const Error& e) {
        return e.what();
    }
    return "no error";
}

const device::Device& rt1010() {
    return device::find_device("mimxrt1010");
}

Key golden_kek() {
    return hex_array<16>("101112131415161718191A1B1C1D1E1F");
}

Config golden_config() {
    Config c;
    c.kek = golden_kek();
    RegionConfig r;
    r.start = 0x60001000;
    r.length = 0x3000;
    r.key = hex_array<16>("00112233445566778899AABBCCDDEEFF");
    r.counter = hex_array<8>("0123456789ABCDEF");
    c.regions.push_back(r);
    return c;
}

// 16 KiB at the FlexSPI base: zero up to 0x1000, then the SPSDK data blob.
Bytes golden_plain() {
    Bytes img(0x4000, 0);
    for (std::size_t i = 0; i < 0x3000; ++i)
        img[0x1000 + i] = static_cast<std::uint8_t>((i * 7 + 3) & 0xFF);
    return img;
}

TEST(Otfad, KeyBlobTableMatchesNxpimage) {
    const Result r = encrypt_image(golden_plain(), kFlexspiBase, rt1010(), golden_config());
    ASSERT_EQ(r.key_blobs.size(), kTableSize);
    const Bytes record0 = parse_hex(
        "aa83c65ba9a6845c20892579edfeb86979fae124802f2e99a2daa8057ed378bb52f188f60ea389d4aa08f4d2"
        "9ed830d7",
        "record 0");
    const Bytes unused = parse_hex(
        "0ac461cddacfb2dd7a40c32c553332c57be880f2b2f3993a1a371d156c29d9e021ab5f875244917ee435cd36"
        "7b9f5e59",
        "record 1");
    EXPECT_EQ(Bytes(r.key_blobs.begin(), r.key_blobs.begin() + 48), record0);
    for (std::size_t i = 1; i < kContexts; ++i) {
        EXPECT_EQ(Bytes(r.key_blobs.begin() + i * 64, r.key_blobs.begin() + i * 64 + 48), unused);
    }
    for (std::size_t i = 0; i < kContexts; ++i) {
        EXPECT_EQ(Bytes(r.key_blobs.begin() + i * 64 + 48, r.key_blobs.begin() + i * 64 + 64),
                  Bytes(16, 0));
    }
    EXPECT_EQ(Bytes(r.data.begin(), r.data.begin() + kTableSize), r.key_blobs);
}

TEST(Otfad, DataMatchesNxpimage) {
    const Result r = encrypt_image(golden_plain(), kFlexspiBase, rt1010(), golden_config());
    EXPECT_EQ(Bytes(r.data.begin() + 0x1000, r.data.begin() + 0x1020),
              parse_hex("b6edc193aa40db29ed3a915924bd067344c7dbbbba69d0211be607f6659dbcc6", "d"));
    EXPECT_EQ(Bytes(r.data.begin() + 0x3FF0, r.data.end()),
              parse_hex("160f26af574d38269c76689e9153f410", "last"));
    // Between the table and the range nothing changes (the FCB goes there).
    EXPECT_EQ(Bytes(r.data.begin() + kTableSize, r.data.begin() + 0x1000),
              Bytes(0x1000 - kTableSize, 0));
}

TEST(Otfad, PlainRecordLayout) {
    Context c;
    c.key = hex_array<16>("00112233445566778899AABBCCDDEEFF");
    c.counter = hex_array<8>("0123456789ABCDEF");
    c.start = 0x60001000;
    c.end = 0x60004000;
    c.flags = kFlagReadOnly | kFlagDecrypt | kFlagValid;
    // As `cryptography`'s aes_key_unwrap of NXP's record 0 gives it.
    EXPECT_EQ(key_blob_plain(c),
              parse_hex("00112233445566778899aabbccddeeff0123456789abcdef00100060ff3f0060000000"
                        "00828b79e2",
                        "plain"));
    EXPECT_EQ(unwrap_key_blob(wrap_key_blob(c, golden_kek()), golden_kek(), "r"), c);
}

TEST(Otfad, DecryptGivesThePlainImageBack) {
    const Result r = encrypt_image(golden_plain(), kFlexspiBase, rt1010(), golden_config());
    const Decrypted d = decrypt_image(r.data, golden_kek(), std::nullopt, "img");
    EXPECT_EQ(d.data, golden_plain());
    ASSERT_EQ(d.contexts.size(), 1u);
    EXPECT_EQ(d.contexts[0], r.contexts[0]);
    EXPECT_TRUE(d.crc_ok);
    Key other = golden_kek();
    other[0] ^= 1;
    EXPECT_EQ(message_of([&] { decrypt_image(r.data, other, std::nullopt, "img"); }),
              "img: key blob 0 at offset 0x0: does not unwrap with this KEK (RFC 3394 integrity "
              "check failed): another KEK, another part's key blob, or no key blob");
    EXPECT_EQ(message_of([&] { decrypt_image(golden_plain(), golden_kek(), std::nullopt, "p"); }),
              "p: no OTFAD key blob table at offset 0 (the file must start at the beginning of "
              "the boot device)");
    EXPECT_TRUE(looks_like_key_blob_table(r.data));
    EXPECT_FALSE(looks_like_key_blob_table(golden_plain()));
}

TEST(Otfad, ScrambledKekPerRecord) {
    Config c = golden_config();
    c.scramble = Scramble{0x12345678, 0x72};  // records use words 2, 0, 3, 1
    const Result r = encrypt_image(golden_plain(), kFlexspiBase, rt1010(), c);
    Key k0 = golden_kek();
    k0[8] ^= 0x78, k0[9] ^= 0x56, k0[10] ^= 0x34, k0[11] ^= 0x12;
    EXPECT_EQ(scrambled_kek(golden_kek(), c.scramble, 0), k0);
    EXPECT_EQ(unwrap_key_blob(ByteView(r.key_blobs).first(64), k0, "r0"), r.contexts[0]);
    // nxpimage with key_scramble {key_scramble_mask: 0x12345678, key_scramble_align: 0x72}.
    EXPECT_EQ(Bytes(r.key_blobs.begin(), r.key_blobs.begin() + 48),
              parse_hex("30f2239fd246cd44947f2d176c64a1e8fb650fa8fce6f0cfc5f93bc0d17b2d0592d53733"
                        "55d660ace87b037d1fc34fad",
                        "scrambled record 0"));
    EXPECT_EQ(decrypt_image(r.data, golden_kek(), c.scramble, "img").data, golden_plain());
}

TEST(Otfad, DefaultRegionCoversTheImageFromTheIvt) {
    Config c = golden_config();
    c.regions.clear();
    Bytes plain = golden_plain();
    plain.resize(0x3100);
    const Result r = encrypt_image(plain, kFlexspiBase, rt1010(), c);
    ASSERT_EQ(r.contexts.size(), 1u);
    EXPECT_EQ(r.contexts[0].start, 0x60001000u);
    EXPECT_EQ(r.contexts[0].end, 0x60003400u);
    EXPECT_NE(r.contexts[0].key, Key{});  // random
    EXPECT_EQ(decrypt_image(r.data, golden_kek(), std::nullopt, "img").data, plain);
}

TEST(Otfad, ImageChecks) {
    const Bytes plain = golden_plain();
    auto msg = [&](const Config& c, std::uint32_t address = kFlexspiBase,
                   std::string_view part = "mimxrt1010") {
        return message_of([&] { encrypt_image(plain, address, device::find_device(part), c); });
    };
    Config c = golden_config();
    EXPECT_EQ(msg(c, kFlexspiBase, "mimxrt1050"),
              "mimxrt1050 has no OTFAD (only the RT1010 has; encrypted XIP here is the BEE: use a "
              "bee: section)");
    EXPECT_EQ(msg(c, 0x60001000),
              "the OTFAD key blobs go to boot device offset 0: the image must start at "
              "0x60000000 (build with padding); this one starts at 0x60001000");
    c.regions[0].start = 0x60000400;
    EXPECT_EQ(msg(c),
              "OTFAD region 0 (0x60000400+0x3000): must lie in the FlexSPI window above the key "
              "blobs and the FCB (0x60001000..0x6FFFFFFF)");
    c.regions[0].start = 0x60001100;
    EXPECT_EQ(msg(c), "OTFAD region 0 (0x60001100+0x3000): start is not a multiple of 0x400");
    c = golden_config();
    c.regions.push_back(c.regions[0]);
    EXPECT_EQ(msg(c), "OTFAD region 1 (0x60001000+0x3000): overlaps OTFAD region 0 "
                      "(0x60001000+0x3000)");
    c = golden_config();
    c.kek.reset();
    EXPECT_EQ(msg(c), "OTFAD: no KEK (sw-gp2 mode needs the key burned into SW_GP2: kek_file)");
    c = golden_config();
    c.kek_source = KekSource::OtpmkLow;
    c.scramble = Scramble{1, 0};
    EXPECT_EQ(msg(c),
              "OTFAD: key scrambling is supported with the SW_GP2 KEK only (the flashloader's "
              "OTPMK key blobs are not scrambled)");
    c = golden_config();
    c.regions.assign(5, c.regions[0]);
    EXPECT_EQ(msg(c), "OTFAD: 5 regions; the RT1010's OTFAD has 4 contexts");
    Bytes dirty = plain;
    dirty[0x10] = 1;
    EXPECT_EQ(message_of([&] { encrypt_image(dirty, kFlexspiBase, rt1010(), golden_config()); }),
              "the image holds data at 0x000..0x0FF, where the OTFAD key blobs go");
}

TEST(Otfad, FuseSettingsForSwGp2) {
    const std::vector<FuseSetting> f = fuse_settings(rt1010(), golden_config());
    std::vector<std::string> names;
    for (const auto& s : f)
        names.push_back(s.name);
    EXPECT_EQ(names, (std::vector<std::string>{"SW_GP2_0", "SW_GP2_1", "SW_GP2_2", "SW_GP2_3",
                                               "OTFAD_KEY_SEL1", "OTFAD_ENABLE", "ENCRYPTED_XIP",
                                               "BT_FUSE_SEL", "SW_GP2_LOCK", "SW_GP2_RLOCK",
                                               "MAC_ADDR_LOCK"}));
    // SPSDK's otfad1_mimxrt1010.bcf for this KEK: efuse-program-once 41 0x1F1E1D1C ... 44
    // 0x13121110, 35 0x100.
    EXPECT_EQ(f[0].index, 0x29u);
    EXPECT_EQ(f[0].value, 0x1F1E1D1Cu);
    EXPECT_EQ(f[1].value, 0x1B1A1918u);
    EXPECT_EQ(f[2].value, 0x17161514u);
    EXPECT_EQ(f[3].index, 0x2Cu);
    EXPECT_EQ(f[3].value, 0x13121110u);
    EXPECT_EQ(kek_from_sw_gp2({f[0].value, f[1].value, f[2].value, f[3].value}), golden_kek());
    EXPECT_EQ(f[4].word, "BOOT_CFG1");
    EXPECT_EQ(f[4].mask, 0x2000u);
    EXPECT_EQ(f[4].value, 0x2000u);
    EXPECT_EQ(f[5].index, 0x23u);
    EXPECT_EQ(f[5].value, 0x100u);
    EXPECT_EQ(f[6].word, "BOOT_CFG0");
    EXPECT_EQ(f[6].value, 1u);
    EXPECT_EQ(f[7].value, 0x10u);
    EXPECT_EQ(f[8].word, "LOCK");
    EXPECT_EQ(f[8].value, 1u << 21);
    EXPECT_EQ(f[9].value, 1u << 23);
    EXPECT_EQ(f[10].value, 1u << 8);
}

TEST(Otfad, OtpmkWithoutKekLeavesTheImageToTheFlashloader) {
    Config c;
    c.kek_source = KekSource::OtpmkHigh;
    c.regions = {RegionConfig{0x60001000, 0x3000, {}, {}, true}};
    const Result r = encrypt_image(golden_plain(), kFlexspiBase, rt1010(), c);
    EXPECT_EQ(r.data, golden_plain());
    EXPECT_TRUE(r.key_blobs.empty());
    EXPECT_EQ(r.flashloader_option,
              (std::vector<std::uint32_t>{0xE0001100, 0x60001000, 0x60003FFF}));
    ASSERT_EQ(r.warnings.size(), 1u);
    std::vector<std::string> names;
    for (const auto& s : r.fuses)
        names.push_back(fmt::format("{}={:X}", s.name, s.value));
    EXPECT_EQ(names, (std::vector<std::string>{"OTFAD_KEY_SEL1=0", "OTFAD_KEY_SEL0=1000",
                                               "OTFAD_ENABLE=100", "ENCRYPTED_XIP=1",
                                               "BT_FUSE_SEL=10", "MAC_ADDR_LOCK=100"}));
    c.kek_source = KekSource::OtpmkLow;
    c.regions.push_back(RegionConfig{0x60010000, 0x400, {}, {}, true});
    EXPECT_EQ(otpmk_option_block(c.kek_source, c.regions),
              (std::vector<std::uint32_t>{0xE0000200, 0x60001000, 0x60003FFF, 0x60010000,
                                          0x600103FF}));
}

}  // namespace
}  // namespace rtprov::otfad
