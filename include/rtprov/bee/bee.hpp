#pragma once
// BEE (Bus Encryption Engine): encrypted execute-in-place from FlexSPI NOR on the RT1015..RT1064
// (the RT1010 has OTFAD instead). Formats as NXP's tools write them (SPSDK spsdk/image/bee.py):
//
//   boot device 0x400  region 0 header    0x800  region 1 header   (0x400 bytes each)
//   header + 0x00  EKIB: KIB (AES key 16 | IV 16) encrypted AES-128-ECB with the region key
//   header + 0x80  EPRDB: PRDB (256 bytes) encrypted AES-128-CBC with the KIB key and IV
//   the rest of the header is zero.
//   PRDB: "TAG_" "EHDR" | version 0x56010000 | FAC count | start | end | mode (1 = AES-CTR) |
//         lock options | nonce (16 bytes, stored byte-reversed) | 32 zero bytes | FACs at 0x50
//         (start | end | protection level | 20 zero bytes each) | zeros to 256. Integers LE.
//
// Data inside the FAC ranges is AES-128-CTR encrypted with the region key, in 1 KiB blocks; the
// counter of the 16-byte block at address A is nonce[0..11] || big-endian u32 (A >> 4). The
// region key is the user key burned into SW_GP2 (BEE_KEYn_SEL = 3) or half of the OTPMK
// (BEE_KEYn_SEL = 2), which only the device knows: there the flashloader builds the headers and
// encrypts while it writes (configure-memory with otpmk_option_block() first).

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "rtprov/device/device.hpp"
#include "rtprov/util/bytes.hpp"

