#include "rtprov/hab/verify.hpp"

#include <gtest/gtest.h>

#include "rtprov/boot/image.hpp"
#include "rtprov/util/error.hpp"
#include "rtprov/util/file.hpp"
#include "test_support.hpp"

namespace rtprov::hab {
namespace {

SrkHash reference_fuses(const std::filesystem::path& vectors) {
    const Bytes b = read_file(vectors / "hab-keys/srk/SRK_fuses.bin");
    SrkHash h{};
    std::copy(b.begin(), b.end(), h.begin());
    return h;
}

std::vector<std::filesystem::path> signed_vectors(const std::filesystem::path& vectors) {
    std::vector<std::filesystem::path> out;
    for (const char* board : {"rt1020-evk", "rt1050-evkb"}) {
        for (const auto& entry : std::filesystem::directory_iterator(vectors / board / "output")) {
            const std::string name = entry.path().filename().string();
            if (entry.path().extension() == ".bin" &&
                (name.find("signed") != std::string::npos ||
                 name.find("encrypted") != std::string::npos) &&
                name.find("unsigned") == std::string::npos) {
                out.push_back(entry.path());
            }
        }
    }
    std::sort(out.begin(), out.end());
    return out;
}

std::string csf_offsets(const Bytes& file, std::uint32_t& csf_offset) {
    const boot::ParsedImage p = boot::parse_boot_image(file, "image");
    csf_offset = *p.csf_file_offset;
    return "";
}

std::vector<std::string> failures(const Bytes& file, const std::filesystem::path& vectors) {
    VerifyOptions o;
    o.fuse_hash = reference_fuses(vectors);
    return verify_image(file, "image", o).failures();
}

class VerifyVectors : public ::testing::Test {
  protected:
    void SetUp() override {
        const auto v = test::vectors_dir();
        if (!v)
            GTEST_SKIP() << "RTPROV_VECTORS not set";
        vectors_ = *v;
        key1_ = read_file(vectors_ /
                          "rt1020-evk/output/"
                          "evkmimxrt1020_iled_blinky_ext_FLASH_signed_key1.bin");
        csf_offsets(key1_, csf_);
    }
    std::filesystem::path vectors_;
    Bytes key1_;
    std::uint32_t csf_ = 0;
};

TEST_F(VerifyVectors, AcceptsEverySignedVector) {
    const auto files = signed_vectors(vectors_);
    ASSERT_GE(files.size(), 10u);
    for (const auto& path : files) {
        VerifyOptions o;
        o.fuse_hash = reference_fuses(vectors_);
        const VerifyReport r = verify_image(read_file(path), path.string(), o);
        EXPECT_TRUE(r.ok()) << path << ": " << (r.ok() ? "" : r.failures().front());
        ASSERT_TRUE(r.srk_table_hash);
        EXPECT_EQ(*r.srk_table_hash, *o.fuse_hash) << path;
    }
}

TEST_F(VerifyVectors, ReportsTheSigningSetUp) {
    VerifyOptions o;
    o.fuse_hash = reference_fuses(vectors_);
    const VerifyReport r = verify_image(key1_, "key1", o);
    EXPECT_EQ(r.csf_address, 0x60004000u);
    EXPECT_EQ(r.csf_length, 0x50u);
    EXPECT_EQ(r.srk_index, 0u);
    EXPECT_EQ(r.srk_count, 4u);
    EXPECT_EQ(r.signed_blocks, (std::vector<Block>{{0x60001000, 0x40}, {0x60002000, 0x1830}}));
    const Bytes key4 = read_file(vectors_ /
                                 "rt1020-evk/output/"
                                 "evkmimxrt1020_iled_blinky_ext_FLASH_signed_key4.bin");
    EXPECT_EQ(verify_image(key4, "key4", o).srk_index, 3u);
}

TEST_F(VerifyVectors, RejectsAFlippedByteInTheIvt) {
    key1_[0x1000 + 4] ^= 1;  // entry point
    EXPECT_EQ(failures(key1_, vectors_),
              (std::vector<std::string>{
                  "Authenticate Data #1: signature does not match the data (block 1 at "
                  "0x60001000, 0x40 bytes; block 2 at 0x60002000, 0x1830 bytes)"}));
}

TEST_F(VerifyVectors, RejectsAFlippedByteInTheApp) {
    key1_[0x2100] ^= 0x80;
    EXPECT_EQ(failures(key1_, vectors_),
              (std::vector<std::string>{
                  "Authenticate Data #1: signature does not match the data (block 1 at "
                  "0x60001000, 0x40 bytes; block 2 at 0x60002000, 0x1830 bytes)"}));
}

TEST_F(VerifyVectors, RejectsUnsignedBytesAfterTheSignedApp) {
    key1_[0x3900] = 0x55;
    EXPECT_EQ(failures(key1_, vectors_),
              (std::vector<std::string>{"Coverage: 1 loaded bytes are not authenticated, the "
                                        "first at 0x60003900..0x60003900"}));
}

TEST_F(VerifyVectors, RejectsAFlippedByteInTheCsfCommands) {
    key1_[csf_ + 0x4C + 3] ^= 0x01;  // length of the app block in Authenticate Data
    const auto f = failures(key1_, vectors_);
    ASSERT_FALSE(f.empty());
    EXPECT_EQ(f.front(),
              "Authenticate CSF: signature does not match the data (the CSF commands, "
              "0x50 bytes)");
}

TEST_F(VerifyVectors, RejectsAFlippedByteInACertificate) {
    key1_[csf_ + 0x490 + 4 + 0x100] ^= 0x01;  // inside the CSFK certificate's key
    const auto f = failures(key1_, vectors_);
    ASSERT_FALSE(f.empty());
    EXPECT_EQ(f.front().substr(0, 60),
              "Install CSFK: certificate at CSF offset 0x490 (CN=CSF1_1_sha");
}

TEST_F(VerifyVectors, RejectsAFlippedByteInASignature) {
    key1_[csf_ + 0xD3C + 4 + 0x1F0] ^= 0x01;  // inside the RSA signature of the image
    EXPECT_EQ(failures(key1_, vectors_),
              (std::vector<std::string>{"Authenticate Data #1: signature at CSF offset 0xD3C is "
                                        "not made by the key in slot 2"}));
}

TEST_F(VerifyVectors, RejectsAWrongSrkHash) {
    VerifyOptions o;
    o.fuse_hash = reference_fuses(vectors_);
    (*o.fuse_hash)[0] ^= 0xFF;
    const auto f = verify_image(key1_, "key1", o).failures();
    ASSERT_EQ(f.size(), 1u);
    EXPECT_EQ(f[0].substr(0, 15), "SRK table hash ");
    EXPECT_NE(f[0].find(" does not match the fuses 0x"), std::string::npos);
}

TEST_F(VerifyVectors, RejectsAWrongKeyIndex) {
    key1_[csf_ + 4 + 6] = 1;  // Install SRK: SRK 1 did not sign the CSFK certificate
    auto f = failures(key1_, vectors_);
    ASSERT_FALSE(f.empty());
    EXPECT_EQ(f.front(),
              "Install CSFK: certificate at CSF offset 0x490 "
              "(CN=CSF1_1_sha256_2048_65537_v3_usr) is not signed by the key in slot 0 "
              "(SRK)");
    key1_[csf_ + 4 + 6] = 4;
    f = failures(key1_, vectors_);
    ASSERT_FALSE(f.empty());
    EXPECT_EQ(f.front(), "Install SRK: index 4 but the table holds 4 keys (0..3)");
}

TEST_F(VerifyVectors, RejectsATruncatedCsf) {
    // The last command (Authenticate Data, 0x1C bytes at 0x34) cut to 0x10 by the header length.
    store_be16(key1_.data() + csf_ + 1, 0x44);
    EXPECT_EQ(failures(key1_, vectors_),
              (std::vector<std::string>{"CSF truncated at offset 0x34: command Authenticate Data "
                                        "needs 28 bytes, 16 remain"}));
    store_be16(key1_.data() + csf_ + 1, 0x38);
    EXPECT_EQ(failures(key1_, vectors_),
              (std::vector<std::string>{"CSF truncated at offset 0x34: command Authenticate Data "
                                        "needs 12 bytes, 4 remain"}));
}

TEST(VerifyImage, ReportsAnUnsignedImage) {
    const auto v = test::vectors_dir();
    if (!v)
        GTEST_SKIP() << "RTPROV_VECTORS not set";
    const Bytes file = read_file(*v /
                                 "rt1020-evk/output/"
                                 "evkmimxrt1020_iled_blinky_ext_FLASH_unsigned.bin");
    EXPECT_EQ(verify_image(file, "u", {}).failures(),
              (std::vector<std::string>{"unsigned image: the IVT has no CSF pointer"}));
}

TEST(CsfParser, NamesTheCommand) {
    const Bytes csf = {0xD4, 0x00, 0x0C, 0x42, 0xBE, 0x00, 0x0C, 0x00, 0x03, 0x17, 0x00, 0x00};
    try {
        parse_csf(csf);
        FAIL();
    } catch (const Error& e) {
        EXPECT_EQ(std::string(e.what()),
                  "CSF truncated at offset 0x4: command Install Key needs 12 bytes, 8 remain");
    }
    const Bytes unknown = {0xD4, 0x00, 0x08, 0x42, 0x42, 0x00, 0x04, 0x00};
    try {
        parse_csf(unknown);
        FAIL();
    } catch (const Error& e) {
        EXPECT_EQ(std::string(e.what()), "CSF: unknown command tag 0x42 at offset 0x4");
    }
}

}  // namespace
}  // namespace rtprov::hab

