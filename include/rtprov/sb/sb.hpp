#pragma once
// SB 1.x ("secure binary") files: flashloader command streams that `receive-sb-file` executes
// (elftosb / SPSDK SecureBootV1, unencrypted). Layout, all integers little-endian, in 16-byte
// blocks:
//   0x00 header (96 bytes): SHA-1 of header bytes 0x14..0x5F | "STMP" | major, minor | flags |
//        image blocks | first boot tag block | first boot section id | key count | key
//        dictionary block | header blocks (6) | section count | section header size (1) |
//        2 padding bytes | "sgtl" (1.2) | timestamp (u64 microseconds since 2000-01-01 UTC) |
//        product version (3 BCD u16, byte-swapped, each followed by a zero u16) | component
//        version (same) | drive tag | 6 padding bytes
//   0x60 section table: per section id | offset (blocks) | length (blocks) | flags
//   then each section: a TAG command (id, length in blocks, flags; ROM_LAST_TAG on the last
//        bootable section) followed by its commands
//   trailer: SHA-1 of everything before it, 12 padding bytes.
// A command is 16 bytes: checksum (0x5A + bytes 1..15) | tag | flags | address | count | data;
// LOAD is followed by `count` bytes (a multiple of 16) whose CRC-32/MPEG-2 is `data`.
// Memory ids ride in the flags as the flashloader reads them: device id in bits 15..8, group
// (id >> 8) in bits 7..4.

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "rtprov/util/bytes.hpp"

