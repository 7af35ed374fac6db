// BEE headers and images: round trips, the checks and their exact messages, fuse settings.

#include "rtprov/bee/bee.hpp"

#include <gtest/gtest.h>

#include "rtprov/util/error.hpp"

namespace rtprov::bee {
namespace {

Key key_of(std::uint8_t first) {
    Key k{};
    for (std::size_t i = 0; i < k.size(); ++i)
        k[i] = static_cast<std::uint8_t>(first + i);
    return k;
}

Key nonce_of(std::uint8_t first) {
    Key n = key_of(first);
    std::fill(n.begin() + 12, n.end(), 0);
    return n;
}

std::string message_of(const std::function<void()>& fn) {
    try {
        fn();
    } catch (const Error& e) {
        return e.what();
    }
    return "no error";
}

// A plain 16 KiB "image" at the FlexSPI base with the header slots empty.
Bytes plain_image() {
    Bytes img(0x4000);
    for (std::size_t i = 0x1000; i < img.size(); ++i)
        img[i] = static_cast<std::uint8_t>(i * 13 + 1);
    return img;
}

Config user_key_config() {
    Config c;
    RegionConfig r;
    r.key = key_of(0x10);
    r.kib_key = key_of(0x20);
    r.kib_iv = key_of(0x30);
    r.nonce = nonce_of(0x40);
    r.facs = {{0x60001000, 0x1000, 0}, {0x60003000, 0x400, 0}};
    c.regions.push_back(r);
    return c;
}

const device::Device& rt1050() {
    return device::find_device("mimxrt1050");
}

TEST(Bee, PrdbRoundTrip) {
    Prdb p;
    p.lock = 0x5;
    p.nonce = nonce_of(1);
    p.facs = {{0x60002000, 0x800, 1}, {0x60001000, 0x400, 0}};
    const Bytes b = serialize_prdb(p);
    ASSERT_EQ(b.size(), kPrdbSize);
    EXPECT_EQ(load_le32(&b[0x10]), 0x60001000u);  // span of the FACs
    EXPECT_EQ(load_le32(&b[0x14]), 0x60002800u);
    EXPECT_EQ(b[0x20], 0);  // nonce stored reversed
    EXPECT_EQ(b[0x2F], 1);
    Prdb back = parse_prdb(b, "t");
    p.start = 0x60001000;
    p.end = 0x60002800;
    EXPECT_EQ(back, p);
}

TEST(Bee, HeaderRoundTripAndWrongKey) {
    RegionHeader h{{key_of(1), key_of(2)}, {}};
    h.prdb.nonce = nonce_of(3);
    h.prdb.facs = {{0x60001000, 0x2000, 0}};
    const Bytes slot = encrypt_header(h, key_of(9));
    ASSERT_EQ(slot.size(), kHeaderSize);
    EXPECT_TRUE(looks_like_header(slot));
    const RegionHeader back = decrypt_header(slot, key_of(9), "slot");
    EXPECT_EQ(back.kib, h.kib);
    EXPECT_EQ(back.prdb.facs, h.prdb.facs);
    EXPECT_EQ(back.prdb.nonce, h.prdb.nonce);
    const std::string msg = message_of([&] { decrypt_header(slot, key_of(8), "f.bin: region 0"); });
    EXPECT_EQ(msg.rfind("f.bin: region 0: PRDB offset 0x0: tag ", 0), 0u) << msg;
    EXPECT_NE(msg.find(", expected TAG_EHDR; a wrong key or not a BEE header"), std::string::npos)
        << msg;
}

TEST(Bee, MalformedPrdbsAreRejectedWithTheOffset) {
    Prdb p;
    p.facs = {{0x60001000, 0x400, 0}};
    const Bytes good = serialize_prdb(p);
    auto with = [&](std::size_t at, std::uint32_t v) {
        Bytes b = good;
        store_le32(&b[at], v);
        return message_of([&] { parse_prdb(b, "x"); });
    };
    EXPECT_EQ(with(8, 0x56020000), "x: PRDB offset 0x8: version 0x56020000, expected 0x56010000");
    EXPECT_EQ(with(0x0C, 0), "x: PRDB offset 0xC: FAC count 0, expected 1..4");
    EXPECT_EQ(with(0x0C, 5), "x: PRDB offset 0xC: FAC count 5, expected 1..4");
    EXPECT_EQ(with(0x18, 0), "x: PRDB offset 0x18: mode 0, only 1 (AES-CTR) is supported");
    EXPECT_EQ(with(0x20, 7),
              "x: PRDB offset 0x20: the last four bytes of the counter nonce are not zero");
    EXPECT_EQ(with(0x40, 1), "x: PRDB offset 0x30: reserved bytes are not zero");
    EXPECT_EQ(with(0x54, 0x60001000),
              "x: PRDB offset 0x50: FAC 0 ends (0x60001000) at or before its start (0x60001000)");
    EXPECT_EQ(with(0x60, 1), "x: PRDB offset 0x5C: FAC 0: reserved bytes are not zero");
    EXPECT_EQ(with(0x50, 0x60001100),
              "x: PRDB: FAC 0 (0x60001100+0x300): start is not a multiple of 0x400");
    EXPECT_EQ(message_of([&] { parse_prdb(ByteView(good).first(100), "x"); }),
              "x: PRDB of 100 bytes, expected 256");
}

TEST(Bee, FacChecks) {
    auto msg = [](std::vector<Fac> f) { return message_of([&] { check_facs(f, "r"); }); };
    EXPECT_EQ(msg({}), "r: no protected range (FAC)");
    EXPECT_EQ(msg({{0x60001000, 0x300, 0}}),
              "r: FAC 0 (0x60001000+0x300): length is not a non-zero multiple of 0x400");
    EXPECT_EQ(msg({{0x60001000, 0x400, 4}}),
              "r: FAC 0 (0x60001000+0x400): protection level 4 (0..3)");
    EXPECT_EQ(msg({{0x60001000, 0x800, 0}, {0x60001400, 0x400, 0}}),
              "r: FAC 1 (0x60001400+0x400): overlaps FAC 0 (0x60001000+0x800)");
    EXPECT_EQ(msg({{0xFFFFFC00, 0x800, 0}}), "r: FAC 0 (0xFFFFFC00+0x800): ends beyond 4 GiB");
}

TEST(Bee, ImageRoundTrip) {
    const Bytes plain = plain_image();
    const Result r = encrypt_image(plain, kFlexspiBase, rt1050(), user_key_config());
    ASSERT_EQ(r.data.size(), plain.size());
    EXPECT_TRUE(
        std::equal(plain.begin() + 0x2000, plain.begin() + 0x3000, r.data.begin() + 0x2000));
    EXPECT_FALSE(
        std::equal(plain.begin() + 0x1000, plain.begin() + 0x2000, r.data.begin() + 0x1000));
    EXPECT_EQ(header_slots(r.data), (std::vector<std::uint32_t>{0}));
    const Key k = key_of(0x10);
    const Decrypted d = decrypt_image(r.data, std::span(&k, 1), "img");
    EXPECT_EQ(d.data, plain);
    ASSERT_EQ(d.regions.size(), 1u);
    EXPECT_EQ(d.regions[0].header.kib.key, key_of(0x20));
    EXPECT_EQ(d.regions[0].header.prdb.start, 0x60001000u);
    EXPECT_EQ(d.regions[0].header.prdb.end, 0x60003400u);
}

TEST(Bee, RandomKibAndNonceByDefault) {
    Config c = user_key_config();
    c.regions[0].kib_key.reset();
    c.regions[0].kib_iv.reset();
    c.regions[0].nonce.reset();
    const Result a = encrypt_image(plain_image(), kFlexspiBase, rt1050(), c);
    const Result b = encrypt_image(plain_image(), kFlexspiBase, rt1050(), c);
    EXPECT_NE(a.regions[0].header.kib.key, b.regions[0].header.kib.key);
    EXPECT_EQ(a.regions[0].header.prdb.nonce[12], 0);
    const Key k = key_of(0x10);
    EXPECT_EQ(decrypt_image(a.data, std::span(&k, 1), "a").data, plain_image());
}

TEST(Bee, ImageChecks) {
    const Bytes plain = plain_image();
    auto msg = [&](const Config& c, std::uint32_t address = kFlexspiBase,
                   std::string_view part = "mimxrt1050") {
        return message_of([&] { encrypt_image(plain, address, device::find_device(part), c); });
    };
    Config c = user_key_config();
    EXPECT_EQ(msg(c, kFlexspiBase, "mimxrt1010"),
              "mimxrt1010 has no BEE (encrypted XIP there is OTFAD)");
    EXPECT_EQ(msg(c, 0x60001000),
              "BEE headers go to boot device offsets 0x400 and 0x800: the image must start at "
              "0x60000000 (build with padding); this one starts at 0x60001000");
    c.regions[0].facs = {{0x60000000, 0x1000, 0}};
    EXPECT_EQ(msg(c),
              "BEE region 0: FAC 0 (0x60000000+0x1000) must lie in the FlexSPI window of "
              "mimxrt1050 above the boot headers (0x60001000..0x6FFFFFFF)");
    c = user_key_config();
    c.regions[0].key.reset();
    EXPECT_EQ(msg(c), "BEE region 0: no key (user-key mode needs the key burned into SW_GP2)");
    c = user_key_config();
    (*c.regions[0].nonce)[15] = 1;
    EXPECT_EQ(msg(c),
              "BEE region 0: the last four bytes of the nonce must be zero (they count the "
              "16-byte blocks)");
    c = user_key_config();
    c.regions.push_back(c.regions[0]);
    EXPECT_EQ(msg(c),
              "BEE region 1: FAC 0 (0x60001000+0x1000) overlaps BEE region 0 FAC "
              "0x60001000+0x1000");
    c.regions[1].facs = {{0x60008000, 0x400, 0}, {0x60009000, 0x400, 0}};
    EXPECT_EQ(msg(c), "BEE: 4 protected ranges (FACs) in all; the BEE has 3");
    c.regions.clear();
    EXPECT_EQ(msg(c), "BEE: 0 regions given; give 1 or 2");
    Bytes dirty = plain;
    dirty[0x500] = 1;
    EXPECT_EQ(message_of([&] { encrypt_image(dirty, kFlexspiBase, rt1050(), user_key_config()); }),
              "the image holds data at 0x400..0x7FF, where the BEE region 0 header goes");
}

TEST(Bee, FuseSettingsForUserKey) {
    std::vector<std::string> warnings;
    Config c = user_key_config();
    c.regions.push_back(c.regions[0]);
    c.regions[1].facs = {{0x60008000, 0x400, 0}};
    c.regions[1].key = key_of(0x50);
    const auto fuses = fuse_settings(rt1050(), c, &warnings);
    ASSERT_EQ(fuses.size(), 6u);
    EXPECT_EQ(fuses[0].name, "ENCRYPTED_XIP");
    EXPECT_EQ(fuses[0].word, "BOOT_CFG0");
    EXPECT_EQ(fuses[0].mask, 0x2u);  // bit 1 on the RT1050
    EXPECT_EQ(fuses[1].name, "BEE_KEY0_SEL");
    EXPECT_EQ(fuses[1].index, 6u);
    EXPECT_EQ(fuses[1].mask, 0x3000u);
    EXPECT_EQ(fuses[1].value, 0x3000u);
    EXPECT_EQ(fuses[2].name, "SW_GP2_0");
    EXPECT_EQ(fuses[2].index, 0x29u);
    EXPECT_EQ(fuses[2].value, 0x1C1D1E1Fu);
    EXPECT_EQ(fuses[5].value, 0x10111213u);
    ASSERT_EQ(warnings.size(), 1u);
    EXPECT_EQ(warnings[0],
              "BEE region 1 uses another key than region 0; the part holds one SW_GP2 key, so "
              "BEE_KEY1_SEL stays 0 (key register) and software must load that key");
}

TEST(Bee, OtpmkWithoutKeyLeavesTheImageToTheFlashloader) {
    Config c;
    c.source = KeySource::Otpmk;
    c.regions.push_back(RegionConfig{});
    c.regions[0].facs = {{0x60001000, 0x2000, 0}};
    const Bytes plain = plain_image();
    const Result r = encrypt_image(plain, 0x60001000, device::find_device("mimxrt1020"), c);
    EXPECT_EQ(r.data, plain);
    EXPECT_EQ(r.flashloader_option, (std::vector<std::uint32_t>{0xE0110000, 0x60001000, 0x2000}));
    ASSERT_EQ(r.fuses.size(), 2u);
    EXPECT_EQ(r.fuses[0].mask, 0x1u);      // ENCRYPTED_XIP at bit 0 on the RT1020
    EXPECT_EQ(r.fuses[1].value, 0x2000u);  // BEE_KEY0_SEL = 2 (OTPMK)
    EXPECT_TRUE(r.warnings.empty());
    // From the FlexSPI base, the image's zeros would be written over the flashloader's header.
    const Result padded = encrypt_image(plain, kFlexspiBase, device::find_device("mimxrt1020"), c);
    ASSERT_EQ(padded.warnings.size(), 1u);
    EXPECT_EQ(padded.warnings[0].substr(0, 53),
              "the flashloader writes the BEE header at 0x400 when i");
}

TEST(Bee, DecryptNeedsAHeaderAndAKey) {
    EXPECT_EQ(message_of([&] { decrypt_image(plain_image(), {}, "p.bin"); }),
              "p.bin: no BEE header at offset 0x400 or 0x800 (the file must start at the "
              "beginning of the boot device)");
    const Result r = encrypt_image(plain_image(), kFlexspiBase, rt1050(), user_key_config());
    EXPECT_EQ(message_of([&] { decrypt_image(r.data, {}, "e.bin"); }),
              "e.bin: decrypting BEE needs the region key");
}

}  // namespace
}  // namespace rtprov::bee