namespace rtprov::hab {
namespace {

TEST(VerifyEncrypted, ChecksTheMacWithTheDek) {
    const auto v = test::vectors_dir();
    if (!v)
        GTEST_SKIP() << "RTPROV_VECTORS not set";
    Bytes file = read_file(*v /
                           "rt1020-evk/output/"
                           "evkmimxrt1020_iled_blinky_int_RAM_encrypted_key1.bin");
    VerifyOptions o;
    o.dek = read_file(*v / "hab-keys/hab_dek.bin");
    VerifyReport r = verify_image(file, "enc", o);
    EXPECT_TRUE(r.ok()) << r.failures().front();
    EXPECT_TRUE(r.encrypted);
    EXPECT_EQ(r.decrypted_blocks, (std::vector<Block>{{0x20002000, 0x1830}}));
    file[0x2010] ^= 1;  // ciphertext of the app
    r = verify_image(file, "enc", o);
    EXPECT_EQ(r.failures(),
              (std::vector<std::string>{"Decrypt Data #1: MAC does not match the data with this "
                                        "DEK (block 1 at 0x20002000, 0x1830 bytes)"}));
    r = verify_image(file, "enc", {});
    EXPECT_TRUE(r.ok());  // without the DEK the MAC cannot be checked
    EXPECT_EQ(r.checks.back().name, "Coverage");
}

}  // namespace
}  // namespace rtprov::hab

