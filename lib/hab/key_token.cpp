// A private key in a hardware token: signs through PKCS#11 (lib/p11); its public half, as the
// token gives it, encoded as a SubjectPublicKeyInfo by mbedTLS.

#include <fmt/format.h>
#include <mbedtls/asn1.h>
#include <mbedtls/ecp.h>
#include <mbedtls/oid.h>
#include <mbedtls/pk.h>
#include <mbedtls/rsa.h>

#include "key_backend.hpp"
#include "rtprov/p11/token.hpp"
#include "rtprov/util/error.hpp"

namespace rtprov::hab::detail {

namespace {

// The point inside CKA_EC_POINT's DER OCTET STRING (some tokens give it bare).
ByteView ec_point_bytes(ByteView der) {
    if (der.size() > 2 && der[0] == 0x04) {
        std::size_t len = der[1], header = 2;
        if (len == 0x81 && der.size() > 3) {
            len = der[2];
            header = 3;
        }
        if (header + len == der.size())
            return der.subspan(header);
    }
    return der;
}

Bytes write_public(mbedtls_pk_context& pk, const std::string& name) {
    Bytes buf(4096);
    const int n = mbedtls_pk_write_pubkey_der(&pk, buf.data(), buf.size());
    if (n <= 0)
        throw Error(ErrorCode::BadInput, name + ": the token's public key does not encode");
    return Bytes(buf.end() - n, buf.end());
}

Bytes spki_of(const p11::PublicValues& v, const std::string& name) {
    mbedtls_pk_context pk;
    mbedtls_pk_init(&pk);
    struct Free {
        mbedtls_pk_context* p;
        ~Free() { mbedtls_pk_free(p); }
    } free_pk{&pk};
    if (v.kind == p11::KeyKind::Rsa) {
        if (mbedtls_pk_setup(&pk, mbedtls_pk_info_from_type(MBEDTLS_PK_RSA)) != 0 ||
            mbedtls_rsa_import_raw(mbedtls_pk_rsa(pk), v.modulus.data(), v.modulus.size(), nullptr,
                                   0, nullptr, 0, nullptr, 0, v.exponent.data(),
                                   v.exponent.size()) != 0 ||
            mbedtls_rsa_complete(mbedtls_pk_rsa(pk)) != 0)
            throw Error(ErrorCode::BadInput, name + ": the token's RSA public key is not valid");
        return write_public(pk, name);
    }
    // CKA_EC_PARAMS: the curve's OID, DER.
    if (v.ec_params.size() < 2 || v.ec_params[0] != MBEDTLS_ASN1_OID ||
        v.ec_params[1] + 2u != v.ec_params.size())
        throw Error(ErrorCode::BadInput, name + ": the token's EC key names no curve by OID");
    mbedtls_asn1_buf oid{MBEDTLS_ASN1_OID, v.ec_params.size() - 2,
                         const_cast<unsigned char*>(v.ec_params.data() + 2)};
    mbedtls_ecp_group_id group = MBEDTLS_ECP_DP_NONE;
    if (mbedtls_oid_get_ec_grp(&oid, &group) != 0)
        throw Error(ErrorCode::BadInput, name + ": the token's EC curve is not one rtprov knows");
    const ByteView point = ec_point_bytes(v.ec_point);
    if (mbedtls_pk_setup(&pk, mbedtls_pk_info_from_type(MBEDTLS_PK_ECKEY)) != 0 ||
        mbedtls_ecp_group_load(&mbedtls_pk_ec(pk)->grp, group) != 0 ||
        mbedtls_ecp_point_read_binary(&mbedtls_pk_ec(pk)->grp, &mbedtls_pk_ec(pk)->Q, point.data(),
                                      point.size()) != 0)
        throw Error(ErrorCode::BadInput, name + ": the token's EC public point is not valid");
    return write_public(pk, name);
}

class TokenKeyBackend final : public KeyBackend {
  public:
    explicit TokenKeyBackend(p11::TokenKey key)
        : key_(std::move(key)), public_der_(spki_of(key_.public_values(), key_.name())) {}

    KeyType type() const override {
        return key_.public_values().kind == p11::KeyKind::Ec ? KeyType::Ecc : KeyType::Rsa;
    }
    std::size_t bits() const override {
        const auto& v = key_.public_values();
        if (v.kind == p11::KeyKind::Ec)
            return (ec_point_bytes(v.ec_point).size() - 1) / 2 * 8;
        std::size_t skip = 0;
        while (skip < v.modulus.size() && v.modulus[skip] == 0)
            ++skip;
        return (v.modulus.size() - skip) * 8;
    }
    Bytes sign_sha256(ByteView data, ByteView digest) const override {
        return key_.sign_sha256(data, digest);
    }
    Bytes public_key_der() const override { return public_der_; }

  private:
    p11::TokenKey key_;
    Bytes public_der_;
};

}  // namespace

std::unique_ptr<KeyBackend> token_key(std::string_view uri) {
    return std::make_unique<TokenKeyBackend>(p11::TokenKey::open(uri));
}

}  // namespace rtprov::hab::detail
