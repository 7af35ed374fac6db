#pragma once
// The secrets file's JSON (sealed and plain) and the serialized secrets inside the ciphertext;
// the cryptography is in seal.cpp.

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "rtprov/pkg/seal.hpp"
#include "rtprov/util/bytes.hpp"

namespace rtprov::pkg::seal_detail {

inline constexpr std::size_t kNonceSize = 12;  // AES-GCM nonce
inline constexpr std::size_t kTagSize = 16;    // AES-GCM tag
inline constexpr std::size_t kPointSize = 65;  // uncompressed P-256 point
inline constexpr std::size_t kMaxRecipients = 64;
inline constexpr std::size_t kMaxSecrets = 256;
inline constexpr std::size_t kMaxNameSize = 100;
inline constexpr std::size_t kMaxValueSize = 1024;

struct SealedFile {
    struct Recipient {
        std::string id;
        std::string label;
        Bytes ephemeral_public_key;  // kPointSize
        Bytes nonce;                 // kNonceSize
        Bytes wrapped_key;           // 32 + kTagSize
    };
    std::vector<Recipient> recipients;
    Bytes nonce;       // kNonceSize
    Bytes ciphertext;  // serialized secrets + kTagSize
    std::vector<std::string> names;
};

struct ParsedSecrets {
    bool plain = false;
    SealedFile sealed;                  // when !plain
    std::vector<Secret> plain_secrets;  // when plain
};

// Throws Error(BadInput) for secrets that cannot be sealed: none, more than kMaxSecrets, a name
// empty, longer than kMaxNameSize, with control characters or given twice, a value empty or
// longer than kMaxValueSize.
void check_secrets(std::span<const Secret> secrets);

// The plaintext that is sealed: u32 BE count, then per secret u16 BE name length, name, u32 BE
// value length, value.
Bytes serialize_secrets(std::span<const Secret> secrets);
// Its inverse; Error(Verification) "WHERE: ..." when malformed (it authenticated, so a bug in
// the sealer).
std::vector<Secret> parse_serialized_secrets(ByteView data, const std::string& where);

// The additional data the ciphertext is sealed with: the compact JSON {"scheme", "names",
// "recipients"} as the file holds them, keys in that order.
std::string content_aad(const SealedFile& file);

std::string format_sealed(const SealedFile& file);
std::string format_plain(std::span<const Secret> secrets);

// Reads either kind of secrets file; Error(BadInput) "WHERE: FIELD: ..." when malformed.
ParsedSecrets parse_secrets_file(std::string_view text, const std::string& where);

}  // namespace rtprov::pkg::seal_detail
