#include "rtprov/hab/srk.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "rtprov/util/error.hpp"
#include "rtprov/util/file.hpp"
#include "test_support.hpp"

namespace rtprov::hab {
namespace {

std::string error_of(auto&& fn) {
    try {
        fn();
    } catch (const Error& e) {
        return e.what();
    }
    return "no error";
}

std::vector<Bytes> reference_srk_ders(const std::filesystem::path& vectors) {
    std::vector<Bytes> ders;
    for (int i = 1; i <= 4; ++i) {
        ders.push_back(read_file(vectors / "hab-keys/crts" /
                                 fmt::format("SRK{}_sha256_2048_65537_v3_ca_crt.der", i)));
    }
    return ders;
}

TEST(SrkTable, MatchesNxpTableAndFusesByteForByte) {
    const auto vectors = test::vectors_dir();
    if (!vectors)
        GTEST_SKIP() << "RTPROV_VECTORS not set";
    const Bytes table = build_srk_table(reference_srk_ders(*vectors));
    EXPECT_EQ(table, read_file(*vectors / "hab-keys/srk/SRK_hash_table.bin"));
    const SrkHash hash = srk_fuse_hash(table);
    const Bytes fuses = read_file(*vectors / "hab-keys/srk/SRK_fuses.bin");
    EXPECT_EQ(Bytes(hash.begin(), hash.end()), fuses);
    const SrkFuseWords words = srk_fuse_words(hash);
    EXPECT_EQ(words[0], load_le32(fuses.data()));
    EXPECT_EQ(words[7], load_le32(fuses.data() + 28));
    EXPECT_EQ(srk_hash_from_words(words), hash);
}

TEST(SrkTable, ParsesNxpTable) {
    const auto vectors = test::vectors_dir();
    if (!vectors)
        GTEST_SKIP() << "RTPROV_VECTORS not set";
    const Bytes bytes = read_file(*vectors / "hab-keys/srk/SRK_hash_table.bin");
    const SrkTable table = parse_srk_table(bytes);
    EXPECT_EQ(table.version, 0x40);
    ASSERT_EQ(table.keys.size(), 4u);
    for (const SrkKey& key : table.keys) {
        EXPECT_EQ(key.algorithm, kSrkAlgRsa);
        EXPECT_EQ(key.flags, kSrkFlagCa);
        EXPECT_EQ(key.modulus.size(), 256u);
        EXPECT_EQ(key.exponent, (Bytes{0x01, 0x00, 0x01}));
        EXPECT_EQ(key.item.size(), 271u);
    }
    EXPECT_EQ(table.keys[1].offset, 4u + 271u);
}

TEST(SrkTable, RejectsMalformedTables) {
    EXPECT_EQ(error_of([] {
                  parse_srk_table(Bytes{0xD7, 0x00});
              }),
              "SRK table: needs a 4-byte header, 2 bytes given");
    EXPECT_EQ(error_of([] {
                  parse_srk_table(Bytes{0xD4, 0x00, 0x04, 0x40});
              }),
              "SRK table: tag 0xD4 at offset 0, expected 0xD7");
    EXPECT_EQ(error_of([] {
                  parse_srk_table(Bytes{0xD7, 0x00, 0x10, 0x40});
              }),
              "SRK table: length 0x10 at offset 1 exceeds the 4 bytes given");
    EXPECT_EQ(
        error_of([] {
            parse_srk_table(Bytes{0xD7, 0x00, 0x0C, 0x40, 0xE1, 0x00, 0x08, 0x21, 0, 0, 0, 0x80});
        }),
        "SRK table: key at offset 0x4: length 0x8 is shorter than the 12-byte key header");
    EXPECT_EQ(error_of([] { build_srk_table(std::vector<Bytes>{}); }),
              "an SRK table holds 1 to 4 keys, 0 certificates given");
    EXPECT_EQ(error_of([] {
                  build_srk_table(std::vector<Bytes>{Bytes{1, 2, 3}});
              }).substr(0, 50),
              "certificate 1: SRK certificate: not an X.509 certi");
}

TEST(SrkTable, ParsesFuseWords) {
    const SrkFuseWords w =
        parse_srk_fuse_words("0x01234567, 89abcdef,0x0,0x1,0x2,0x3,0x4,0xFFFFFFFF");
    EXPECT_EQ(w[0], 0x01234567u);
    EXPECT_EQ(w[1], 0x89abcdefu);
    EXPECT_EQ(w[7], 0xFFFFFFFFu);
    EXPECT_EQ(format_fuse_word(0xAB), "0x000000ab");
    EXPECT_EQ(error_of([] { parse_srk_fuse_words("1,2,3"); }),
              "SRK fuse words: 3 words given, expected 8");
    EXPECT_EQ(error_of([] { parse_srk_fuse_words("1,2,zz,4,5,6,7,8"); }),
              "SRK fuse words: word 3 \"zz\" is not a 32-bit hex number (expected 8 "
              "comma-separated words)");
}

}  // namespace
}  // namespace rtprov::hab

#include "rtprov/hab/key_io.hpp"
#include "verify_internal.hpp"

namespace rtprov::hab {
namespace {

// SPSDK's export example ships an SRK table (2 RSA-2048 CA keys) without its SRK certificates;
// its CSF2_1 certificate must be signed by key 1 of that table (InstallSRK_SourceIndex: 1).
TEST(SrkTable, ParsesTheSpsdkExportTableAndChainsItsCsfCertificate) {
    const auto vectors = test::vectors_dir();
    if (!vectors)
        GTEST_SKIP() << "RTPROV_VECTORS not set";
    const Bytes bytes = read_file(
        *vectors / "hab-export/rt1050_xip_image_iar_authenticated/gen_hab_certs/SRK_hash.bin");
    const SrkTable table = parse_srk_table(bytes);
    ASSERT_EQ(table.keys.size(), 2u);
    EXPECT_EQ(table.keys[1].flags, kSrkFlagCa);
    const Certificate csf =
        load_certificate(*vectors / "hab-export/crts/CSF2_1_sha256_2048_65537_v3_usr_crt.pem");
    auto cert = detail::PublicKey::from_certificate(csf.der, "CSF2_1");
    auto key0 = detail::PublicKey::from_srk(table.keys[0]);
    auto key1 = detail::PublicKey::from_srk(table.keys[1]);
    EXPECT_FALSE(cert->certificate_signed_by(*key0));
    EXPECT_TRUE(cert->certificate_signed_by(*key1));
}

}  // namespace
}  // namespace rtprov::hab