namespace rtprov::sb {

inline constexpr std::size_t kBlockSize = 16;
inline constexpr std::size_t kHeaderSize = 96;
inline constexpr std::size_t kTrailerSize = 32;  // SHA-1 + 12 padding bytes

enum class Tag : std::uint8_t {
    Nop = 0x00,
    Tag = 0x01,
    Load = 0x02,
    Fill = 0x03,
    Jump = 0x04,
    Call = 0x05,
    Mode = 0x06,
    Erase = 0x07,
    Reset = 0x08,
    MemEnable = 0x09,
    Prog = 0x0A,
};

inline constexpr std::uint16_t kFlagLastTag = 0x0001;   // TAG: last section of the file
inline constexpr std::uint16_t kFlagEraseAll = 0x0001;  // ERASE: whole memory
inline constexpr std::uint16_t kFlagEraseAllUnsecure = 0x0002;
inline constexpr std::uint16_t kFlagHabExec = 0x0001;      // JUMP/CALL through HAB
inline constexpr std::uint16_t kFlagJumpSp = 0x0002;       // JUMP: count is the stack pointer
inline constexpr std::uint16_t kFlagProg8Bytes = 0x0001;   // PROG: two words
inline constexpr std::uint32_t kSectionBootable = 0x0001;  // section flags

// One command as stored. Only LOAD has a payload.
struct Command {
    Tag tag = Tag::Nop;
    std::uint16_t flags = 0;
    std::uint32_t address = 0;
    std::uint32_t count = 0;
    std::uint32_t data = 0;
    Bytes payload;
    bool operator==(const Command&) const = default;
};

// Memory id <-> command flags (device id bits 15..8, group bits 7..4).
std::uint16_t memory_flags(std::uint32_t memory_id);
std::uint32_t memory_id(std::uint16_t flags);
// Memory names as NXP's BD files and blhost use them ("flexspi-nor" 9, "semc-nor" 8, "semc-nand"
// 0x100, "spi-nand" 0x101, "spi-nor" 0x110, "sd" 0x120, "mmc" 0x121, "internal" 0,
// "fuse" 0x200); '_' and '-' alike. nullopt when unknown.
std::optional<std::uint32_t> parse_memory_name(std::string_view name);
// The name of a memory id, or its number in hex.
std::string memory_name(std::uint32_t id);

// Commands as NXP's BD statements write them. `data` of load() must be a multiple of 16 bytes
// (Error(Usage) otherwise); count and CRC are filled in.
Command load(std::uint32_t address, Bytes data, std::uint32_t memory_id = 0);
Command fill(std::uint32_t address, std::uint32_t pattern, std::uint32_t length = 4);
Command erase(std::uint32_t address, std::uint32_t length, std::uint32_t memory_id = 0);
Command erase_all(std::uint32_t memory_id);
Command enable(std::uint32_t memory_id, std::uint32_t address, std::uint32_t size);
Command jump(std::uint32_t address, std::uint32_t argument,
             std::optional<std::uint32_t> stack_pointer = std::nullopt);
Command call(std::uint32_t address, std::uint32_t argument);
Command mode(std::uint32_t value);
Command reset();
Command prog(std::uint32_t index, std::uint32_t word1, std::optional<std::uint32_t> word2,
             std::uint32_t memory_id);

struct Section {
    std::uint32_t id = 0;
    std::uint32_t flags = kSectionBootable;
    std::vector<Command> commands;
    // Parsed files only: the section table row and the TAG command's flags as stored.
    std::uint32_t table_offset = 0;
    std::uint16_t tag_flags = 0;
};

struct SbFile {
    std::uint8_t major = 1;
    std::uint8_t minor = 2;
    std::uint16_t flags = 0;
    std::uint32_t first_boot_section = 0;
    std::array<std::uint16_t, 3> product_version = {0x999, 0x999, 0x999};  // BCD
    std::array<std::uint16_t, 3> component_version = {0x999, 0x999, 0x999};
    std::uint16_t drive_tag = 0;
    std::uint64_t timestamp = 0;  // microseconds since 2000-01-01 00:00:00 UTC
    // Bytes without meaning that NXP's tools fill with random values: header 0x32..0x33 and
    // 0x5A..0x5F, and the 12 bytes after the final SHA-1. Give them to reproduce a file.
    std::array<std::uint8_t, 8> header_padding{};
    std::array<std::uint8_t, 12> trailer_padding{};
    std::vector<Section> sections;
    // Parsed files only.
    std::array<std::uint8_t, 20> digest{};
    std::array<std::uint8_t, 20> sha1{};
};

// How flash_image_section() programs a FlexSPI NOR image.
struct FlashImageOptions {
    std::uint32_t scratch = 0x2000;           // RAM for option blocks (NXP's examples: 0x2000)
    std::uint32_t flash_option = 0xC0000007;  // FlexSPI NOR option word 0 (QuadSPI, SFDP)
    bool program_fcb = false;                 // the flashloader writes the FCB (0xF000000F)
    std::vector<std::uint32_t> bee_option;    // OTPMK BEE: bee::Result::flashloader_option
    std::uint32_t window = 0x60000000;        // FlexSPI window: erased from here with an FCB
    std::uint32_t sector = 0x1000;            // erase granularity
};

// The section NXP's flow writes to program `image` at `address` (FlexSPI NOR, memory id 9):
// fill + enable the option word, erase the sectors the image (and a written FCB) cover, FCB and
// BEE option blocks when asked, then load the image (zero-padded to 16 bytes).
Section flash_image_section(std::uint32_t address, ByteView image, const FlashImageOptions& o);

// The 16 header bytes of a command with its checksum.
std::array<std::uint8_t, kBlockSize> encode_header(const Command& c);
// 0x5A + bytes 1..15 of a command header.
std::uint8_t header_checksum(ByteView block);
// CRC-32/MPEG-2 (poly 0x04C11DB7, init 0xFFFFFFFF, no reflection, no final xor).
std::uint32_t crc32_mpeg2(ByteView data, std::uint32_t crc = 0xFFFFFFFF);

// The file bytes. Throws Error(Usage) for a file without sections, a version other than 1.x,
// a LOAD payload not a multiple of 16 bytes or a first boot section that is not in the file.
Bytes serialize(const SbFile& file);

// Parses an unencrypted SB 1.x file and checks every digest, checksum, CRC, size and count.
// Throws Error(BadInput) "<name>: offset 0x..: <what>" on the first inconsistency.
SbFile parse(ByteView data, const std::string& name);

// Names for display: "LOAD", "FILL", ...; "0x0B" when unknown.
std::string tag_name(std::uint8_t tag);
// Timestamp as ISO 8601 UTC ("2020-04-24T15:33:32Z", microseconds when not zero).
std::string timestamp_text(std::uint64_t microseconds);
// Parses "YYYY-MM-DDTHH:MM:SSZ" into microseconds since 2000; throws Error(Usage) naming `what`.
std::uint64_t parse_timestamp(std::string_view text, std::string_view what);
// "999.999.999" <-> BCD words; parse throws Error(Usage) naming `what` for non-decimal parts or
// parts above 999.
std::string version_text(const std::array<std::uint16_t, 3>& bcd);
std::array<std::uint16_t, 3> parse_version(std::string_view text, std::string_view what);

}  // namespace rtprov::sb
