#include "rtprov/hab/pki.hpp"

#include <gtest/gtest.h>
#include <mbedtls/pk.h>
#include <mbedtls/x509_crt.h>

#include "rtprov/util/error.hpp"
#include "test_support.hpp"

namespace rtprov::hab {
namespace {

// One small PKI shared by the tests (RSA generation is the slow part).
const GeneratedPki& small_pki() {
    static const GeneratedPki pki = [] {
        PkiOptions o;
        o.srk_count = 1;
        o.password = "test-pass";
        o.rng_seed = "pki_test";
        return generate_pki(o);
    }();
    return pki;
}

const Bytes& file_of(const GeneratedPki& pki, const std::string& path) {
    for (const PkiFile& f : pki.files) {
        if (f.path == path)
            return f.data;
    }
    throw std::runtime_error("no file " + path);
}

TEST(Pki, NamesFilesLikeNxp) {
    EXPECT_EQ(pki_stem("SRK", 2, 4096), "SRK2_sha256_4096_65537_v3_ca");
    EXPECT_EQ(pki_stem("CSF", 1, 2048), "CSF1_1_sha256_2048_65537_v3_usr");
    const GeneratedPki& pki = small_pki();
    std::vector<std::string> paths;
    for (const PkiFile& f : pki.files)
        paths.push_back(f.path);
    const std::vector<std::string> expected = {
        "keys/CA1_sha256_2048_65537_v3_ca_key.pem",
        "crts/CA1_sha256_2048_65537_v3_ca_crt.pem",
        "crts/CA1_sha256_2048_65537_v3_ca_crt.der",
        "keys/SRK1_sha256_2048_65537_v3_ca_key.pem",
        "crts/SRK1_sha256_2048_65537_v3_ca_crt.pem",
        "crts/SRK1_sha256_2048_65537_v3_ca_crt.der",
        "keys/CSF1_1_sha256_2048_65537_v3_usr_key.pem",
        "crts/CSF1_1_sha256_2048_65537_v3_usr_crt.pem",
        "crts/CSF1_1_sha256_2048_65537_v3_usr_crt.der",
        "keys/IMG1_1_sha256_2048_65537_v3_usr_key.pem",
        "crts/IMG1_1_sha256_2048_65537_v3_usr_crt.pem",
        "crts/IMG1_1_sha256_2048_65537_v3_usr_crt.der",
        "srk/SRK_table.bin",
        "srk/SRK_fuses.bin",
    };
    EXPECT_EQ(paths, expected);
    EXPECT_EQ(pki.srk_table.size(), 4u + 271u);
    EXPECT_EQ(file_of(pki, "srk/SRK_fuses.bin"), Bytes(pki.fuse_hash.begin(), pki.fuse_hash.end()));
}

TEST(Pki, EncryptedKeysReadBackWithThePasswordOnly) {
    const Bytes& pem = file_of(small_pki(), "keys/SRK1_sha256_2048_65537_v3_ca_key.pem");
    const std::string text(pem.begin(), pem.end());
    EXPECT_EQ(text.rfind("-----BEGIN ENCRYPTED PRIVATE KEY-----\n", 0), 0u);
    Bytes z = pem;
    z.push_back(0);
    mbedtls_pk_context pk;
    mbedtls_pk_init(&pk);
    EXPECT_EQ(mbedtls_pk_parse_key(&pk, z.data(), z.size(),
                                   reinterpret_cast<const unsigned char*>("test-pass"), 9),
              0);
    EXPECT_EQ(mbedtls_pk_get_bitlen(&pk), 2048u);
    mbedtls_pk_free(&pk);
    mbedtls_pk_init(&pk);
    EXPECT_NE(mbedtls_pk_parse_key(&pk, z.data(), z.size(),
                                   reinterpret_cast<const unsigned char*>("wrong"), 5),
              0);
    mbedtls_pk_free(&pk);
}

TEST(Pki, CertificateChainAndCaFlags) {
    const GeneratedPki& pki = small_pki();
    mbedtls_x509_crt ca, srk, csf;
    mbedtls_x509_crt_init(&ca);
    mbedtls_x509_crt_init(&srk);
    mbedtls_x509_crt_init(&csf);
    const Bytes& ca_der = file_of(pki, "crts/CA1_sha256_2048_65537_v3_ca_crt.der");
    const Bytes& srk_der = file_of(pki, "crts/SRK1_sha256_2048_65537_v3_ca_crt.der");
    const Bytes& csf_der = file_of(pki, "crts/CSF1_1_sha256_2048_65537_v3_usr_crt.der");
    ASSERT_EQ(mbedtls_x509_crt_parse_der(&ca, ca_der.data(), ca_der.size()), 0);
    ASSERT_EQ(mbedtls_x509_crt_parse_der(&srk, srk_der.data(), srk_der.size()), 0);
    ASSERT_EQ(mbedtls_x509_crt_parse_der(&csf, csf_der.data(), csf_der.size()), 0);
    EXPECT_EQ(srk.ca_istrue, 1);
    EXPECT_EQ(csf.ca_istrue, 0);
    std::uint32_t flags = 0;
    EXPECT_EQ(mbedtls_x509_crt_verify(&srk, &ca, nullptr, nullptr, &flags, nullptr, nullptr), 0);
    EXPECT_EQ(mbedtls_x509_crt_verify(&csf, &srk, nullptr, nullptr, &flags, nullptr, nullptr), 0);
    EXPECT_NE(mbedtls_x509_crt_verify(&csf, &ca, nullptr, nullptr, &flags, nullptr, nullptr), 0);
    EXPECT_EQ(pki.srk_table, build_srk_table(std::vector<Bytes>{srk_der}));
    EXPECT_EQ(pki.srk_table[4 + 7], kSrkFlagCa);
    mbedtls_x509_crt_free(&ca);
    mbedtls_x509_crt_free(&srk);
    mbedtls_x509_crt_free(&csf);
}

TEST(Pki, RejectsBadOptions) {
    PkiOptions o;
    o.srk_count = 5;
    try {
        generate_pki(o);
        FAIL();
    } catch (const Error& e) {
        EXPECT_EQ(std::string(e.what()), "SRK count 5 is outside 1..4");
    }
    o.srk_count = 1;
    o.key_size = 1024;
    try {
        generate_pki(o);
        FAIL();
    } catch (const Error& e) {
        EXPECT_EQ(std::string(e.what()), "key size 1024 is not 2048, 3072 or 4096");
    }
}

}  // namespace
}  // namespace rtprov::hab
