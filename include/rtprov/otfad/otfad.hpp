#pragma once
// OTFAD (On-The-Fly AES Decryption): encrypted execute-in-place from FlexSPI NOR on the RT1010
// (the other RT10xx have the BEE). Formats as NXP's `nxpimage otfad` writes them for mimxrt1010
// (SPSDK spsdk/image/otfad/otfad.py; database: 4 key blobs of 64 bytes, no byte swapping):
//
//   boot device 0x000  key blob table: 4 records of 64 bytes (one per OTFAD context)
//               0x400  FCB            0x1000  IVT, boot data, app (inside the encrypted regions)
//   record: RFC 3394 wrap (with the KEK) of 40 bytes, then 16 zero bytes:
//     key 16 | counter 8 | start LE32 | end LE32 | zero 4 | CRC-32/MPEG-2 of bytes 0..31, LE32
//     end = ((end_exclusive - 1) & ~7) | 0x3F8 | flags (4 read-only, 2 decrypt (ADE), 1 valid);
//     an unused context is all zero (start, end and flags 0) and still wrapped.
//
// Data in a context's range [start, end) is AES-128-CTR encrypted with the context's key; the
// counter of the 16-byte block at address A is counter[0..8] || counter[0..4] ^ counter[4..8] ||
// big-endian u32 A. The KEK is the user key burned into SW_GP2 (OTFAD_KEY_SEL1 = 1) or a half of
// the OTPMK (OTFAD_KEY_SEL1 = 0, OTFAD_KEY_SEL0 picks [127:0] or [255:128]), which only the
// part knows: there the flashloader makes the key blobs and encrypts while it writes
// (configure-memory with otpmk_option_block() first).

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "rtprov/bee/bee.hpp"
#include "rtprov/device/device.hpp"
#include "rtprov/util/bytes.hpp"

