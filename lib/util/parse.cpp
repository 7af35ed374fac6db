#include "rtprov/util/parse.hpp"

#include <fmt/format.h>

#include "rtprov/util/error.hpp"

namespace rtprov {

std::optional<std::uint64_t> parse_uint(std::string_view text) {
    unsigned base = 10;
    if (text.size() > 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) {
        base = 16;
        text.remove_prefix(2);
    } else if (text.size() > 2 && text[0] == '0' && (text[1] == 'b' || text[1] == 'B')) {
        base = 2;
        text.remove_prefix(2);
    }
    if (text.empty() || text.front() == '_' || text.back() == '_')
        return std::nullopt;
    std::uint64_t value = 0;
    for (char c : text) {
        if (c == '_')
            continue;
        unsigned digit;
        if (c >= '0' && c <= '9') {
            digit = static_cast<unsigned>(c - '0');
        } else if (c >= 'a' && c <= 'f') {
            digit = static_cast<unsigned>(c - 'a' + 10);
        } else if (c >= 'A' && c <= 'F') {
            digit = static_cast<unsigned>(c - 'A' + 10);
        } else {
            return std::nullopt;
        }
        if (digit >= base)
            return std::nullopt;
        if (value > (UINT64_MAX - digit) / base)
            return std::nullopt;
        value = value * base + digit;
    }
    return value;
}

std::uint32_t parse_u32(std::string_view text, std::string_view what) {
    auto v = parse_uint(text);
    if (!v) {
        throw Error(ErrorCode::Usage, fmt::format("{}: '{}' is not a number", what, text));
    }
    if (*v > UINT32_MAX) {
        throw Error(ErrorCode::Usage, fmt::format("{}: {} does not fit in 32 bits", what, text));
    }
    return static_cast<std::uint32_t>(*v);
}

Bytes parse_hex(std::string_view text, std::string_view what) {
    if (text.starts_with("0x") || text.starts_with("0X"))
        text.remove_prefix(2);
    if (text.size() % 2 != 0)
        throw Error(ErrorCode::BadInput, fmt::format("{}: odd number of hex digits", what));
    const auto digit = [](char c) -> int {
        if (c >= '0' && c <= '9')
            return c - '0';
        if (c >= 'a' && c <= 'f')
            return c - 'a' + 10;
        if (c >= 'A' && c <= 'F')
            return c - 'A' + 10;
        return -1;
    };
    Bytes out;
    out.reserve(text.size() / 2);
    for (std::size_t i = 0; i < text.size(); i += 2) {
        const int hi = digit(text[i]);
        const int lo = digit(text[i + 1]);
        if (hi < 0 || lo < 0)
            throw Error(ErrorCode::BadInput, fmt::format("{}: '{}' is not hex", what, text));
        out.push_back(static_cast<std::uint8_t>(hi << 4 | lo));
    }
    return out;
}

}  // namespace rtprov
