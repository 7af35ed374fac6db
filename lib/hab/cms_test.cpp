// The CMS SignedData we write, parsed back field by field with mbedTLS's ASN.1 reader.

#include "rtprov/hab/cms.hpp"

#include <cstring>

#include <gtest/gtest.h>
#include <mbedtls/asn1.h>
#include <mbedtls/oid.h>
#include <mbedtls/pk.h>
#include <mbedtls/x509_crt.h>

#include "rtprov/hab/sign.hpp"
#include "test_support.hpp"

namespace rtprov::hab {
namespace {

constexpr int kCons = MBEDTLS_ASN1_CONSTRUCTED;

// Enters a TLV with `tag`; returns its contents and moves p past it.
ByteView enter(unsigned char*& p, const unsigned char* end, int tag) {
    std::size_t len = 0;
    EXPECT_EQ(mbedtls_asn1_get_tag(&p, end, &len, tag), 0) << "tag " << tag;
    ByteView v(p, len);
    p += len;
    return v;
}

std::string oid_of(unsigned char*& p, const unsigned char* end) {
    const ByteView v = enter(p, end, MBEDTLS_ASN1_OID);
    return std::string(v.begin(), v.end());
}

int int_of(unsigned char*& p, const unsigned char* end) {
    int v = -1;
    EXPECT_EQ(mbedtls_asn1_get_int(&p, end, &v), 0);
    return v;
}

TEST(Cms, SignedDataHasHabShapeAndVerifies) {
    const auto v = test::vectors_dir();
    if (!v)
        GTEST_SKIP() << "RTPROV_VECTORS is not set";
    const auto k = *v / "hab-keys";
    const Certificate cert = load_certificate(k / "crts/IMG1_1_sha256_2048_65537_v3_usr_crt.pem");
    const PrivateKey key =
        PrivateKey::load(k / "keys/IMG1_1_sha256_2048_65537_v3_usr_key.pem", "SWTestTeam");
    const Bytes data{1, 2, 3, 4, 5};
    Bytes der = cms_sign(data, key, cert, parse_signature_time("2020-04-08T05:54:33Z"));
    EXPECT_EQ(der.size(), 509u);  // as NXP's RSA-2048 signatures

    unsigned char* p = der.data();
    const unsigned char* end = der.data() + der.size();
    ByteView ci = enter(p, end, kCons | MBEDTLS_ASN1_SEQUENCE);
    EXPECT_EQ(p, end);
    p = const_cast<unsigned char*>(ci.data());
    end = ci.data() + ci.size();
    EXPECT_EQ(oid_of(p, end), MBEDTLS_OID_PKCS "\x07\x02");
    ByteView sd0 = enter(p, end, kCons | MBEDTLS_ASN1_CONTEXT_SPECIFIC | 0);
    p = const_cast<unsigned char*>(sd0.data());
    end = sd0.data() + sd0.size();
    ByteView sd = enter(p, end, kCons | MBEDTLS_ASN1_SEQUENCE);
    p = const_cast<unsigned char*>(sd.data());
    end = sd.data() + sd.size();
    EXPECT_EQ(int_of(p, end), 1);
    ByteView algs = enter(p, end, kCons | MBEDTLS_ASN1_SET);
    EXPECT_EQ(algs.size(), 13u);  // { SEQUENCE { sha256 } }, no NULL parameter
    ByteView encap = enter(p, end, kCons | MBEDTLS_ASN1_SEQUENCE);
    EXPECT_EQ(encap.size(), 11u);  // id-data only: detached
    ByteView infos = enter(p, end, kCons | MBEDTLS_ASN1_SET);
    EXPECT_EQ(p, end);  // no certificates, no CRLs

    p = const_cast<unsigned char*>(infos.data());
    end = infos.data() + infos.size();
    ByteView si = enter(p, end, kCons | MBEDTLS_ASN1_SEQUENCE);
    p = const_cast<unsigned char*>(si.data());
    end = si.data() + si.size();
    EXPECT_EQ(int_of(p, end), 1);
    ByteView sid = enter(p, end, kCons | MBEDTLS_ASN1_SEQUENCE);
    EXPECT_TRUE(Bytes(sid.begin(), sid.begin() + static_cast<std::ptrdiff_t>(
                                                     cert.issuer_der.size())) == cert.issuer_der);
    enter(p, end, kCons | MBEDTLS_ASN1_SEQUENCE);  // digest algorithm
    unsigned char* attrs_start = p;
    ByteView attrs = enter(p, end, kCons | MBEDTLS_ASN1_CONTEXT_SPECIFIC | 0);
    Bytes signed_attrs(attrs_start, const_cast<unsigned char*>(attrs.data() + attrs.size()));
    signed_attrs[0] = kCons | MBEDTLS_ASN1_SET;  // signed as a SET
    ByteView sig_alg = enter(p, end, kCons | MBEDTLS_ASN1_SEQUENCE);
    EXPECT_EQ(sig_alg.size(), 13u);  // rsaEncryption, NULL
    ByteView sig = enter(p, end, MBEDTLS_ASN1_OCTET_STRING);
    EXPECT_EQ(sig.size(), 256u);

    // Attributes in NXP's order: contentType, signingTime, messageDigest.
    const std::string a(attrs.begin(), attrs.end());
    const auto ct = a.find(MBEDTLS_OID_PKCS "\x09\x03");
    const auto st = a.find(MBEDTLS_OID_PKCS "\x09\x05");
    const auto md = a.find(MBEDTLS_OID_PKCS "\x09\x04");
    EXPECT_LT(ct, st);
    EXPECT_LT(st, md);
    EXPECT_NE(a.find("200408055433Z"), std::string::npos);
    const Bytes digest = sha256(data);
    EXPECT_NE(a.find(std::string(digest.begin(), digest.end())), std::string::npos);

    // The signature verifies with the certificate's public key over the attribute SET.
    mbedtls_x509_crt crt;
    mbedtls_x509_crt_init(&crt);
    ASSERT_EQ(mbedtls_x509_crt_parse_der(&crt, cert.der.data(), cert.der.size()), 0);
    const Bytes h = sha256(signed_attrs);
    EXPECT_EQ(
        mbedtls_pk_verify(&crt.pk, MBEDTLS_MD_SHA256, h.data(), h.size(), sig.data(), sig.size()),
        0);
    mbedtls_x509_crt_free(&crt);
}

TEST(Cms, RsaSignatureIsDeterministic) {
    const auto v = test::vectors_dir();
    if (!v)
        GTEST_SKIP() << "RTPROV_VECTORS is not set";
    const auto k = *v / "hab-keys";
    const Certificate cert = load_certificate(k / "crts/CSF1_1_sha256_2048_65537_v3_usr_crt.pem");
    const PrivateKey key =
        PrivateKey::load(k / "keys/CSF1_1_sha256_2048_65537_v3_usr_key.pem", "SWTestTeam");
    const Bytes data(100, 0x5A);
    EXPECT_TRUE(cms_sign(data, key, cert, 1586325273) == cms_sign(data, key, cert, 1586325273));
    EXPECT_FALSE(cms_sign(data, key, cert, 1586325273) == cms_sign(data, key, cert, 1586325274));
}

}  // namespace
}  // namespace rtprov::hab
