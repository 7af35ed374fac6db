// Private keys in every form a project could carry by mistake, and files that are not keys.

#include "rtprov/hab/key_scan.hpp"

#include <random>

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <mbedtls/base64.h>
#include <mbedtls/ctr_drbg.h>
#include <mbedtls/ecp.h>
#include <mbedtls/entropy.h>
#include <mbedtls/pk.h>
#include <mbedtls/rsa.h>

#include "rtprov/hab/pki.hpp"
#include "rtprov/util/file.hpp"
#include "test_support.hpp"

namespace rtprov::hab {
namespace {

Bytes as_bytes(std::string_view text) {
    return Bytes(text.begin(), text.end());
}

std::string base64(ByteView der) {
    std::string out(der.size() * 4 / 3 + 4, '\0');
    std::size_t n = 0;
    mbedtls_base64_encode(reinterpret_cast<unsigned char*>(out.data()), out.size() + 1, &n,
                          der.data(), der.size());
    out.resize(n);
    std::string lines;
    for (std::size_t i = 0; i < out.size(); i += 64)
        lines += out.substr(i, 64) + "\n";
    return lines;
}

std::string pem(std::string_view label, ByteView der) {
    return fmt::format("-----BEGIN {0}-----\n{1}-----END {0}-----\n", label, base64(der));
}

// A key generated once per test binary (RSA-1024 and P-256: fast), its DER as mbedTLS writes it
// (PKCS#1 / SEC1) and its PEM.
struct TestKey {
    Bytes der;
    std::string pem;
};

TestKey make_key(bool rsa) {
    mbedtls_entropy_context entropy;
    mbedtls_ctr_drbg_context drbg;
    mbedtls_pk_context pk;
    mbedtls_entropy_init(&entropy);
    mbedtls_ctr_drbg_init(&drbg);
    mbedtls_pk_init(&pk);
    EXPECT_EQ(mbedtls_ctr_drbg_seed(&drbg, mbedtls_entropy_func, &entropy, nullptr, 0), 0);
    if (rsa) {
        EXPECT_EQ(mbedtls_pk_setup(&pk, mbedtls_pk_info_from_type(MBEDTLS_PK_RSA)), 0);
        EXPECT_EQ(
            mbedtls_rsa_gen_key(mbedtls_pk_rsa(pk), mbedtls_ctr_drbg_random, &drbg, 1024, 65537),
            0);
    } else {
        EXPECT_EQ(mbedtls_pk_setup(&pk, mbedtls_pk_info_from_type(MBEDTLS_PK_ECKEY)), 0);
        EXPECT_EQ(mbedtls_ecp_gen_key(MBEDTLS_ECP_DP_SECP256R1, mbedtls_pk_ec(pk),
                                      mbedtls_ctr_drbg_random, &drbg),
                  0);
    }
    Bytes buf(8192);
    const int n = mbedtls_pk_write_key_der(&pk, buf.data(), buf.size());
    EXPECT_GT(n, 0);
    TestKey key;
    key.der.assign(buf.end() - n, buf.end());
    std::fill(buf.begin(), buf.end(), 0);
    EXPECT_EQ(mbedtls_pk_write_key_pem(&pk, buf.data(), buf.size()), 0);
    key.pem = reinterpret_cast<const char*>(buf.data());
    mbedtls_pk_free(&pk);
    mbedtls_ctr_drbg_free(&drbg);
    mbedtls_entropy_free(&entropy);
    return key;
}

const TestKey& rsa_key() {
    static const TestKey key = make_key(true);
    return key;
}

const TestKey& ec_key() {
    static const TestKey key = make_key(false);
    return key;
}

// PKCS#8 PrivateKeyInfo around an RSA PKCS#1 key, DER written by hand.
Bytes pkcs8_of_rsa(const Bytes& pkcs1) {
    const Bytes algorithm = {0x30, 0x0D, 0x06, 0x09, 0x2A, 0x86, 0x48, 0x86,
                             0xF7, 0x0D, 0x01, 0x01, 0x01, 0x05, 0x00};
    Bytes content = {0x02, 0x01, 0x00};
    content.insert(content.end(), algorithm.begin(), algorithm.end());
    content.push_back(0x04);
    content.push_back(0x82);
    append_be16(content, static_cast<std::uint16_t>(pkcs1.size()));
    content.insert(content.end(), pkcs1.begin(), pkcs1.end());
    Bytes out = {0x30, 0x82};
    append_be16(out, static_cast<std::uint16_t>(content.size()));
    out.insert(out.end(), content.begin(), content.end());
    return out;
}

Bytes decoded_pem(const std::string& text) {
    std::string body;
    for (std::size_t at = text.find('\n') + 1; at < text.size() && text[at] != '-'; ++at)
        if (text[at] != '\n')
            body += text[at];
    Bytes der(body.size());
    std::size_t n = 0;
    EXPECT_EQ(
        mbedtls_base64_decode(der.data(), der.size(), &n,
                              reinterpret_cast<const unsigned char*>(body.data()), body.size()),
        0);
    der.resize(n);
    return der;
}

// A PFX's outer shape (version 3, authSafe pkcs7-data), DER or BER with indefinite lengths.
Bytes pfx_shape(bool indefinite) {
    const Bytes data_oid = {0x06, 0x09, 0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x07, 0x01};
    Bytes safe = data_oid;
    const Bytes inner = {0xA0, 0x06, 0x04, 0x04, 0xDE, 0xAD, 0xBE, 0xEF};
    safe.insert(safe.end(), inner.begin(), inner.end());
    Bytes out;
    if (indefinite) {
        out = {0x30, 0x80, 0x02, 0x01, 0x03, 0x30, 0x80};
        out.insert(out.end(), safe.begin(), safe.end());
        out.insert(out.end(), {0x00, 0x00, 0x00, 0x00});
        return out;
    }
    Bytes content = {0x02, 0x01, 0x03, 0x30, static_cast<std::uint8_t>(safe.size())};
    content.insert(content.end(), safe.begin(), safe.end());
    out = {0x30, static_cast<std::uint8_t>(content.size())};
    out.insert(out.end(), content.begin(), content.end());
    return out;
}

// Deterministic noise standing in for a firmware image.
Bytes noise(std::size_t size, unsigned seed) {
    std::mt19937 rng(seed);
    Bytes out(size);
    for (auto& b : out)
        b = static_cast<std::uint8_t>(rng());
    return out;
}

std::string found(ByteView data) {
    const auto m = find_private_key_material(data);
    return m ? fmt::format("{} at {}", m->what, m->offset) : "none";
}

TEST(KeyScan, FindsEveryDerForm) {
    EXPECT_EQ(found(rsa_key().der), "a DER PKCS#1 RSAPrivateKey at 0");
    EXPECT_EQ(found(ec_key().der), "a DER SEC1 ECPrivateKey at 0");
    EXPECT_EQ(found(pkcs8_of_rsa(rsa_key().der)), "a DER PKCS#8 PrivateKeyInfo at 0");
    const std::string encrypted = encrypt_private_key_pem(rsa_key().der, "password", "seed", 2048);
    EXPECT_EQ(found(decoded_pem(encrypted)), "a DER PKCS#8 EncryptedPrivateKeyInfo at 0");
    EXPECT_EQ(found(pfx_shape(false)), "a DER PKCS#12 (PFX) file at 0");
    EXPECT_EQ(found(pfx_shape(true)), "a DER PKCS#12 (PFX) file at 0");
}

TEST(KeyScan, FindsAKeyInsideABinary) {
    Bytes firmware = noise(64 * 1024, 7);
    const Bytes& key = ec_key().der;
    std::copy(key.begin(), key.end(), firmware.begin() + 40000);
    EXPECT_EQ(found(firmware), "a DER SEC1 ECPrivateKey at 40000");
    firmware = noise(64 * 1024, 8);
    const Bytes pkcs8 = pkcs8_of_rsa(rsa_key().der);
    std::copy(pkcs8.begin(), pkcs8.end(), firmware.begin() + 123);
    EXPECT_EQ(found(firmware), "a DER PKCS#8 PrivateKeyInfo at 123");
}

TEST(KeyScan, FindsEveryPemForm) {
    EXPECT_EQ(found(as_bytes(rsa_key().pem)), "a PEM 'RSA PRIVATE KEY' block at 0");
    EXPECT_EQ(found(as_bytes(ec_key().pem)), "a PEM 'EC PRIVATE KEY' block at 0");
    const std::string encrypted = encrypt_private_key_pem(rsa_key().der, "password", "seed", 2048);
    EXPECT_EQ(found(as_bytes(encrypted)), "a PEM 'ENCRYPTED PRIVATE KEY' block at 0");
    const Bytes body = noise(300, 3);
    for (const char* label :
         {"PRIVATE KEY", "DSA PRIVATE KEY", "OPENSSH PRIVATE KEY", "PGP PRIVATE KEY BLOCK"}) {
        EXPECT_EQ(found(as_bytes(pem(label, body))), fmt::format("a PEM '{}' block at 0", label));
    }
    // Legacy OpenSSL encryption: header lines before the body.
    std::string legacy = rsa_key().pem;
    legacy.insert(legacy.find('\n') + 1,
                  "Proc-Type: 4,ENCRYPTED\nDEK-Info: DES-EDE3-CBC,0123456789ABCDEF\n\n");
    EXPECT_EQ(found(as_bytes(legacy)), "a PEM 'RSA PRIVATE KEY' block at 0");
    // CRLF line ends, and a block flattened into one line.
    std::string crlf;
    for (char c : ec_key().pem)
        crlf += c == '\n' ? std::string("\r\n") : std::string(1, c);
    EXPECT_EQ(found(as_bytes(crlf)), "a PEM 'EC PRIVATE KEY' block at 0");
    std::string flat;
    for (char c : ec_key().pem)
        if (c != '\n')
            flat += c;
    EXPECT_EQ(found(as_bytes(flat)), "a PEM 'EC PRIVATE KEY' block at 0");
}

// The attack: a certificate file with the key after the certificate; and a key relabelled.
TEST(KeyScan, FindsTheKeyAfterACertificateAndUnderAnotherLabel) {
    const std::string cert = pem("CERTIFICATE", noise(600, 4));
    const std::string combined = "subject=CN=CSF1\n" + cert + rsa_key().pem;
    EXPECT_EQ(found(as_bytes(combined)),
              fmt::format("a PEM 'RSA PRIVATE KEY' block at {}", 16 + cert.size()));
    EXPECT_EQ(found(as_bytes(pem("CERTIFICATE", rsa_key().der))),
              "a PEM 'CERTIFICATE' block holding a DER PKCS#1 RSAPrivateKey at 0");
}

TEST(KeyScan, FindsSshAndPuttyKeys) {
    static const char kOpenSsh[] = "openssh-key-v1\0\0\0\0\x04none";
    Bytes openssh(kOpenSsh, kOpenSsh + sizeof kOpenSsh - 1);
    openssh.insert(openssh.begin(), 5, 0xEE);
    EXPECT_EQ(found(openssh), "an OpenSSH private key at 5");
    EXPECT_EQ(found(as_bytes("PuTTY-User-Key-File-3: ssh-ed25519\nEncryption: none\n")),
              "a PuTTY private key at 0");
    EXPECT_EQ(found(as_bytes("---- BEGIN SSH2 ENCRYPTED PRIVATE KEY ----\nAAAA\n")),
              "an SSH2 private key at 0");
}

// What a firmware or a project holds without holding a key: noise, a PEM parser's header
// strings (NUL-terminated, no body), an "openssh-key-v1" string constant, certificates.
TEST(KeyScan, LeavesFilesWithoutKeysAlone) {
    EXPECT_EQ(found(noise(1 << 20, 1)), "none");
    EXPECT_EQ(found({}), "none");
    static const char kStrings[] =
        "-----BEGIN RSA PRIVATE KEY-----\0-----END RSA PRIVATE KEY-----\0"
        "-----BEGIN PRIVATE KEY-----\0-----BEGIN ENCRYPTED PRIVATE KEY-----\0"
        "openssh-key-v1\0\xff\xff\xff\xff";
    Bytes firmware = noise(4096, 2);
    firmware.insert(firmware.begin() + 100, kStrings, kStrings + sizeof kStrings - 1);
    EXPECT_EQ(found(firmware), "none");
    EXPECT_EQ(found(as_bytes(pem("CERTIFICATE", noise(900, 5)))), "none");
    EXPECT_EQ(found(read_file(std::filesystem::path(RTPROV_SOURCE_DIR) /
                              "examples/rt1020-evk/app/blinky.srec")),
              "none");
    EXPECT_EQ(found(as_bytes("# a project\nhab:\n  csf_key: keys/CSF1_key.pem  # PRIVATE KEY\n")),
              "none");
}

// NXP's reference PKI and every other reference file: the key files are found (PEM and DER,
// encrypted), nothing else is (certificates, SRK tables, signed and encrypted images, DEKs).
TEST(KeyScan, FindsExactlyTheKeysAmongTheReferenceVectors) {
    const auto v = test::vectors_dir();
    if (!v)
        GTEST_SKIP() << "RTPROV_VECTORS is not set";
    std::size_t keys = 0, others = 0;
    for (const auto& entry : std::filesystem::recursive_directory_iterator(*v)) {
        if (!entry.is_regular_file() || entry.file_size() > (16u << 20))
            continue;
        // keys/ holds the keys as .pem and .der, key_pass.txt, and a zip of the CA's files
        // whose DER key is stored (deflate did not shrink it): found too.
        const bool key = entry.path().parent_path().filename() == "keys" &&
                         entry.path().filename() != "key_pass.txt";
        const auto m = find_private_key_material(read_file(entry.path()));
        EXPECT_EQ(m.has_value(), key) << entry.path() << ": " << (m ? m->what : "none");
        ++(key ? keys : others);
    }
    EXPECT_GE(keys, 10u);
    EXPECT_GE(others, 50u);
}

// Keys made by the tools people use, when they are installed: OpenSSL's PKCS#8 with AES (which
// mbedTLS 2.28 cannot decrypt), its PKCS#12, and ssh-keygen's OpenSSH key.
TEST(KeyScan, FindsKeysOfOpensslAndSshKeygen) {
    if (test::run_command("openssl version").exit_code != 0)
        GTEST_SKIP() << "openssl is not installed";
    test::TempDir t;
    const std::string d = t.path().string();
    const std::string prefix = "cd " + d + " && ";
    ASSERT_EQ(
        test::run_command(
            prefix + "openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out k.pem && "
                     "openssl pkcs8 -topk8 -in k.pem -v2 aes-256-cbc -passout pass:password "
                     "-outform DER -out k8.der && "
                     "openssl pkcs8 -topk8 -in k.pem -nocrypt -outform DER -out plain8.der && "
                     "openssl req -new -x509 -key k.pem -subj /CN=t -days 1 -out c.pem && "
                     "openssl pkcs12 -export -in c.pem -inkey k.pem -passout pass:password "
                     "-out k.p12")
            .exit_code,
        0);
    EXPECT_EQ(found(read_file(t / "k.pem")), "a PEM 'PRIVATE KEY' block at 0");
    EXPECT_EQ(found(read_file(t / "k8.der")), "a DER PKCS#8 EncryptedPrivateKeyInfo at 0");
    EXPECT_EQ(found(read_file(t / "plain8.der")), "a DER PKCS#8 PrivateKeyInfo at 0");
    EXPECT_EQ(found(read_file(t / "k.p12")), "a DER PKCS#12 (PFX) file at 0");
    EXPECT_EQ(found(read_file(t / "c.pem")), "none");
    if (test::run_command(prefix + "ssh-keygen -q -t ed25519 -N '' -f id").exit_code == 0) {
        EXPECT_EQ(found(read_file(t / "id")), "a PEM 'OPENSSH PRIVATE KEY' block at 0");
        EXPECT_EQ(found(read_file(t / "id.pub")), "none");
        const Bytes binary = decoded_pem(read_text_file(t / "id"));
        EXPECT_EQ(found(binary), "an OpenSSH private key at 0");
    }
}

}  // namespace
}  // namespace rtprov::hab
