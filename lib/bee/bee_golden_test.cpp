// BEE against NXP's reference images ($RTPROV_VECTORS; skipped without it). The KIB keys, IVs and
// counter nonces are the ones the debug logs show (debug_logs/*_bee_userkey_unsigned.bin.txt:
// "BEE-KIB (non-crypted)", "BEE-PRDB (non-crypted)"); the two user keys are the ones SPSDK's
// test_bee_unsigned_sw_key used to produce the files (the logs show the data they encrypt).

#include <gtest/gtest.h>

#include "rtprov/bee/bee.hpp"
#include "rtprov/util/file.hpp"
#include "rtprov/util/parse.hpp"
#include "test_support.hpp"

namespace rtprov::bee {
namespace {

Key hex_key(std::string_view text) {
    const Bytes b = parse_hex(text, "key");
    Key k{};
    std::copy(b.begin(), b.end(), k.begin());
    return k;
}

Config vector_config() {
    Config c;
    RegionConfig r0;
    r0.key = hex_key("0123456789abcdeffedcba9876543210");
    r0.kib_key = hex_key("C1C2C3C4C5C6C7C8C9CACBCCCDCECFC0");
    r0.kib_iv = hex_key("1112131415161718191A1B1C1D1E1F10");
    r0.nonce = hex_key("112233445566778899AABBCC00000000");
    r0.facs = {{0x60001000, 0x2000, 0}, {0x60003800, 0x800, 0}};
    RegionConfig r1;
    r1.key = hex_key("F123456789abcdeffedcba987654321F");
    r1.kib_key = hex_key("C1C2C3C4C5C6C7C8C9CACBCCCDCECFC2");
    r1.kib_iv = hex_key("2122232425262728292A2B2C2D2E2F20");
    r1.nonce = hex_key("2233445566778899AABBCCDD00000000");
    r1.facs = {{0x60100000, 0x1000, 0}};
    c.regions = {r0, r1};
    return c;
}

struct Board {
    const char* dir;
    const char* prefix;
    const char* part;
};

class BeeGolden : public ::testing::TestWithParam<Board> {};

TEST_P(BeeGolden, UserKeyImageIsByteIdentical) {
    const auto v = test::vectors_dir();
    if (!v)
        GTEST_SKIP() << "RTPROV_VECTORS is not set";
    const auto out = *v / GetParam().dir / "output";
    const std::string prefix = GetParam().prefix;
    const Bytes plain = read_file(out / (prefix + "_ext_FLASH_unsigned.bin"));
    const Bytes want = read_file(out / (prefix + "_ext_FLASH_bee_userkey_unsigned.bin"));
    const Result r =
        encrypt_image(plain, kFlexspiBase, device::find_device(GetParam().part), vector_config());
    EXPECT_TRUE(r.data == want);

    // And back: the headers decrypt to the logged KIB/PRDB, the data to the plain image.
    const Config c = vector_config();
    const Key keys[] = {*c.regions[0].key, *c.regions[1].key};
    const Decrypted d = decrypt_image(want, keys, "vector");
    EXPECT_TRUE(d.data == plain);
    ASSERT_EQ(d.regions.size(), 2u);
    EXPECT_EQ(d.regions[0].header.prdb.start, 0x60001000u);
    EXPECT_EQ(d.regions[0].header.prdb.end, 0x60004000u);
    EXPECT_EQ(d.regions[1].header.prdb.facs, c.regions[1].facs);
    EXPECT_EQ(key_hex(d.regions[1].header.kib.iv), "2122232425262728292a2b2c2d2e2f20");
}

INSTANTIATE_TEST_SUITE_P(
    Boards, BeeGolden,
    ::testing::Values(Board{"rt1020-evk", "evkmimxrt1020_iled_blinky", "mimxrt1020"},
                      Board{"rt1050-evkb", "evkbimxrt1050_iled_blinky", "mimxrt1050"}));

}  // namespace
}  // namespace rtprov::bee
