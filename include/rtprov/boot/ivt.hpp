#pragma once
// Image Vector Table and Boot Data: the 32-byte records the boot ROM reads first. The HAB header is
// big-endian (tag, u16 length, version); every other field is a little-endian u32.

#include <cstdint>
#include <string>

#include "rtprov/util/bytes.hpp"

namespace rtprov::boot {

inline constexpr std::uint8_t kIvtTag = 0xD1;
inline constexpr std::uint8_t kCsfTag = 0xD4;
inline constexpr std::size_t kIvtSize = 0x20;
inline constexpr std::size_t kBootDataSize = 0x20;  // 12 bytes of fields, zero padded
inline constexpr std::size_t kDcdOffsetFromIvt = kIvtSize + kBootDataSize;

struct Ivt {
    std::uint8_t version = 0x40;
    std::uint32_t entry = 0;
    std::uint32_t reserved1 = 0;
    std::uint32_t dcd = 0;        // absolute address of the DCD, 0 when none
    std::uint32_t boot_data = 0;  // absolute address of the boot data (self + 0x20)
    std::uint32_t self = 0;       // absolute address of this IVT
    std::uint32_t csf = 0;        // absolute address of the CSF, 0 when unsigned
    std::uint32_t reserved2 = 0;
};

struct BootData {
    std::uint32_t start = 0;   // absolute address of the first byte of the boot image
    std::uint32_t length = 0;  // bytes the ROM loads, counted from `start`
    std::uint32_t plugin = 0;  // 1 for a plugin image
};

// 32 bytes: header D1 00 20 <version> then seven LE words.
Bytes serialize(const Ivt& ivt);
// 32 bytes: three LE words then zero padding.
Bytes serialize(const BootData& bd);

// True when `data` (at least 4 bytes) starts with an IVT header (tag D1, length 0x20, version
// 0x40..0x4F).
bool looks_like_ivt(ByteView data);

// Parses an IVT at data[0..32). Throws Error(BadInput) naming `where` (e.g. "image.bin: offset
// 0x1000") when the header is not an IVT header or fewer than 32 bytes remain.
Ivt parse_ivt(ByteView data, const std::string& where);
// Parses boot data at data[0..12); same error convention.
BootData parse_boot_data(ByteView data, const std::string& where);

}  // namespace rtprov::boot
