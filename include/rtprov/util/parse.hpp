#pragma once
// Parsing of numbers as users type them: decimal, 0x-hex, 0b-binary, with optional '_' separators
// and size suffixes (k, K, M) where a size is expected.

#include <cstdint>
#include <optional>
#include <string_view>

#include "rtprov/util/bytes.hpp"

namespace rtprov {

// Parses an unsigned integer ("0x60002000", "4096", "0b101", "0x6000_2000"). Returns nullopt on any
// malformed text or overflow of 64 bits.
std::optional<std::uint64_t> parse_uint(std::string_view text);

// Parses a 32-bit address or value; throws Error(Usage) naming `what` when malformed or too big.
std::uint32_t parse_u32(std::string_view text, std::string_view what);

// Parses hex digits (optional 0x prefix, either case) into bytes; throws Error(BadInput) naming
// `what` for an odd count or a non-hex digit.
Bytes parse_hex(std::string_view text, std::string_view what);

}  // namespace rtprov
