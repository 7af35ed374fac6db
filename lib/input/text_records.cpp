#include "text_records.hpp"

#include <fmt/format.h>

#include "rtprov/util/error.hpp"

namespace rtprov::input::detail {

namespace {

constexpr std::size_t kMaxQuoted = 60;

bool is_printable(char c) {
    return c >= 0x20 && c < 0x7F;
}

std::string quote(std::string_view record) {
    std::string out;
    const bool shorten = record.size() > kMaxQuoted;
    for (char c : shorten ? record.substr(0, kMaxQuoted - 3) : record) {
        if (is_printable(c)) {
            out += c;
        } else {
            out += fmt::format("\\x{:02X}", static_cast<unsigned char>(c));
        }
    }
    if (shorten)
        out += "...";
    return out;
}

int hex_value(char c) {
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

}  // namespace

std::vector<TextLine> split_lines(std::string_view text) {
    std::vector<TextLine> lines;
    std::size_t pos = 0;
    while (pos < text.size()) {
        std::size_t end = text.find('\n', pos);
        if (end == std::string_view::npos)
            end = text.size();
        std::string_view line = text.substr(pos, end - pos);
        // CR of a CRLF ending, and trailing blanks some editors leave behind.
        while (!line.empty() &&
               (line.back() == '\r' || line.back() == ' ' || line.back() == '\t')) {
            line.remove_suffix(1);
        }
        lines.push_back(TextLine{lines.size() + 1, line});
        pos = end + 1;
    }
    return lines;
}

void fail_record(const std::string& where, std::string_view record, std::string_view message) {
    throw Error(ErrorCode::BadInput,
                fmt::format("{}: {} in \"{}\"", where, message, quote(record)));
}

Bytes decode_hex_digits(const std::string& where, std::string_view line, std::size_t first) {
    for (std::size_t i = first; i < line.size(); ++i) {
        if (hex_value(line[i]) >= 0)
            continue;
        const std::string shown =
            is_printable(line[i]) ? fmt::format("'{}'", line[i])
                                  : fmt::format("\\x{:02X}", static_cast<unsigned char>(line[i]));
        fail_record(where, line, fmt::format("invalid hex digit {} at column {}", shown, i + 1));
    }
    const std::size_t digits = line.size() - first;
    if (digits % 2 != 0) {
        fail_record(
            where, line,
            fmt::format("odd number of hex digits ({}) after '{}'", digits, line.substr(0, first)));
    }
    Bytes bytes(digits / 2);
    for (std::size_t i = 0; i < bytes.size(); ++i) {
        bytes[i] = static_cast<std::uint8_t>(hex_value(line[first + 2 * i]) * 16 +
                                             hex_value(line[first + 2 * i + 1]));
    }
    return bytes;
}

std::uint8_t byte_sum(ByteView bytes) {
    unsigned sum = 0;
    for (std::uint8_t b : bytes)
        sum += b;
    return static_cast<std::uint8_t>(sum);
}

}  // namespace rtprov::input::detail