namespace rtprov::bee {

using Key = std::array<std::uint8_t, 16>;

inline constexpr std::uint32_t kFlexspiBase = 0x60000000;  // boot device offset 0 when XIP
inline constexpr std::array<std::uint32_t, 2> kHeaderOffsets = {0x400, 0x800};
inline constexpr std::size_t kHeaderSize = 0x400;  // one region header slot
inline constexpr std::size_t kKibSize = 32;
inline constexpr std::size_t kPrdbOffset = 0x80;  // EPRDB within a header slot
inline constexpr std::size_t kPrdbSize = 256;
inline constexpr std::uint32_t kBlockSize = 0x400;   // FAC granularity, encryption unit
inline constexpr std::size_t kMaxFacsPerRegion = 4;  // PRDB room
inline constexpr std::size_t kMaxFacs = 3;           // FAC regions of the BEE, both regions
inline constexpr std::uint32_t kPrdbVersion = 0x56010000;
inline constexpr std::uint32_t kModeCtr = 1;

// A protected (FAC) range: 1 KiB aligned start and length.
struct Fac {
    std::uint32_t start = 0;
    std::uint32_t length = 0;
    std::uint32_t protection = 0;  // protected level 0..3
    std::uint64_t end() const { return static_cast<std::uint64_t>(start) + length; }
    bool operator==(const Fac&) const = default;
};

struct Kib {
    Key key{};
    Key iv{};
    bool operator==(const Kib&) const = default;
};

struct Prdb {
    std::uint32_t mode = kModeCtr;
    std::uint32_t lock = 0;
    Key nonce{};  // in counter order: 12 nonce bytes, then 4 zero bytes
    std::vector<Fac> facs;
    // As stored; serialize_prdb() writes the span of the FACs.
    std::uint32_t start = 0;
    std::uint32_t end = 0;
    bool operator==(const Prdb&) const = default;
};

struct RegionHeader {
    Kib kib;
    Prdb prdb;
};

// Checks a FAC list (1..4 ranges, 1 KiB aligned, no wrap, no overlap); throws Error(BadInput)
// naming `where` and the range ("region 0: FAC 1 0x60003900+0x800: start is not 1 KiB aligned").
void check_facs(std::span<const Fac> facs, const std::string& where);

// The 256-byte PRDB (start/end taken from the FACs).
Bytes serialize_prdb(const Prdb& prdb);
// Parses a decrypted PRDB; throws Error(BadInput) "<where>: PRDB offset 0x..: ..." for a wrong
// tag or version, a FAC count outside 1..4, a mode other than AES-CTR, a nonce whose last four
// bytes are not zero, non-zero reserved bytes or bad FAC ranges.
Prdb parse_prdb(ByteView data, const std::string& where);

// One 0x400-byte header slot: EKIB, EPRDB, zeros.
Bytes encrypt_header(const RegionHeader& header, const Key& region_key);
// Decrypts and parses a header slot; a wrong key shows as "<where>: ... not a BEE PRDB (tag ...)".
RegionHeader decrypt_header(ByteView slot, const Key& region_key, const std::string& where);
// True when a slot has the shape of a header (EKIB and EPRDB non-zero, the gaps zero).
bool looks_like_header(ByteView slot);

// AES-CTR over the parts of data (at `address`, 1 KiB aligned) that lie in the PRDB's FACs;
// encrypts and decrypts alike.
void crypt_data(std::span<std::uint8_t> data, std::uint32_t address, const Prdb& prdb,
                const Key& region_key);

// Where the region keys come from.
enum class KeySource {
    UserKey,  // SW_GP2 fuses (or a key register): known to the host
    Otpmk,    // the device's master key: the flashloader encrypts unless `key` is given
};

// What a project's `bee:` section asks for, per region (index 0 -> header at 0x400).
struct RegionConfig {
    std::optional<Key> key;  // user key; OTPMK mode: the OTPMK half, if known (simulator)
    std::optional<Key> kib_key, kib_iv;  // default random
    std::optional<Key> nonce;            // default random 12 bytes + 4 zero bytes
    std::uint32_t lock = 0;
    std::vector<Fac> facs;
};

struct Config {
    KeySource source = KeySource::UserKey;
    std::vector<RegionConfig> regions;  // 1 or 2
};

// One fuse field or word the chip needs for the BEE boot.
struct FuseSetting {
    std::string name;  // field ("BEE_KEY0_SEL") or word ("SW_GP2_0")
    std::string word;  // fuse word name ("BOOT_CFG1")
    std::uint32_t index = 0;
    std::uint32_t mask = 0;   // bits of the word
    std::uint32_t value = 0;  // already shifted into `mask`
    std::string description;
};

struct Region {
    std::uint32_t slot = 0;  // 0 or 1
    RegionHeader header;
    std::optional<Key> key;
};

struct Result {
    Bytes data;  // the image with headers and encrypted FACs (OTPMK without key: unchanged)
    std::vector<Region> regions;
    std::vector<FuseSetting> fuses;
    // OTPMK without key: words to place in RAM for `configure-memory 9` before writing the image
    // (option 0xE01N0000 | N FAC start/length pairs), after the FlexSPI configuration.
    std::vector<std::uint32_t> flashloader_option;
    std::vector<std::string> warnings;
};

// Applies `config` to a plain bootable image whose byte 0 is at `image_address`. With headers to
// write, the image must start at the FlexSPI base (kFlexspiBase: build with padding) and be at
// least 0x1000 bytes. Throws Error(Usage/BadInput) naming the setting at fault (part without BEE,
// no FAC, FAC outside the FlexSPI window, more than three FACs, an image without padding, ...).
Result encrypt_image(ByteView image, std::uint32_t image_address, const device::Device& device,
                     const Config& config);

// The flashloader option block that makes the flashloader build OTPMK headers and encrypt the
// FACs while writing (SPSDK _init_otpmk_bee_regions).
std::vector<std::uint32_t> otpmk_option_block(std::span<const Fac> facs);

// The fuses a configuration needs on `device` (ENCRYPTED_XIP, BEE_KEYn_SEL, SW_GP2 words).
std::vector<FuseSetting> fuse_settings(const device::Device& device, const Config& config,
                                       std::vector<std::string>* warnings = nullptr);

// What decrypt_image() finds.
struct Decrypted {
    Bytes data;  // the plain image: FACs decrypted, header slots zeroed
    std::vector<Region> regions;
};

// Which header slots of a file (starting at the FlexSPI base) hold something shaped like a BEE
// header.
std::vector<std::uint32_t> header_slots(ByteView image);

// Decrypts a BEE image that starts at the FlexSPI base: region i uses keys[i], or the last key
// when fewer keys are given. Throws Error(BadInput) naming `name` when the file holds no header or
// a header does not decrypt to a PRDB with that key.
Decrypted decrypt_image(ByteView image, std::span<const Key> keys, const std::string& name);

// Hex of a key, lower case.
std::string key_hex(const Key& key);

}  // namespace rtprov::bee
