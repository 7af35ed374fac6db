#pragma once
// Crypto pieces of verify (private to lib/hab): public keys of SRK table items and certificates,
// certificate signature checks and HAB's detached CMS signatures.

#include <memory>
#include <string>

#include <mbedtls/md.h>

#include "pki_internal.hpp"
#include "rtprov/hab/srk.hpp"

namespace rtprov::hab::detail {

// A public key installed in a HAB key slot (from an SRK item or a certificate).
class PublicKey {
  public:
    // The key of an SRK table item. Throws Error(BadInput) when the item holds no usable key.
    static std::shared_ptr<PublicKey> from_srk(const SrkKey& key);
    // The subject key of a certificate (DER). Throws Error(BadInput) when it does not parse.
    static std::shared_ptr<PublicKey> from_certificate(ByteView der, const std::string& what);

    mbedtls_pk_context* pk();
    // For certificates: true when its signature verifies with `issuer`.
    bool certificate_signed_by(PublicKey& issuer) const;
    std::string subject() const;  // certificate subject ("" for SRK items)

  private:
    std::unique_ptr<PkContext> own_;
    std::unique_ptr<X509Cert> cert_;
};

// The parts of a CMS SignedData that HAB checks.
struct CmsSignature {
    mbedtls_md_type_t digest = MBEDTLS_MD_SHA256;
    bool has_signed_attributes = false;
    Bytes signed_attributes;  // re-tagged as SET (0x31): the bytes the signature covers
    Bytes message_digest;
    Bytes signature;
};

// Parses a detached CMS SignedData. Throws Error(BadInput) naming the malformed part.
CmsSignature parse_cms(ByteView der);

enum class CmsResult { Ok, DigestMismatch, BadSignature };

// Checks the CMS signature over `data` with `key`.
CmsResult check_cms(const CmsSignature& cms, ByteView data, PublicKey& key);

// AES-CCM decryption check: true when `mac` authenticates `ciphertext` under `dek` and `nonce`.
bool ccm_tag_matches(ByteView dek, ByteView nonce, ByteView ciphertext, ByteView mac);

}  // namespace rtprov::hab::detail
