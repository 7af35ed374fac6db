#pragma once
// Finding private-key material in files before they leave the machine: `export-pkg` scans every
// file it packages with it. What is recognised, anywhere in the data (text or binary):
//  - PEM blocks whose label names a private key ("PRIVATE KEY", "ENCRYPTED PRIVATE KEY",
//    "RSA/EC/DSA PRIVATE KEY", "OPENSSH PRIVATE KEY", "PGP PRIVATE KEY BLOCK", ...) and have a
//    body, and PEM blocks of any other label whose decoded body holds one of the DER forms below;
//  - DER: PKCS#1 RSAPrivateKey, OpenSSL's DSA private key, SEC1 ECPrivateKey, PKCS#8
//    PrivateKeyInfo / OneAsymmetricKey, PKCS#8 EncryptedPrivateKeyInfo (PKCS#5 or PKCS#12
//    password-based encryption) and PKCS#12 PFX files (DER or BER);
//  - OpenSSH's binary key format, PuTTY and SSH2 (RFC 4716 style) private key files;
//  - a whole file mbedTLS reads as a private key.
// A DER structure is recognised by its shape (exact nested lengths, version numbers, algorithm
// identifiers), so random binary data does not match; firmware that embeds a real key does.

#include <cstddef>
#include <optional>
#include <string>

#include "rtprov/util/bytes.hpp"

namespace rtprov::hab {

struct KeyMaterial {
    std::size_t offset = 0;  // where it starts in the data
    std::string what;        // "a PEM 'RSA PRIVATE KEY' block", "a DER PKCS#12 (PFX) file", ...
};

// The first private-key material found in `data`, or nullopt. Never throws.
std::optional<KeyMaterial> find_private_key_material(ByteView data);

}  // namespace rtprov::hab
