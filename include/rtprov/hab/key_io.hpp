#pragma once
// Loading X.509 certificates and private keys for HAB signing. PEM (text before the BEGIN line is
// allowed: NXP's certificates carry a text dump first) or DER; private keys may be encrypted.
// Wherever a path is taken, a PKCS#11 URI (RFC 7512, "pkcs11:token=...;object=...") names a key
// or certificate on a hardware token instead (lib/p11): the key signs there and never leaves it.
// Crypto is mbedTLS; no mbedTLS type appears in this header.

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "rtprov/util/bytes.hpp"

namespace rtprov::hab {

enum class KeyType { Rsa, Ecc };

// What signing and the SRK table need from a certificate.
struct Certificate {
    Bytes der;         // the whole certificate
    Bytes issuer_der;  // issuer Name, full DER (SEQUENCE ...), for CMS issuerAndSerialNumber
    Bytes serial;      // serial number INTEGER contents (big-endian, as encoded)
    KeyType key_type = KeyType::Rsa;
    std::size_t key_bits = 0;
    bool is_ca = false;
};

// Parses a certificate from PEM or DER bytes; `name` is used in errors.
// Throws Error(BadInput) "NAME: not an X.509 certificate (...)" when it does not parse.
Certificate parse_certificate(ByteView pem_or_der, const std::string& name);

// Reads and parses a certificate file (errors name the path).
Certificate load_certificate(const std::filesystem::path& path);

// A private key (RSA or EC), movable, owning its mbedTLS context.
class PrivateKey {
  public:
    // Parses PEM or DER (PKCS#1, SEC1, PKCS#8, encrypted PKCS#8 / legacy PEM encryption).
    // Throws Error(BadInput) naming `name`: "NAME: wrong password or ..." / "NAME: encrypted,
    // no password given (--key-password-file or RTPROV_KEY_PASSWORD)" / "NAME: not a private key".
    static PrivateKey parse(ByteView pem_or_der, const std::string& name,
                            const std::optional<std::string>& password);
    // Reads and parses a key file (errors name the path; a missing file is Error(BadInput)).
    static PrivateKey load(const std::filesystem::path& path,
                           const std::optional<std::string>& password);

    PrivateKey(PrivateKey&&) noexcept;
    PrivateKey& operator=(PrivateKey&&) noexcept;
    ~PrivateKey();

    KeyType type() const;
    std::size_t bits() const;

    // Signs SHA-256(data): RSA PKCS#1 v1.5 (deterministic) or ECDSA (DER). Throws Error(Internal)
    // when mbedTLS fails.
    Bytes sign_sha256(ByteView data) const;

    // The public part as DER SubjectPublicKeyInfo.
    Bytes public_key_der() const;

    // True when `cert`'s public key is this key's public part.
    bool matches(const Certificate& cert) const;

  private:
    struct Impl;
    explicit PrivateKey(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

// A key's or certificate's name as messages, logs and JSON show it: the path, or a PKCS#11 URI
// ("pkcs11:...", where the key or certificate is on a token) without its PIN.
std::string key_display_name(const std::filesystem::path& path);

// Reads a password file: its first line without the line ending. Throws Error(BadInput) naming
// the path when it is missing or empty.
std::string read_password_file(const std::filesystem::path& path);

// SHA-256 of `data`.
Bytes sha256(ByteView data);

// A public key from a file: PEM/DER SubjectPublicKeyInfo, an X.509 certificate, or a private key
// (its public part). Returned as DER SubjectPublicKeyInfo. Throws Error(BadInput) naming `path`.
Bytes load_public_key_der(const std::filesystem::path& path);

// True when `signature` is a valid RSA PKCS#1 v1.5 or ECDSA signature of SHA-256(data) by the
// key `public_key_der` (SubjectPublicKeyInfo).
bool verify_sha256(ByteView public_key_der, ByteView data, ByteView signature);

}  // namespace rtprov::hab
