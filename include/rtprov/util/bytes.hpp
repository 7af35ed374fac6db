#pragma once
// Byte buffers and explicit-endian integer access. Every wire or file format in rtprov reads and
// writes its fields through these, never by casting packed structs over raw buffers.

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace rtprov {

using Bytes = std::vector<std::uint8_t>;
using ByteView = std::span<const std::uint8_t>;

constexpr std::uint16_t load_le16(const std::uint8_t* p) noexcept {
    return static_cast<std::uint16_t>(p[0] | (p[1] << 8));
}
constexpr std::uint32_t load_le32(const std::uint8_t* p) noexcept {
    return static_cast<std::uint32_t>(p[0]) | (static_cast<std::uint32_t>(p[1]) << 8) |
           (static_cast<std::uint32_t>(p[2]) << 16) | (static_cast<std::uint32_t>(p[3]) << 24);
}
constexpr std::uint16_t load_be16(const std::uint8_t* p) noexcept {
    return static_cast<std::uint16_t>((p[0] << 8) | p[1]);
}
constexpr std::uint32_t load_be32(const std::uint8_t* p) noexcept {
    return (static_cast<std::uint32_t>(p[0]) << 24) | (static_cast<std::uint32_t>(p[1]) << 16) |
           (static_cast<std::uint32_t>(p[2]) << 8) | static_cast<std::uint32_t>(p[3]);
}
constexpr std::uint64_t load_le64(const std::uint8_t* p) noexcept {
    return static_cast<std::uint64_t>(load_le32(p)) |
           (static_cast<std::uint64_t>(load_le32(p + 4)) << 32);
}
constexpr std::uint64_t load_be64(const std::uint8_t* p) noexcept {
    return (static_cast<std::uint64_t>(load_be32(p)) << 32) | load_be32(p + 4);
}

constexpr void store_le16(std::uint8_t* p, std::uint16_t v) noexcept {
    p[0] = static_cast<std::uint8_t>(v);
    p[1] = static_cast<std::uint8_t>(v >> 8);
}
constexpr void store_le32(std::uint8_t* p, std::uint32_t v) noexcept {
    for (int i = 0; i < 4; ++i)
        p[i] = static_cast<std::uint8_t>(v >> (8 * i));
}
constexpr void store_be16(std::uint8_t* p, std::uint16_t v) noexcept {
    p[0] = static_cast<std::uint8_t>(v >> 8);
    p[1] = static_cast<std::uint8_t>(v);
}
constexpr void store_be32(std::uint8_t* p, std::uint32_t v) noexcept {
    for (int i = 0; i < 4; ++i)
        p[i] = static_cast<std::uint8_t>(v >> (24 - 8 * i));
}

// Appends integers to a growing buffer.
inline void append_le32(Bytes& out, std::uint32_t v) {
    std::uint8_t b[4];
    store_le32(b, v);
    out.insert(out.end(), b, b + 4);
}
inline void append_be32(Bytes& out, std::uint32_t v) {
    std::uint8_t b[4];
    store_be32(b, v);
    out.insert(out.end(), b, b + 4);
}
inline void append_be16(Bytes& out, std::uint16_t v) {
    std::uint8_t b[2];
    store_be16(b, v);
    out.insert(out.end(), b, b + 2);
}

// Rounds v up to a multiple of `align` (a power of two or any positive value).
constexpr std::uint64_t align_up(std::uint64_t v, std::uint64_t align) noexcept {
    return (v + align - 1) / align * align;
}

}  // namespace rtprov
