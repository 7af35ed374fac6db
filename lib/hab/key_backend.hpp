#pragma once
// Internal to lib/hab: what a PrivateKey does, by where its key is. A key file is held by mbedTLS
// (key_io.cpp); a key in a hardware token is used through PKCS#11 (key_token.cpp, lib/p11) and
// never leaves it. PrivateKey picks the back end by the name's form (file or "pkcs11:" URI).

#include <cstddef>
#include <memory>
#include <string_view>

#include "rtprov/hab/key_io.hpp"
#include "rtprov/util/bytes.hpp"

namespace rtprov::hab::detail {

class KeyBackend {
  public:
    virtual ~KeyBackend() = default;
    virtual KeyType type() const = 0;
    virtual std::size_t bits() const = 0;
    // RSA PKCS#1 v1.5 or ECDSA (DER) over `data`, whose SHA-256 is `digest`.
    virtual Bytes sign_sha256(ByteView data, ByteView digest) const = 0;
    // DER SubjectPublicKeyInfo.
    virtual Bytes public_key_der() const = 0;
};

// The key a PKCS#11 URI names (errors as p11::TokenKey::open).
std::unique_ptr<KeyBackend> token_key(std::string_view uri);

// DER SubjectPublicKeyInfo of a certificate's key.
Bytes certificate_public_key_der(const Certificate& cert);

}  // namespace rtprov::hab::detail
