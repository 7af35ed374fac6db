// Encrypted PKCS#8 output (mbedTLS 2.28 reads encrypted keys but cannot write them).

#include <fmt/format.h>
#include <mbedtls/cipher.h>
#include <mbedtls/md.h>
#include <mbedtls/oid.h>
#include <mbedtls/pem.h>
#include <mbedtls/pkcs5.h>

#include "pki_internal.hpp"
#include "rtprov/hab/pki.hpp"

namespace rtprov::hab {

namespace {

// DER, written forwards: tag, definite length, content.
Bytes tlv(std::uint8_t tag, ByteView content) {
    const std::size_t n = content.size();
    Bytes out;
    out.reserve(n + 6);
    out.push_back(tag);
    if (n < 0x80) {
        out.push_back(static_cast<std::uint8_t>(n));
    } else if (n < 0x100) {
        out.push_back(0x81);
        out.push_back(static_cast<std::uint8_t>(n));
    } else if (n < 0x10000) {
        out.push_back(0x82);
        append_be16(out, static_cast<std::uint16_t>(n));
    } else {
        out.push_back(0x83);
        out.push_back(static_cast<std::uint8_t>(n >> 16));
        append_be16(out, static_cast<std::uint16_t>(n));
    }
    out.insert(out.end(), content.begin(), content.end());
    return out;
}

Bytes cat(std::initializer_list<Bytes> parts) {
    Bytes out;
    for (const Bytes& p : parts)
        out.insert(out.end(), p.begin(), p.end());
    return out;
}

// A non-negative INTEGER's content: minimal big-endian, a 0 byte first when the top bit is set.
Bytes der_unsigned(std::uint32_t value) {
    Bytes out;
    for (int shift = 24; shift >= 0; shift -= 8) {
        const auto b = static_cast<std::uint8_t>(value >> shift);
        if (!out.empty() || b != 0 || shift == 0)
            out.push_back(b);
    }
    if (out.front() & 0x80)
        out.insert(out.begin(), 0);
    return out;
}

Bytes oid(std::string_view encoded) {
    return tlv(0x06,
               ByteView(reinterpret_cast<const std::uint8_t*>(encoded.data()), encoded.size()));
}

Bytes seq(std::initializer_list<Bytes> parts) {
    return tlv(0x30, cat(parts));
}

void check(int rc, std::string_view what) {
    if (rc != 0) {
        throw Error(ErrorCode::Internal, fmt::format("{}: {}", what, detail::mbedtls_message(rc)));
    }
}

// PrivateKeyInfo (PKCS#8) around the key mbedTLS writes (PKCS#1 RSAPrivateKey or SEC1).
Bytes private_key_info(const mbedtls_pk_context* pk, ByteView inner) {
    Bytes algorithm;
    if (mbedtls_pk_get_type(pk) == MBEDTLS_PK_RSA) {
        algorithm = seq({oid(MBEDTLS_OID_PKCS1_RSA), Bytes{0x05, 0x00}});
    } else {
        const char* curve = nullptr;
        std::size_t curve_len = 0;
        check(mbedtls_oid_get_oid_by_ec_grp(mbedtls_pk_ec(*pk)->grp.id, &curve, &curve_len),
              "EC curve");
        algorithm = seq({oid(MBEDTLS_OID_EC_ALG_UNRESTRICTED), oid({curve, curve_len})});
    }
    return seq({tlv(0x02, Bytes{0}), algorithm, tlv(0x04, inner)});
}

}  // namespace

void check_new_key_password(std::string_view password) {
    if (password.empty())
        throw Error(ErrorCode::Usage, "an empty password cannot protect a private key");
    if (password.size() < kMinKeyPasswordLength) {
        throw Error(
            ErrorCode::Usage,
            fmt::format("the key password is {} character{} long; a password that "
                        "encrypts new private keys needs at least {}",
                        password.size(), password.size() == 1 ? "" : "s", kMinKeyPasswordLength));
    }
}

std::string encrypt_private_key_pem(ByteView private_key, std::string_view password,
                                    std::string_view rng_seed, unsigned iterations) {
    check_new_key_password(password);
    if (iterations < kMinKdfIterations || iterations > kMaxKdfIterations) {
        throw Error(ErrorCode::Usage, fmt::format("{} KDF iterations: give {}..{}", iterations,
                                                  kMinKdfIterations, kMaxKdfIterations));
    }
    detail::PkContext pk;
    detail::Drbg drbg(rng_seed);
    if (mbedtls_pk_parse_key(pk.get(), private_key.data(), private_key.size(), nullptr, 0) != 0) {
        // PEM input needs its terminating NUL for mbedTLS.
        Bytes pem(private_key.begin(), private_key.end());
        pem.push_back(0);
        const int rc = mbedtls_pk_parse_key(pk.get(), pem.data(), pem.size(), nullptr, 0);
        if (rc != 0) {
            throw Error(ErrorCode::BadInput,
                        "not an unencrypted private key: " + detail::mbedtls_message(rc));
        }
    }
    Bytes buf(16384);
    const int len = mbedtls_pk_write_key_der(pk.get(), buf.data(), buf.size());
    if (len < 0)
        check(len, "private key");
    Bytes plain = private_key_info(pk.get(), ByteView(buf).last(static_cast<std::size_t>(len)));
    std::fill(buf.begin(), buf.end(), 0);

    Bytes salt(8), iv(8), derived(24);
    check(mbedtls_ctr_drbg_random(drbg.get(), salt.data(), salt.size()), "salt");
    check(mbedtls_ctr_drbg_random(drbg.get(), iv.data(), iv.size()), "IV");
    mbedtls_md_context_t md;
    mbedtls_md_init(&md);
    int rc = mbedtls_md_setup(&md, mbedtls_md_info_from_type(MBEDTLS_MD_SHA256), 1);
    if (rc == 0) {
        rc = mbedtls_pkcs5_pbkdf2_hmac(&md, reinterpret_cast<const unsigned char*>(password.data()),
                                       password.size(), salt.data(), salt.size(), iterations,
                                       static_cast<std::uint32_t>(derived.size()), derived.data());
    }
    mbedtls_md_free(&md);
    check(rc, "PBKDF2");

    mbedtls_cipher_context_t cipher;
    mbedtls_cipher_init(&cipher);
    Bytes encrypted(plain.size() + 16);
    std::size_t written = 0;
    rc = mbedtls_cipher_setup(&cipher, mbedtls_cipher_info_from_type(MBEDTLS_CIPHER_DES_EDE3_CBC));
    if (rc == 0)
        rc = mbedtls_cipher_setkey(&cipher, derived.data(), 192, MBEDTLS_ENCRYPT);
    if (rc == 0)
        rc = mbedtls_cipher_set_padding_mode(&cipher, MBEDTLS_PADDING_PKCS7);
    if (rc == 0) {
        rc = mbedtls_cipher_crypt(&cipher, iv.data(), iv.size(), plain.data(), plain.size(),
                                  encrypted.data(), &written);
    }
    mbedtls_cipher_free(&cipher);
    std::fill(plain.begin(), plain.end(), 0);
    std::fill(derived.begin(), derived.end(), 0);
    check(rc, "DES-EDE3-CBC");
    encrypted.resize(written);

    const Bytes pbkdf2 = seq({oid(MBEDTLS_OID_PKCS5_PBKDF2),
                              seq({tlv(0x04, salt), tlv(0x02, der_unsigned(iterations)),
                                   seq({oid(MBEDTLS_OID_HMAC_SHA256), Bytes{0x05, 0x00}})})});
    const Bytes scheme = seq({oid(MBEDTLS_OID_DES_EDE3_CBC), tlv(0x04, iv)});
    const Bytes der =
        seq({seq({oid(MBEDTLS_OID_PKCS5_PBES2), seq({pbkdf2, scheme})}), tlv(0x04, encrypted)});

    Bytes pem(der.size() * 2 + 200);
    std::size_t pem_len = 0;
    check(mbedtls_pem_write_buffer("-----BEGIN ENCRYPTED PRIVATE KEY-----\n",
                                   "-----END ENCRYPTED PRIVATE KEY-----\n", der.data(), der.size(),
                                   pem.data(), pem.size(), &pem_len),
          "PEM");
    return std::string(reinterpret_cast<const char*>(pem.data()));
}

}  // namespace rtprov::hab
