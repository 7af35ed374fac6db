#pragma once
// The optional package signature: zip entry manifest.sig beside manifest.json. The manifest holds
// the SHA-256 of every other file, so signing its exact bytes signs the whole package. Format:
//   {"algorithm": "rsa-pkcs1-sha256" | "ecdsa-sha256",
//    "key_sha256": "<SHA-256 of the signer's DER SubjectPublicKeyInfo, 64 hex>",
//    "signature": "<hex>"}
// A reader configured with trust keys (--trust-key / RTPROV_TRUST_KEY) refuses an unsigned
// package and one signed by any other key.

#include <string>
#include <string_view>

#include "rtprov/hab/key_io.hpp"
#include "rtprov/util/bytes.hpp"

namespace rtprov::pkg {

inline constexpr std::string_view kSignatureName = "manifest.sig";

struct ManifestSignature {
    std::string algorithm;
    std::string key_sha256;
    Bytes signature;
};

// SHA-256 of a DER public key, lower-case hex: how keys are named in messages.
std::string key_fingerprint(ByteView public_key_der);

// manifest.sig text signing `manifest_text` with `key`.
std::string sign_manifest(std::string_view manifest_text, const hab::PrivateKey& key);

// Parses manifest.sig; Error(BadInput) "manifest.sig: FIELD: ..." when malformed.
ManifestSignature parse_signature(std::string_view text);

}  // namespace rtprov::pkg
