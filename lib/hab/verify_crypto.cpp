// Public keys, certificate signatures and CMS for verify (see verify_internal.hpp).

#include <fmt/format.h>
#include <mbedtls/asn1.h>
#include <mbedtls/ccm.h>
#include <mbedtls/ecp.h>
#include <mbedtls/oid.h>
#include <mbedtls/rsa.h>

#include "verify_internal.hpp"

namespace rtprov::hab::detail {

namespace {

Error bad(const std::string& what) {
    return Error(ErrorCode::BadInput, what);
}

mbedtls_ecp_group_id group_of(std::uint8_t curve) {
    switch (curve) {
        case kSrkCurveP256:
            return MBEDTLS_ECP_DP_SECP256R1;
        case kSrkCurveP384:
            return MBEDTLS_ECP_DP_SECP384R1;
        case kSrkCurveP521:
            return MBEDTLS_ECP_DP_SECP521R1;
        default:
            throw bad(fmt::format("unknown curve id 0x{:02X}", curve));
    }
}

Bytes digest_of(mbedtls_md_type_t md, ByteView data) {
    const mbedtls_md_info_t* info = mbedtls_md_info_from_type(md);
    if (info == nullptr)
        throw bad("CMS: unsupported digest algorithm");
    Bytes out(mbedtls_md_get_size(info));
    mbedtls_md(info, data.data(), data.size(), out.data());
    return out;
}

void expect(int rc, const char* what) {
    if (rc != 0)
        throw bad(fmt::format("CMS: malformed {}", what));
}

}  // namespace

std::shared_ptr<PublicKey> PublicKey::from_srk(const SrkKey& key) {
    auto out = std::make_shared<PublicKey>();
    out->own_ = std::make_unique<PkContext>();
    mbedtls_pk_context* pk = out->own_->get();
    if (key.tag != kSrkKeyTag)
        throw bad("the SRK is a hash stub (revoked key)");
    if (key.algorithm == kSrkAlgRsa) {
        mbedtls_pk_setup(pk, mbedtls_pk_info_from_type(MBEDTLS_PK_RSA));
        mbedtls_rsa_context* rsa = mbedtls_pk_rsa(*pk);
        if (mbedtls_rsa_import_raw(rsa, key.modulus.data(), key.modulus.size(), nullptr, 0, nullptr,
                                   0, nullptr, 0, key.exponent.data(), key.exponent.size()) != 0 ||
            mbedtls_rsa_complete(rsa) != 0) {
            throw bad("the SRK holds an unusable RSA key");
        }
    } else {
        mbedtls_pk_setup(pk, mbedtls_pk_info_from_type(MBEDTLS_PK_ECKEY));
        mbedtls_ecp_keypair* ec = mbedtls_pk_ec(*pk);
        if (mbedtls_ecp_group_load(&ec->grp, group_of(key.curve)) != 0 ||
            mbedtls_mpi_read_binary(&ec->Q.X, key.modulus.data(), key.modulus.size()) != 0 ||
            mbedtls_mpi_read_binary(&ec->Q.Y, key.exponent.data(), key.exponent.size()) != 0 ||
            mbedtls_mpi_lset(&ec->Q.Z, 1) != 0 || mbedtls_ecp_check_pubkey(&ec->grp, &ec->Q) != 0) {
            throw bad("the SRK holds an unusable EC key");
        }
    }
    return out;
}

std::shared_ptr<PublicKey> PublicKey::from_certificate(ByteView der, const std::string& what) {
    auto out = std::make_shared<PublicKey>();
    out->cert_ = std::make_unique<X509Cert>();
    out->cert_->parse_der(der, what);
    return out;
}

mbedtls_pk_context* PublicKey::pk() {
    return cert_ ? &cert_->get()->pk : own_->get();
}

bool PublicKey::certificate_signed_by(PublicKey& issuer) const {
    if (!cert_)
        return false;
    const mbedtls_x509_crt* crt = cert_->get();
    const Bytes hash = digest_of(crt->sig_md, ByteView(crt->tbs.p, crt->tbs.len));
    return mbedtls_pk_verify(issuer.pk(), crt->sig_md, hash.data(), hash.size(), crt->sig.p,
                             crt->sig.len) == 0;
}

std::string PublicKey::subject() const {
    if (!cert_)
        return {};
    char buf[256] = {};
    mbedtls_x509_dn_gets(buf, sizeof buf, &cert_->get()->subject);
    return buf;
}

CmsSignature parse_cms(ByteView der) {
    static const Bytes kSignedData = {0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x02};
    static const Bytes kMessageDigest = {0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x04};
    unsigned char* p = const_cast<unsigned char*>(der.data());
    const unsigned char* end = der.data() + der.size();
    std::size_t len = 0;
    constexpr int kSeq = MBEDTLS_ASN1_CONSTRUCTED | MBEDTLS_ASN1_SEQUENCE;
    constexpr int kSet = MBEDTLS_ASN1_CONSTRUCTED | MBEDTLS_ASN1_SET;
    constexpr int kCtx0 = MBEDTLS_ASN1_CONSTRUCTED | MBEDTLS_ASN1_CONTEXT_SPECIFIC;
    const auto skip = [&](const char* what) {
        if (p >= end)
            throw bad(fmt::format("CMS: missing {}", what));
        ++p;
        expect(mbedtls_asn1_get_len(&p, end, &len), what);
        p += len;
    };
    expect(mbedtls_asn1_get_tag(&p, end, &len, kSeq), "ContentInfo");
    expect(mbedtls_asn1_get_tag(&p, end, &len, MBEDTLS_ASN1_OID), "content type");
    if (Bytes(p, p + len) != kSignedData)
        throw bad("CMS: content type is not signedData");
    p += len;
    expect(mbedtls_asn1_get_tag(&p, end, &len, kCtx0), "content");
    expect(mbedtls_asn1_get_tag(&p, end, &len, kSeq), "SignedData");
    int version = 0;
    expect(mbedtls_asn1_get_int(&p, end, &version), "SignedData version");
    skip("digestAlgorithms");
    skip("encapContentInfo");
    while (p < end && (*p == kCtx0 || *p == (kCtx0 | 1)))
        skip("certificates");
    expect(mbedtls_asn1_get_tag(&p, end, &len, kSet), "signerInfos");
    expect(mbedtls_asn1_get_tag(&p, end, &len, kSeq), "SignerInfo");
    expect(mbedtls_asn1_get_int(&p, end, &version), "SignerInfo version");
    skip("signer identifier");
    CmsSignature out;
    mbedtls_asn1_buf alg_oid, alg_params;
    expect(mbedtls_asn1_get_alg(&p, end, &alg_oid, &alg_params), "digestAlgorithm");
    if (mbedtls_oid_get_md_alg(&alg_oid, &out.digest) != 0)
        throw bad("CMS: unsupported digest algorithm");
    if (p < end && *p == kCtx0) {
        unsigned char* attrs = p;
        expect(mbedtls_asn1_get_tag(&p, end, &len, kCtx0), "signedAttrs");
        out.has_signed_attributes = true;
        out.signed_attributes.assign(attrs, p + len);
        out.signed_attributes[0] = kSet;
        const unsigned char* attrs_end = p + len;
        while (p < attrs_end) {
            std::size_t attr_len = 0;
            expect(mbedtls_asn1_get_tag(&p, attrs_end, &attr_len, kSeq), "attribute");
            const unsigned char* next = p + attr_len;
            expect(mbedtls_asn1_get_tag(&p, next, &len, MBEDTLS_ASN1_OID), "attribute type");
            const bool is_digest = Bytes(p, p + len) == kMessageDigest;
            p += len;
            if (is_digest) {
                expect(mbedtls_asn1_get_tag(&p, next, &len, kSet), "messageDigest");
                expect(mbedtls_asn1_get_tag(&p, next, &len, MBEDTLS_ASN1_OCTET_STRING),
                       "messageDigest");
                out.message_digest.assign(p, p + len);
            }
            p = const_cast<unsigned char*>(next);
        }
        if (out.message_digest.empty())
            throw bad("CMS: the signed attributes hold no messageDigest");
    }
    expect(mbedtls_asn1_get_alg(&p, end, &alg_oid, &alg_params), "signatureAlgorithm");
    expect(mbedtls_asn1_get_tag(&p, end, &len, MBEDTLS_ASN1_OCTET_STRING), "signature");
    out.signature.assign(p, p + len);
    return out;
}

CmsResult check_cms(const CmsSignature& cms, ByteView data, PublicKey& key) {
    const Bytes data_digest = digest_of(cms.digest, data);
    Bytes signed_digest = data_digest;
    if (cms.has_signed_attributes) {
        if (cms.message_digest != data_digest)
            return CmsResult::DigestMismatch;
        signed_digest = digest_of(cms.digest, cms.signed_attributes);
    }
    const int rc =
        mbedtls_pk_verify(key.pk(), cms.digest, signed_digest.data(), signed_digest.size(),
                          cms.signature.data(), cms.signature.size());
    if (rc == 0)
        return CmsResult::Ok;
    return cms.has_signed_attributes ? CmsResult::BadSignature : CmsResult::DigestMismatch;
}

bool ccm_tag_matches(ByteView dek, ByteView nonce, ByteView ciphertext, ByteView mac) {
    mbedtls_ccm_context ccm;
    mbedtls_ccm_init(&ccm);
    Bytes plain(ciphertext.size());
    int rc = mbedtls_ccm_setkey(&ccm, MBEDTLS_CIPHER_ID_AES, dek.data(),
                                static_cast<unsigned>(dek.size() * 8));
    if (rc == 0) {
        rc = mbedtls_ccm_auth_decrypt(&ccm, ciphertext.size(), nonce.data(), nonce.size(), nullptr,
                                      0, ciphertext.data(), plain.data(), mac.data(), mac.size());
    }
    mbedtls_ccm_free(&ccm);
    return rc == 0;
}

}  // namespace rtprov::hab::detail
