// Motorola S-record reader: S0 header, S1/S2/S3 data, S5/S6 record count, S7/S8/S9 start address.

#include <optional>

#include <fmt/format.h>

#include "rtprov/input/formats.hpp"
#include "rtprov/util/error.hpp"
#include "text_records.hpp"

namespace rtprov::input {

namespace {

// Address field size in bytes for S0..S9; 0 marks S4, which is reserved.
constexpr std::size_t kAddressSize[10] = {2, 2, 3, 4, 0, 2, 3, 4, 3, 2};

struct Record {
    int type = 0;
    std::uint32_t address = 0;
    ByteView data;
};

// Decodes the line into `bytes`, which the returned record's data points into.
Record parse_record(const std::string& where, std::string_view line, Bytes& bytes) {
    if (line[0] != 'S')
        detail::fail_record(where, line, "record does not start with 'S'");
    if (line.size() < 2 || line[1] < '0' || line[1] > '9') {
        detail::fail_record(where, line, "invalid record type, expected S0 to S9");
    }
    const int type = line[1] - '0';
    const std::size_t address_size = kAddressSize[type];
    if (address_size == 0) {
        detail::fail_record(where, line, fmt::format("unknown record type S{}", type));
    }
    bytes = detail::decode_hex_digits(where, line, 2);
    if (bytes.empty())
        detail::fail_record(where, line, "record has no byte count");
    const std::size_t count = bytes[0];
    if (bytes.size() - 1 != count) {
        detail::fail_record(where, line,
                            fmt::format("byte count says {} bytes but the record has {} after it",
                                        count, bytes.size() - 1));
    }
    if (count < address_size + 1) {
        detail::fail_record(where, line,
                            fmt::format("byte count {} is too small for S{}: a {}-byte address and "
                                        "a checksum need {}",
                                        count, type, address_size, address_size + 1));
    }
    const ByteView body(bytes.data(), bytes.size() - 1);
    const auto expected = static_cast<std::uint8_t>(~detail::byte_sum(body));
    if (bytes.back() != expected) {
        detail::fail_record(
            where, line,
            fmt::format("bad checksum: expected 0x{:02X}, found 0x{:02X}", expected, bytes.back()));
    }
    std::uint32_t address = 0;
    for (std::size_t i = 0; i < address_size; ++i)
        address = (address << 8) | bytes[1 + i];
    return Record{type, address, body.subspan(1 + address_size)};
}

}  // namespace

MemoryImage read_srec(std::string_view text, const std::string& name) {
    MemoryImage image;
    std::uint32_t data_records = 0;
    std::optional<std::size_t> end_line;  // line of the S7/S8/S9 record
    Bytes bytes;
    for (const auto& [number, line] : detail::split_lines(text)) {
        if (line.empty())
            continue;
        const std::string where = fmt::format("{}:{}", name, number);
        if (end_line) {
            detail::fail_record(
                where, line,
                fmt::format("record after the termination record on line {}", *end_line));
        }
        const Record record = parse_record(where, line, bytes);
        switch (record.type) {
            case 0:
                break;  // header: free text, nothing to load
            case 1:
            case 2:
            case 3:
                image.add(record.address, record.data, where);
                ++data_records;
                break;
            case 5:
            case 6:
                if (record.address != data_records) {
                    detail::fail_record(where, line,
                                        fmt::format("record count mismatch: S{} says {} data "
                                                    "records but {} precede it",
                                                    record.type, record.address, data_records));
                }
                break;
            default:  // 7, 8, 9
                // The format cannot omit the start address; 0 is what writers put for "none".
                if (record.address != 0)
                    image.entry_point = record.address;
                end_line = number;
                break;
        }
    }
    return image;
}

}  // namespace rtprov::input
