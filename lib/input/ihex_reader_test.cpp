#include <gtest/gtest.h>

#include "input_test_support.hpp"
#include "rtprov/input/formats.hpp"
#include "rtprov/util/file.hpp"

namespace rtprov::input {
namespace {

using test::error_of;

// Records as GNU objcopy wrote them for 0x60002000 (checksums computed by objcopy, not by us).
constexpr std::string_view kUpper6000 = ":0200000460009A";
constexpr std::string_view kData2000 = ":102000004BCBC13CFAE1659F2532AAB3301741ECB6";
constexpr std::string_view kStart60002000 = ":040000056000200077";
constexpr std::string_view kEof = ":00000001FF";
const Bytes kData2000Bytes = {0x4B, 0xCB, 0xC1, 0x3C, 0xFA, 0xE1, 0x65, 0x9F,
                              0x25, 0x32, 0xAA, 0xB3, 0x30, 0x17, 0x41, 0xEC};

// Builds a record with a correct checksum.
std::string record(std::uint8_t type, std::uint16_t offset, const Bytes& data) {
    Bytes bytes{static_cast<std::uint8_t>(data.size()), static_cast<std::uint8_t>(offset >> 8),
                static_cast<std::uint8_t>(offset), type};
    bytes.insert(bytes.end(), data.begin(), data.end());
    unsigned sum = 0;
    for (auto b : bytes)
        sum += b;
    bytes.push_back(static_cast<std::uint8_t>(0x100 - (sum & 0xFF)));
    std::string out = ":";
    for (auto b : bytes)
        out += fmt::format("{:02X}", b);
    return out;
}

std::string lines(std::initializer_list<std::string_view> records, std::string_view eol = "\n") {
    std::string out;
    for (auto r : records) {
        out += r;
        out += eol;
    }
    return out;
}

TEST(ReadIhex, ReadsDataAtExtendedLinearAddressAndStartAddress) {
    const auto image = read_ihex(lines({kUpper6000, kData2000, kStart60002000, kEof}), "app.hex");
    ASSERT_EQ(image.segments().size(), 1u);
    EXPECT_EQ(image.segments()[0].address, 0x60002000u);
    EXPECT_EQ(image.segments()[0].data, kData2000Bytes);
    EXPECT_EQ(image.segments()[0].origin, "app.hex:2");
    EXPECT_EQ(image.entry_point, 0x60002000u);
}

TEST(ReadIhex, AcceptsCrlfBlankLinesLowercaseAndTrailingBlankLines) {
    std::string lower(kData2000);
    std::transform(lower.begin(), lower.end(), lower.begin(), ::tolower);
    const std::string text =
        "\r\n" + lines({kUpper6000, "", lower, "  ", kEof}, "\r\n") + "\r\n\r\n";
    const auto image = read_ihex(text, "app.hex");
    ASSERT_EQ(image.segments().size(), 1u);
    EXPECT_EQ(image.segments()[0].address, 0x60002000u);
    EXPECT_EQ(image.segments()[0].data, kData2000Bytes);
    EXPECT_EQ(image.segments()[0].origin, "app.hex:4");
    EXPECT_FALSE(image.entry_point);
}

TEST(ReadIhex, ExtendedSegmentAddressAndStartSegmentAddress) {
    const auto image = read_ihex(lines({record(0x02, 0, {0x10, 0x00}), record(0x00, 0x10, {1, 2}),
                                        record(0x03, 0, {0x10, 0x00, 0x02, 0x34}), kEof}),
                                 "a.hex");
    ASSERT_EQ(image.segments().size(), 1u);
    EXPECT_EQ(image.segments()[0].address, 0x10010u);
    EXPECT_EQ(image.entry_point, 0x10234u);  // CS * 16 + IP
}

TEST(ReadIhex, KeepsGapsAsSeparateSegmentsAndMergesContiguousRecords) {
    const auto image =
        read_ihex(lines({record(0x00, 0x0000, {1, 2}), record(0x00, 0x0002, {3}),
                         record(0x04, 0, {0x00, 0x01}), record(0x00, 0x0000, {4}), kEof}),
                  "a.hex");
    ASSERT_EQ(image.segments().size(), 2u);
    EXPECT_EQ(image.segments()[0].address, 0x0u);
    EXPECT_EQ(image.segments()[0].data, (Bytes{1, 2, 3}));
    EXPECT_EQ(image.segments()[1].address, 0x10000u);
    EXPECT_EQ(image.segments()[1].origin, "a.hex:4");
}

TEST(ReadIhex, OverlappingRecordsNameBothLines) {
    const std::string text = lines(
        {kUpper6000, kData2000, record(0x00, 0x3000, {9}), record(0x00, 0x200F, {1, 2}), kEof});
    EXPECT_EQ(error_of([&] { read_ihex(text, "app.hex"); }),
              "app.hex:4: data at 0x6000200F..0x60002010 overlaps data from app.hex:2 "
              "(0x60002000..0x6000200F), first overlapping byte 0x6000200F");
}

TEST(ReadIhex, RecordWithoutColon) {
    EXPECT_EQ(error_of([] {
                  read_ihex(lines({kUpper6000, "102000004BCB", kEof}), "app.hex");
              }),
              "app.hex:2: record does not start with ':' in \"102000004BCB\"");
}

TEST(ReadIhex, InvalidHexDigitNamesTheColumn) {
    EXPECT_EQ(error_of([] { read_ihex(":0200G00460009A\n", "app.hex"); }),
              "app.hex:1: invalid hex digit 'G' at column 6 in \":0200G00460009A\"");
    EXPECT_EQ(error_of([] { read_ihex(std::string(":02\x01", 4), "app.hex"); }),
              "app.hex:1: invalid hex digit \\x01 at column 4 in \":02\\x01\"");
}

TEST(ReadIhex, OddNumberOfDigits) {
    EXPECT_EQ(error_of([] { read_ihex(":0200000460009\n", "app.hex"); }),
              "app.hex:1: odd number of hex digits (13) after ':' in \":0200000460009\"");
}

TEST(ReadIhex, RecordTooShort) {
    EXPECT_EQ(error_of([] { read_ihex(":0000FF\n", "app.hex"); }),
              "app.hex:1: record too short: 3 bytes, a record needs at least 5 (length, address, "
              "type, checksum) in \":0000FF\"");
}

TEST(ReadIhex, LengthMismatch) {
    EXPECT_EQ(
        error_of([] { read_ihex(":02200000AA55\n", "app.hex"); }),
        "app.hex:1: length field says 2 data bytes but the record has 1 in \":02200000AA55\"");
}

TEST(ReadIhex, BadChecksumSaysExpectedAndFound) {
    EXPECT_EQ(error_of([] {
                  read_ihex(lines({":0200000460009B", kEof}), "app.hex");
              }),
              "app.hex:1: bad checksum: expected 0x9A, found 0x9B in \":0200000460009B\"");
}

TEST(ReadIhex, LongRecordsAreShortenedInMessages) {
    std::string rec = record(0x00, 0, Bytes(32, 0x11));
    rec.back() = rec.back() == '0' ? '1' : '0';
    const std::string message = error_of([&] { read_ihex(rec + "\n", "app.hex"); });
    EXPECT_EQ(message.substr(message.size() - 62), "\":" + rec.substr(1, 56) + "...\"");
}

TEST(ReadIhex, UnknownRecordType) {
    EXPECT_EQ(error_of([] {
                  read_ihex(lines({record(0x06, 0, {}), kEof}), "app.hex");
              }),
              "app.hex:1: unknown record type 06 in \":00000006FA\"");
}

TEST(ReadIhex, AddressRecordsMustHaveTheirLength) {
    EXPECT_EQ(error_of([] {
                  read_ihex(lines({record(0x04, 0, {0x60}), kEof}), "app.hex");
              }),
              "app.hex:1: type 04 record must have 2 data bytes, has 1 in \":01000004609B\"");
    EXPECT_EQ(error_of([] {
                  read_ihex(lines({record(0x05, 0, {1, 2}), kEof}), "app.hex");
              }),
              "app.hex:1: type 05 record must have 4 data bytes, has 2 in \":020000050102F6\"");
    EXPECT_EQ(error_of([] {
                  read_ihex(lines({record(0x01, 0, {0}), kEof}), "app.hex");
              }),
              "app.hex:1: type 01 record must have 0 data bytes, has 1 in \":0100000100FE\"");
}

TEST(ReadIhex, DataAfterEndOfFileRecord) {
    EXPECT_EQ(error_of([] {
                  read_ihex(lines({kEof, "", kUpper6000}), "app.hex");
              }),
              "app.hex:3: data after the end-of-file record on line 1 in \":0200000460009A\"");
}

TEST(ReadIhex, MissingEndOfFileRecord) {
    EXPECT_EQ(error_of([] {
                  read_ihex(lines({kUpper6000, kData2000}), "app.hex");
              }),
              "app.hex:2: the file ends without an end-of-file record (type 01)");
    EXPECT_EQ(error_of([] { read_ihex("", "empty.hex"); }),
              "empty.hex:1: the file ends without an end-of-file record (type 01)");
}

TEST(ReadIhex, RecordsMayNotWrapPastTheirSegment) {
    const std::string rec = record(0x00, 0xFFF8, Bytes(16, 0));
    EXPECT_EQ(error_of([&] {
                  read_ihex(lines({kUpper6000, rec, kEof}), "app.hex");
              }),
              "app.hex:2: data record runs past the end of its 64 KiB segment (16 bytes at offset "
              "0xFFF8 from base 0x60000000) in \"" +
                  rec + "\"");
    // Ending exactly at the boundary is fine.
    EXPECT_NO_THROW(read_ihex(lines({kUpper6000, record(0x00, 0xFFF0, Bytes(16, 0)), kEof}), "a"));
}

// Independent check: GNU objcopy converts a binary to Intel HEX; we must read back the same bytes.
TEST(ReadIhex, MatchesGnuObjcopy) {
    if (!test::have_tool("objcopy"))
        GTEST_SKIP() << "objcopy not installed";
    rtprov::test::TempDir dir;
    const Bytes original = test::pattern(70000);  // crosses 0x60010000: needs a second 04 record
    rtprov::test::write_bytes(dir / "in.bin", original);
    ASSERT_TRUE(test::run_ok(
        fmt::format("objcopy -I binary -O ihex --change-addresses 0x60002000 '{}' '{}'",
                    (dir / "in.bin").string(), (dir / "out.hex").string())));
    const auto image = read_ihex(read_text_file(dir / "out.hex"), "out.hex");
    MemoryImage expected = read_binary(original, 0x60002000, "in.bin");
    expected.entry_point = 0x60002000;  // objcopy writes the start address as a type 05 record
    EXPECT_TRUE(test::same_image(image, expected));
}

}  // namespace
}  // namespace rtprov::input
