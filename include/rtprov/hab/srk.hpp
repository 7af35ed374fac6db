#pragma once
// HAB4 Super Root Key (SRK) table and its fuse hash (spec/hab.md section 6). All table integers
// are big-endian; the fuse words burned into OCOTP are the hash read as little-endian u32s.

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "rtprov/util/bytes.hpp"

namespace rtprov::hab {

constexpr std::uint8_t kSrkTableTag = 0xD7;
constexpr std::uint8_t kSrkTableVersion = 0x40;
constexpr std::uint8_t kSrkKeyTag = 0xE1;       // public key item
constexpr std::uint8_t kSrkHashStubTag = 0xEE;  // hash-only stub item (revoked / placeholder)
constexpr std::uint8_t kSrkAlgRsa = 0x21;       // PKCS#1
constexpr std::uint8_t kSrkAlgEcdsa = 0x27;
constexpr std::uint8_t kSrkFlagCa = 0x80;
constexpr std::uint8_t kSrkCurveP256 = 0x4B;
constexpr std::uint8_t kSrkCurveP384 = 0x4D;
constexpr std::uint8_t kSrkCurveP521 = 0x4E;
constexpr std::size_t kSrkMaxKeys = 4;

using SrkHash = std::array<std::uint8_t, 32>;
using SrkFuseWords = std::array<std::uint32_t, 8>;

// One key of a parsed table. `item` holds the exact bytes of the item (header included), which is
// what the fuse hash covers.
struct SrkKey {
    std::uint8_t tag = kSrkKeyTag;
    std::uint8_t algorithm = kSrkAlgRsa;  // kSrkAlgRsa or kSrkAlgEcdsa
    std::uint8_t flags = 0;               // kSrkFlagCa for CA keys
    std::uint8_t curve = 0;               // ECC only: kSrkCurveP256/P384/P521
    Bytes modulus;                        // RSA: big-endian modulus; ECC: X
    Bytes exponent;                       // RSA: big-endian public exponent; ECC: Y
    Bytes item;
    std::uint32_t offset = 0;  // offset of the item inside the table
};

struct SrkTable {
    std::uint8_t version = kSrkTableVersion;
    std::vector<SrkKey> keys;
};

// The SRK table item for one X.509 certificate (DER): RSA keys as tag 0xE1 / alg 0x21, ECC keys
// (P-256/384/521) as alg 0x27 with the curve id; flags 0x80 when basicConstraints says CA.
// Throws Error(BadInput) when the DER does not parse or holds an unsupported key.
Bytes build_srk_item(ByteView certificate_der);

// The SRK table for 1..4 certificates (DER), in order, exactly as NXP's srktool / SPSDK write it.
// Throws Error(BadInput) naming "certificate N" when one is unusable, Error(Usage) for 0 or >4.
Bytes build_srk_table(std::span<const Bytes> certificate_ders,
                      std::uint8_t version = kSrkTableVersion);

// Parses an SRK table (trailing bytes after the header length are ignored). Throws
// Error(BadInput) naming the byte offset of the first malformed field.
SrkTable parse_srk_table(ByteView table);

// SHA-256 over the concatenated SHA-256 digests of every item of the table (what goes into the
// SRK fuses). Throws Error(BadInput) when the table does not parse.
SrkHash srk_fuse_hash(ByteView table);

// The eight 32-bit fuse words (SRK0..SRK7) for a fuse hash: bytes [4i, 4i+4) little-endian.
SrkFuseWords srk_fuse_words(const SrkHash& hash) noexcept;

// The inverse of srk_fuse_words (e.g. for words read back from a device).
SrkHash srk_hash_from_words(const SrkFuseWords& words) noexcept;

// Reads fuse words as typed by a user: 8 comma-separated hex words ("0x1234abcd,...", the "0x"
// optional). Throws Error(Usage) naming the malformed word.
SrkFuseWords parse_srk_fuse_words(std::string_view text);

// "0x0123abcd" for each word.
std::string format_fuse_word(std::uint32_t word);

// Lowercase hex of a hash, no separators.
std::string hash_hex(ByteView hash);

}  // namespace rtprov::hab