#include "rtprov/hab/key_io.hpp"
#include "rtprov/hab/pki.hpp"
#include "rtprov/hab/sign.hpp"

namespace rtprov::hab {
namespace {

// A PKI of `srk_count` RSA-2048 SRKs, private keys encrypted with `password`, made
// deterministically from `seed`, written into `dir`.
GeneratedPki write_test_pki(const test::TempDir& dir, unsigned srk_count,
                            const std::string& password, const std::string& seed) {
    PkiOptions o;
    o.srk_count = srk_count;
    o.password = password;
    o.rng_seed = seed;
    GeneratedPki pki = generate_pki(o);
    write_pki(pki, dir.path());
    return pki;
}

// NXP's unsigned RT1020-EVK XIP image from the vectors: the input the round trips sign.
Bytes nxp_unsigned_rt1020_image(const std::filesystem::path& vectors) {
    return read_file(vectors /
                     "rt1020-evk/output/evkmimxrt1020_iled_blinky_ext_FLASH_unsigned.bin");
}

// Our own PKI (1 SRK, RSA-2048) signs an NXP unsigned image with sign_image; verify accepts it
// with the PKI's fuse hash and rejects it with NXP's.
TEST(VerifyRoundTrip, OwnPkiSignsAndVerifies) {
    const auto v = test::vectors_dir();
    if (!v)
        GTEST_SKIP() << "RTPROV_VECTORS not set";
    test::TempDir dir;
    const GeneratedPki pki = write_test_pki(dir, 1, "round-trip", "verify_test");
    SignSettings s;
    s.srk_certs = {dir / "crts/SRK1_sha256_2048_65537_v3_ca_crt.pem"};
    s.csf_key = dir / "keys/CSF1_1_sha256_2048_65537_v3_usr_key.pem";
    s.csf_cert = dir / "crts/CSF1_1_sha256_2048_65537_v3_usr_crt.pem";
    s.img_key = dir / "keys/IMG1_1_sha256_2048_65537_v3_usr_key.pem";
    s.img_cert = dir / "crts/IMG1_1_sha256_2048_65537_v3_usr_crt.pem";
    s.key_password = "round-trip";
    s.signature_time = 1700000000;
    const Bytes unsigned_image = nxp_unsigned_rt1020_image(*v);
    const SignResult signed_image = sign_image(unsigned_image, "unsigned", s);
    EXPECT_EQ(signed_image.srk_table, pki.srk_table);

    VerifyOptions vo;
    vo.fuse_hash = pki.fuse_hash;
    const VerifyReport r = verify_image(signed_image.data, "signed", vo);
    EXPECT_TRUE(r.ok()) << r.failures().front();
    EXPECT_EQ(r.srk_count, 1u);

    vo.fuse_hash = reference_fuses(*v);
    const auto f = verify_image(signed_image.data, "signed", vo).failures();
    ASSERT_EQ(f.size(), 1u);
    EXPECT_EQ(f[0].find("SRK table hash 0x" + hash_hex(pki.fuse_hash) + " does not match"), 0u);
}

// Fast authentication (--nocak): CST and SPSDK write no command for Install NOCAK, so no CSF key
// is installed and the SRK checks the CSF signature and the data. verify once failed every such
// image with "key slot 1 holds no key" (and so did the simulator's HAB check and `write`).
TEST(VerifyRoundTrip, FastAuthenticationIsCheckedWithTheSrk) {
    const auto v = test::vectors_dir();
    if (!v)
        GTEST_SKIP() << "RTPROV_VECTORS not set";
    test::TempDir dir;
    const GeneratedPki pki = write_test_pki(dir, 2, "nocak-pass", "verify_test_nocak");
    SignSettings s;
    s.srk_table = dir / "srk/SRK_table.bin";
    s.srk_index = 1;
    s.nocak = true;
    s.csf_key = dir / "keys/SRK2_sha256_2048_65537_v3_ca_key.pem";
    s.csf_cert = dir / "crts/SRK2_sha256_2048_65537_v3_ca_crt.pem";
    s.key_password = "nocak-pass";
    s.signature_time = 1700000000;
    const Bytes unsigned_image = nxp_unsigned_rt1020_image(*v);
    const SignResult signed_image = sign_image(unsigned_image, "unsigned", s);

    VerifyOptions vo;
    vo.fuse_hash = pki.fuse_hash;
    const VerifyReport r = verify_image(signed_image.data, "signed", vo);
    EXPECT_TRUE(r.ok()) << r.failures().front();
    EXPECT_EQ(r.srk_index, 1u);

    // The app is covered by the SRK's signature: a flipped byte fails.
    Bytes tampered = signed_image.data;
    tampered[0x2000 + 0x40] ^= 1;
    EXPECT_FALSE(verify_image(tampered, "tampered", vo).ok());

    // The same image claiming SRK 1 (index 0): that SRK did not sign the CSF (and the signed
    // commands changed).
    Bytes other_srk = signed_image.data;
    const std::uint32_t csf_offset = signed_image.csf_address - signed_image.address;
    ASSERT_EQ(other_srk[csf_offset + 4], 0xBE);  // Install SRK: tag, length, flags, format, alg,
    ASSERT_EQ(other_srk[csf_offset + 10], 1u);   // source index (the SRK), target index
    other_srk[csf_offset + 10] = 0;
    const auto f = verify_image(other_srk, "other SRK", vo).failures();
    ASSERT_FALSE(f.empty());
    EXPECT_EQ(f[0].rfind("Authenticate CSF: ", 0), 0u) << f[0];

    // sign refuses a NOCAK key that is not the SRK it names.
    s.csf_key = dir / "keys/SRK1_sha256_2048_65537_v3_ca_key.pem";
    s.csf_cert = dir / "crts/SRK1_sha256_2048_65537_v3_ca_crt.pem";
    try {
        (void)sign_image(unsigned_image, "unsigned", s);
        ADD_FAILURE() << "a NOCAK key that is not SRK 2 was accepted";
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("is not SRK 1 of the table"), std::string::npos)
            << e.what();
    }
}

}  // namespace
}  // namespace rtprov::hab
