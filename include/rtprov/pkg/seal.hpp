#pragma once
// A package's secrets (HAB DEKs, BEE/OTFAD user keys) at rest: sealed to one or more stations'
// public keys, opened only by a station holding one of the private keys.
//
// Scheme "ECIES-P256-HKDF-SHA256-AES-256-GCM" (docs/package-format.md, "Sealed secrets"): the
// secrets are serialized once and encrypted with a random 256-bit content key (AES-256-GCM,
// 96-bit random nonce); for each recipient an ephemeral P-256 key pair is made, the ECDH shared
// secret with the station's public key goes through HKDF-SHA256 (salt: the ephemeral public
// key, info: "rtprov sealed secrets v1" || station key id) to a key-encryption key, which wraps
// the content key with AES-256-GCM. A station key's id is the first 16 hex digits of the SHA-256
// of its DER SubjectPublicKeyInfo.
//
// The secrets file is JSON (secrets/sealed.json); its plain variant (scheme "plain", only with
// `export-pkg --insecure-plain-secrets`) holds the values in hex and says so.

#include <filesystem>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "rtprov/util/bytes.hpp"

namespace rtprov::pkg {

inline constexpr std::string_view kSealScheme = "ECIES-P256-HKDF-SHA256-AES-256-GCM";
inline constexpr std::string_view kPlainScheme = "plain";

// One named secret: "hab-dek", "bee-key0", "fuse:SW_GP2_0", ...
struct Secret {
    std::string name;
    Bytes value;
};

// A station's public key, as `rtprov station keygen` writes it (PEM SubjectPublicKeyInfo).
struct StationPublicKey {
    std::string id;     // 16 hex digits
    std::string label;  // the station's name, from the key file's comment or its file name
    Bytes der;          // SubjectPublicKeyInfo
};

// A station's private key (EC P-256, PEM). Holds the key bytes: never print it.
struct StationPrivateKey {
    std::string id;  // of its public key
    std::string label;
    Bytes der;  // the private key, DER
};

// A new station key pair; `label` names the station in packages sealed to it.
struct StationKeyPair {
    StationPrivateKey private_key;
    StationPublicKey public_key;
    std::string private_pem;  // write with FileAccess::Owner (0600)
    std::string public_pem;
};
StationKeyPair generate_station_keys(const std::string& label);

// Reads key files; Error(BadInput) naming the file when it holds no P-256 key of that kind,
// Error(Io) when it cannot be read.
StationPublicKey load_station_public_key(const std::filesystem::path& file);
StationPrivateKey load_station_private_key(const std::filesystem::path& file);

// The secrets file sealed to `recipients` (at least one; Error(Usage) otherwise).
std::string seal_secrets(std::span<const Secret> secrets,
                         std::span<const StationPublicKey> recipients);
// The plain secrets file (--insecure-plain-secrets).
std::string plain_secrets(std::span<const Secret> secrets);

// What a secrets file says about itself, without opening it.
struct SecretsInfo {
    std::string scheme;  // kSealScheme or kPlainScheme
    struct Recipient {
        std::string id;
        std::string label;
    };
    std::vector<Recipient> recipients;  // empty when plain
    std::vector<std::string> names;     // the secrets' names, in order
};
// Error(BadInput) "WHERE: FIELD: ..." for a malformed file.
SecretsInfo describe_secrets(std::string_view text, const std::string& where);

// The secrets, opened with `key`. Error(Verification) "WHERE: sealed to station(s) LABEL (ID),
// ...; this station's key is LABEL (ID)" when the file is not sealed to this key;
// Error(Verification) when authentication fails (a tampered file). A plain file opens without a
// key (`key` may be null).
std::vector<Secret> open_secrets(std::string_view text, const StationPrivateKey* key,
                                 const std::string& where);

}  // namespace rtprov::pkg
