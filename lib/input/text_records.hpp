#pragma once
// Line splitting and hex-digit decoding shared by the Intel HEX and S-record readers. Every error
// names "file:line:" and quotes the offending record.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "rtprov/util/bytes.hpp"

namespace rtprov::input::detail {

// One line of a text file: its 1-based number and its text without the line ending (LF or CRLF)
// and without trailing spaces or tabs.
struct TextLine {
    std::size_t number = 0;
    std::string_view text;
};

// Splits text into lines; a final line ending does not start an extra line.
std::vector<TextLine> split_lines(std::string_view text);

// Throws Error(BadInput) with `where: message in "record"` (long records are shortened, bytes that
// are not printable ASCII are shown as \xNN).
[[noreturn]] void fail_record(const std::string& where, std::string_view record,
                              std::string_view message);

// Decodes the hex digits of `line` from index `first` on. Throws (as fail_record) on a character
// that is not a hex digit, naming its 1-based column, or on an odd number of digits.
Bytes decode_hex_digits(const std::string& where, std::string_view line, std::size_t first);

// Sum of the bytes modulo 256, the base of both formats' checksums.
std::uint8_t byte_sum(ByteView bytes);

}  // namespace rtprov::input::detail
