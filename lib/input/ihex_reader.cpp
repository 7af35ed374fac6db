// Intel HEX reader: record types 00-05, addresses from type 02 (segment) or 04 (linear) records.

#include <algorithm>
#include <optional>

#include <fmt/format.h>

#include "rtprov/input/formats.hpp"
#include "rtprov/util/error.hpp"
#include "text_records.hpp"

namespace rtprov::input {

namespace {

enum RecordType : std::uint8_t {
    kData = 0x00,
    kEndOfFile = 0x01,
    kExtendedSegmentAddress = 0x02,
    kStartSegmentAddress = 0x03,
    kExtendedLinearAddress = 0x04,
    kStartLinearAddress = 0x05,
};

// A decoded record; `data` points into the decoded bytes of the line.
struct Record {
    std::uint16_t offset = 0;
    std::uint8_t type = 0;
    ByteView data;
};

Record parse_record(const std::string& where, std::string_view line, const Bytes& bytes) {
    if (bytes.size() < 5) {
        detail::fail_record(where, line,
                            fmt::format("record too short: {} bytes, a record needs at least 5 "
                                        "(length, address, type, checksum)",
                                        bytes.size()));
    }
    const std::size_t length = bytes[0];
    if (bytes.size() - 5 != length) {
        detail::fail_record(where, line,
                            fmt::format("length field says {} data bytes but the record has {}",
                                        length, bytes.size() - 5));
    }
    const ByteView body(bytes.data(), bytes.size() - 1);
    const auto expected = static_cast<std::uint8_t>(0x100 - detail::byte_sum(body));
    if (bytes.back() != expected) {
        detail::fail_record(
            where, line,
            fmt::format("bad checksum: expected 0x{:02X}, found 0x{:02X}", expected, bytes.back()));
    }
    return Record{load_be16(&bytes[1]), bytes[3], ByteView(bytes).subspan(4, length)};
}

void expect_length(const std::string& where, std::string_view line, const Record& record,
                   std::size_t length) {
    if (record.data.size() != length) {
        detail::fail_record(where, line,
                            fmt::format("type {:02X} record must have {} data bytes, has {}",
                                        record.type, length, record.data.size()));
    }
}

}  // namespace

MemoryImage read_ihex(std::string_view text, const std::string& name) {
    MemoryImage image;
    std::uint32_t base = 0;  // from the last type 02 or 04 record
    std::optional<std::size_t> end_line;
    const auto lines = detail::split_lines(text);
    for (const auto& [number, line] : lines) {
        if (line.empty())
            continue;
        const std::string where = fmt::format("{}:{}", name, number);
        if (end_line) {
            detail::fail_record(
                where, line,
                fmt::format("data after the end-of-file record on line {}", *end_line));
        }
        if (line[0] != ':')
            detail::fail_record(where, line, "record does not start with ':'");
        const Bytes bytes = detail::decode_hex_digits(where, line, 1);
        const Record record = parse_record(where, line, bytes);
        switch (record.type) {
            case kData:
                if (record.offset + record.data.size() > 0x10000) {
                    detail::fail_record(
                        where, line,
                        fmt::format("data record runs past the end of its 64 KiB segment "
                                    "({} bytes at offset 0x{:04X} from base 0x{:08X})",
                                    record.data.size(), record.offset, base));
                }
                image.add(base + record.offset, record.data, where);
                break;
            case kEndOfFile:
                expect_length(where, line, record, 0);
                end_line = number;
                break;
            case kExtendedSegmentAddress:
                expect_length(where, line, record, 2);
                base = static_cast<std::uint32_t>(load_be16(record.data.data())) << 4;
                break;
            case kStartSegmentAddress:
                // CS:IP; objcopy writes this form for entry points below 1 MiB.
                expect_length(where, line, record, 4);
                image.entry_point =
                    (static_cast<std::uint32_t>(load_be16(record.data.data())) << 4) +
                    load_be16(record.data.data() + 2);
                break;
            case kExtendedLinearAddress:
                expect_length(where, line, record, 2);
                base = static_cast<std::uint32_t>(load_be16(record.data.data())) << 16;
                break;
            case kStartLinearAddress:
                expect_length(where, line, record, 4);
                image.entry_point = load_be32(record.data.data());
                break;
            default:
                detail::fail_record(where, line,
                                    fmt::format("unknown record type {:02X}", record.type));
        }
    }
    if (!end_line) {
        throw Error(ErrorCode::BadInput,
                    fmt::format("{}:{}: the file ends without an end-of-file record (type 01)",
                                name, std::max<std::size_t>(lines.size(), 1)));
    }
    return image;
}

}  // namespace rtprov::input
