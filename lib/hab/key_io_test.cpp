// Certificates and private keys as NXP's PKI scripts write them.

#include "rtprov/hab/key_io.hpp"

#include <gtest/gtest.h>

#include "rtprov/util/error.hpp"
#include "rtprov/util/file.hpp"
#include "test_support.hpp"

namespace rtprov::hab {
namespace {

std::string error_of(const std::function<void()>& fn) {
    try {
        fn();
    } catch (const Error& e) {
        return e.what();
    }
    return "no error";
}

TEST(KeyIo, PemWithTextDumpAndDerGiveTheSameCertificate) {
    const auto v = test::vectors_dir();
    if (!v)
        GTEST_SKIP() << "RTPROV_VECTORS is not set";
    const auto crts = *v / "hab-keys/crts";
    const Certificate pem = load_certificate(crts / "SRK1_sha256_2048_65537_v3_ca_crt.pem");
    const Certificate der = load_certificate(crts / "SRK1_sha256_2048_65537_v3_ca_crt.der");
    EXPECT_TRUE(pem.der == der.der);
    EXPECT_TRUE(pem.is_ca);
    EXPECT_EQ(pem.key_bits, 2048u);
    EXPECT_EQ(pem.key_type, KeyType::Rsa);
    const Certificate csf = load_certificate(crts / "CSF1_1_sha256_2048_65537_v3_usr_crt.pem");
    EXPECT_FALSE(csf.is_ca);
    EXPECT_TRUE(csf.serial == (Bytes{0x19, 0x99, 0x99, 0x9A}));
    EXPECT_EQ(csf.issuer_der[0], 0x30);
}

TEST(KeyIo, EncryptedKeysNeedTheRightPassword) {
    const auto v = test::vectors_dir();
    if (!v)
        GTEST_SKIP() << "RTPROV_VECTORS is not set";
    const auto keys = *v / "hab-keys/keys";
    const auto pem = keys / "CSF1_1_sha256_2048_65537_v3_usr_key.pem";
    const std::string password = read_password_file(keys / "key_pass.txt");
    EXPECT_EQ(password, "SWTestTeam");
    const PrivateKey key = PrivateKey::load(pem, password);
    EXPECT_EQ(key.bits(), 2048u);
    EXPECT_TRUE(key.matches(
        load_certificate(*v / "hab-keys/crts/CSF1_1_sha256_2048_65537_v3_usr_crt.pem")));
    EXPECT_FALSE(key.matches(
        load_certificate(*v / "hab-keys/crts/IMG1_1_sha256_2048_65537_v3_usr_crt.pem")));
    EXPECT_EQ(error_of([&] { PrivateKey::load(pem, std::string("nope")); }),
              pem.string() + ": wrong password for the private key");
    EXPECT_EQ(error_of([&] { PrivateKey::load(pem, std::nullopt); }),
              pem.string() +
                  ": the private key is encrypted and no password was given "
                  "(--key-password-file or RTPROV_KEY_PASSWORD)");
}

TEST(KeyIo, GarbageIsNamed) {
    const Bytes junk{1, 2, 3};
    EXPECT_EQ(error_of([&] {
                  parse_certificate(junk, "x.pem");
              }).rfind("x.pem: not an X.509 certificate (", 0),
              0u);
    EXPECT_EQ(error_of([&] {
                  PrivateKey::parse(junk, "k.pem", std::nullopt);
              }).rfind("k.pem: not a private key (", 0),
              0u);
    test::TempDir tmp;
    test::write_text(tmp / "empty.txt", "\n");
    EXPECT_EQ(error_of([&] { read_password_file(tmp / "empty.txt"); }),
              (tmp / "empty.txt").string() + ": the password file is empty");
}

}  // namespace
}  // namespace rtprov::hab
