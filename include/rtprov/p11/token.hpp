#pragma once
// Keys and certificates in a hardware token (an HSM, a smart card, SoftHSM2), named by RFC 7512
// PKCS#11 URIs: "pkcs11:token=factory;object=CSF1_1;type=private?module-path=/usr/lib/...so
// &pin-source=/run/pin". p11-kit parses the URI and loads the module; the operations are plain
// PKCS#11 (find by label/id, sign, generate a key pair, store a certificate). No PKCS#11 type
// appears in this header; keys come back as raw public values for lib/hab to encode.
//
// Where the pieces come from: the module from the URI's module-path (or module-name, a p11-kit
// registered module), else $RTPROV_PKCS11_MODULE; the PIN from the URI's pin-value, its
// pin-source (a file, "file:" optional), $RTPROV_PKCS11_PIN, else a prompt on the terminal. A PIN
// is never put into an error message, a log or JSON (uri_for_messages()), and a wrong PIN is never
// retried (tokens lock after a few).

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "rtprov/util/bytes.hpp"

namespace rtprov::p11 {

// Where a module is named when a URI names none.
inline constexpr const char* kModuleEnv = "RTPROV_PKCS11_MODULE";
// Where a PIN is read when a URI gives none.
inline constexpr const char* kPinEnv = "RTPROV_PKCS11_PIN";

// True for text that is a PKCS#11 URI ("pkcs11:..."), the form every private key and certificate
// option accepts besides a file.
bool is_uri(std::string_view text);

// `uri` with its pin-value replaced by "***": what errors, logs and JSON may show.
std::string uri_for_messages(std::string_view uri);

// Whether `uri` carries a PIN (pin-value) in its text. Project files refuse that: they travel into
// git and packages.
bool uri_has_pin_value(std::string_view uri);

enum class KeyKind { Rsa, Ec };

// The public half of a token key, as PKCS#11 gives it.
struct PublicValues {
    KeyKind kind = KeyKind::Rsa;
    Bytes modulus;    // RSA: n, big-endian
    Bytes exponent;   // RSA: e, big-endian
    Bytes ec_params;  // EC: DER of the curve's OID (CKA_EC_PARAMS)
    Bytes ec_point;   // EC: the point, DER OCTET STRING as CKA_EC_POINT holds it
};

// A private key object on a token, with the session that uses it. Movable; the session and the
// module stay loaded while a key (or a Token) uses them.
class TokenKey {
  public:
    // Finds the private key `uri` names (object label and/or id; type=private or none). Throws
    // Error(Usage) for a malformed URI or no module; Error(Device) when the module cannot be
    // loaded or the token is not present (naming the tokens there are); Error(BadInput) for a
    // wrong or locked PIN and for a key that is not there (listing the private keys there are).
    static TokenKey open(std::string_view uri);

    TokenKey(TokenKey&&) noexcept;
    TokenKey& operator=(TokenKey&&) noexcept;
    ~TokenKey();

    const PublicValues& public_values() const;

    // Signs `data` whose SHA-256 is `digest`: RSA PKCS#1 v1.5 with CKM_SHA256_RSA_PKCS, or, on
    // tokens that offer only the raw mechanism, CKM_RSA_PKCS over the DigestInfo; EC keys with
    // CKM_ECDSA over the digest, returned DER-encoded (SEQUENCE of r, s) as CMS carries it.
    // Throws Error(Device) naming the mechanisms tried when the token offers none of them.
    Bytes sign_sha256(ByteView data, ByteView digest) const;

    // The URI as errors may show it (no PIN).
    const std::string& name() const;

  private:
    struct Impl;
    explicit TokenKey(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

// The DER of the certificate object `uri` names (type=cert, by label and/or id). Errors as
// TokenKey::open; a missing certificate lists the certificates there are.
Bytes read_certificate(std::string_view uri);

// A key pair made inside the token `token_uri` names (its object/id/type parts are ignored):
// RSA with `bits` bits and exponent 65537, label `label`, id `id`; the private key sensitive and
// not extractable, so it never leaves the token. Returns the URI of the private key (without the
// PIN) and opens it.
struct GeneratedKey {
    std::string uri;
    TokenKey key;
};
GeneratedKey generate_rsa_key(std::string_view token_uri, const std::string& label, ByteView id,
                              unsigned bits);

// Stores `der` (subject Name `subject_der`) as a certificate object (label, id) on the token
// `token_uri` names, replacing one with the same label.
void store_certificate(std::string_view token_uri, const std::string& label, ByteView id,
                       ByteView der, ByteView subject_der);

// The private-key attribute a test or an audit reads: whether the token lets the key out
// (CKA_EXTRACTABLE) and whether its value is sensitive (CKA_SENSITIVE).
struct KeyProtection {
    bool extractable = true;
    bool sensitive = false;
};
KeyProtection key_protection(std::string_view uri);

}  // namespace rtprov::p11