namespace rtprov::otfad {

using Key = bee::Key;                        // AES-128 key or KEK
using Counter = std::array<std::uint8_t, 8>;  // a context's counter (CTR_W0 || CTR_W1)
using FuseSetting = bee::FuseSetting;

inline constexpr std::uint32_t kFlexspiBase = 0x60000000;  // boot device offset 0 when XIP
inline constexpr std::size_t kKeyBlobSize = 64;            // one record of the table
inline constexpr std::size_t kWrappedSize = 48;            // its RFC 3394 part
inline constexpr std::size_t kContexts = 4;                // OTFAD contexts = records
inline constexpr std::size_t kTableSize = kKeyBlobSize * kContexts;  // 256, at offset 0
inline constexpr std::uint32_t kRegionAlign = 0x400;  // context ranges are 1 KiB granular
inline constexpr std::uint32_t kLowestStart = 0x1000;  // below: key blobs and FCB, read plain
inline constexpr std::uint32_t kFlagReadOnly = 4, kFlagDecrypt = 2, kFlagValid = 1;

// One OTFAD context as its key blob holds it.
struct Context {
    Key key{};
    Counter counter{};
    std::uint32_t start = 0;  // 1 KiB aligned absolute address
    std::uint32_t end = 0;    // exclusive, 1 KiB aligned; 0 for an unused context
    std::uint32_t flags = 0;  // kFlag*
    // The core reads this range decrypted (valid and ADE).
    bool decrypts() const {
        return (flags & (kFlagValid | kFlagDecrypt)) == (kFlagValid | kFlagDecrypt);
    }
    bool operator==(const Context&) const = default;
};

// KEK scrambling (fuses OTFAD_KEY_SCRAMBLE and OTFAD_KEY_SCRAMBLE_ALIGN with
// ENB_OTFAD_KEY_SCRAMBLE): the KEK of record i has its 32-bit word ((align >> 2i) & 3) XORed with
// the little-endian bytes of `mask`.
struct Scramble {
    std::uint32_t mask = 0;
    std::uint8_t align = 0;
    bool operator==(const Scramble&) const = default;
};
Key scrambled_kek(const Key& kek, const std::optional<Scramble>& scramble, std::size_t record);

// The 40 bytes a record wraps (key, counter, start, end with flags, zero fill, CRC).
Bytes key_blob_plain(const Context& context);
// One 64-byte record.
Bytes wrap_key_blob(const Context& context, const Key& kek);
// Unwraps one record; throws Error(BadInput) "<where>: does not unwrap with this KEK ..." when
// the RFC 3394 integrity check fails, or names the field when the fields make no range.
Context unwrap_key_blob(ByteView record, const Key& kek, const std::string& where);
// True when the CRC-32 inside an unwrapped record matches its first 32 bytes.
bool key_blob_crc_ok(ByteView record, const Key& kek);

// The 256-byte table: `contexts` (at most 4) followed by unused ones.
Bytes key_blob_table(std::span<const Context> contexts, const Key& kek,
                     const std::optional<Scramble>& scramble = std::nullopt);
// All four records of a table; throws like unwrap_key_blob() naming the record.
std::vector<Context> read_key_blob_table(ByteView table, const Key& kek,
                                         const std::optional<Scramble>& scramble,
                                         const std::string& where);
// True when the first 256 bytes have the shape of a key blob table (each record 48 bytes that
// are neither all 0x00 nor all 0xFF, then 16 zero bytes).
bool looks_like_key_blob_table(ByteView image);

// AES-CTR over the parts of data (at `address`, 16-byte aligned) that lie in decrypting contexts;
// encrypts and decrypts alike.
void crypt_data(std::span<std::uint8_t> data, std::uint32_t address,
                std::span<const Context> contexts);

// Where the KEK comes from.
enum class KekSource {
    SwGp2,      // the user key burned into SW_GP2 (OTFAD_KEY_SEL1 = 1): known to the host
    OtpmkLow,   // OTPMK (SNVS key) [127:0] (OTFAD_KEY_SEL1 = 0, OTFAD_KEY_SEL0 = 0)
    OtpmkHigh,  // OTPMK [255:128] (OTFAD_KEY_SEL1 = 0, OTFAD_KEY_SEL0 = 1)
};
// "sw-gp2", "otpmk-low", "otpmk-high".
std::string_view kek_source_name(KekSource source);

// One encrypted range as a project asks for it.
struct RegionConfig {
    std::uint32_t start = 0;   // absolute, 1 KiB aligned, at or above kFlexspiBase + 0x1000
    std::uint32_t length = 0;  // 1 KiB multiple
    std::optional<Key> key;          // default random
    std::optional<Counter> counter;  // default random
    bool read_only = true;           // the context registers locked until reset (SPSDK default)
};

struct Config {
    KekSource kek_source = KekSource::SwGp2;
    // SW_GP2: the user key (required). OTPMK: the OTPMK half, if known (simulator); without it the
    // flashloader makes the key blobs and encrypts.
    std::optional<Key> kek;
    std::optional<Scramble> scramble;  // SW_GP2 only
    std::vector<RegionConfig> regions;  // 0..4; none: one from 0x60001000 to the image end
    bool lock_kek = true;  // burn SW_GP2_LOCK and SW_GP2_RLOCK after the key
};

struct Result {
    // The image with the key blob table at offset 0 and the regions encrypted; OTPMK without a
    // KEK: the plain image, unchanged (the flashloader encrypts).
    Bytes data;
    Bytes key_blobs;                // the 256-byte table at offset 0 (empty: the flashloader's)
    std::vector<Context> contexts;  // the used contexts (keys: secret); OTPMK: ranges only
    // In burn order: SW_GP2_0..3 (SW_GP2 mode), the selectors and enables, then (word "LOCK")
    // the locks, to burn once the others read back right. A setting with value 0 burns nothing:
    // its bits must read 0.
    std::vector<FuseSetting> fuses;
    // OTPMK without KEK: words to place in RAM for `configure-memory 9` after the flash is
    // configured and erased and before the FCB and the image are written (otpmk_option_block()).
    std::vector<std::uint32_t> flashloader_option;
    std::vector<std::string> warnings;
};

// Applies `config` to a plain bootable image whose byte 0 is at `image_address`. With a key blob
// table to write, the image must start at the FlexSPI base (build with padding) with its first
// 256 bytes zero. Throws Error(Usage/BadInput) naming the setting at fault (a part without OTFAD,
// a range not 1 KiB aligned, below 0x60001000, outside the FlexSPI window or overlapping, more
// than 4 ranges, no SW_GP2 key, scrambling with the OTPMK, ...).
Result encrypt_image(ByteView image, std::uint32_t image_address, const device::Device& device,
                     const Config& config);

// The fuses a configuration needs on `device` (see Result::fuses).
std::vector<FuseSetting> fuse_settings(const device::Device& device, const Config& config);

// The flashloader option block with which the RT1010 flashloader makes the key blobs with the
// OTPMK and encrypts the ranges while writing: 0xE0000000 | key source (OtpmkHigh: 1) << 12 |
// count << 8 (redundant image offset 0), then start and inclusive end per range.
std::vector<std::uint32_t> otpmk_option_block(KekSource source,
                                              std::span<const RegionConfig> regions);

// SW_GP2_0..SW_GP2_3 (addresses 0x690..0x6C0) for a KEK, as SPSDK's mimxrt1010 database burns
// it (otfad_sw_gp2: reversed): SW_GP2_0 = LE32(kek[12..16]) ... SW_GP2_3 = LE32(kek[0..4]).
std::array<std::uint32_t, 4> sw_gp2_words(const Key& kek);
Key kek_from_sw_gp2(const std::array<std::uint32_t, 4>& words);

// What decrypt_image() finds.
struct Decrypted {
    Bytes data;  // the plain image: regions decrypted, key blob table zeroed
    std::vector<Context> contexts;  // the contexts that decrypt
    bool crc_ok = true;             // every record's CRC matched
};

// Decrypts an OTFAD image that starts at the FlexSPI base. Throws Error(BadInput) naming `name`
// when there is no key blob table or a record does not unwrap with `kek`.
Decrypted decrypt_image(ByteView image, const Key& kek, const std::optional<Scramble>& scramble,
                        const std::string& name);

}  // namespace rtprov::otfad
