#include <gtest/gtest.h>

#include "input_test_support.hpp"
#include "rtprov/input/formats.hpp"
#include "rtprov/util/file.hpp"

namespace rtprov::input {
namespace {

using test::error_of;

// The classic S19 example (as printed in the format's documentation): header, three S1 data
// records, an S5 count of 3 and an S9 start address of 0. Checksums are not ours.
constexpr std::string_view kHello =
    "S00F000068656C6C6F202020202000003C\n"
    "S11F00007C0802A6900100049421FFF07C6C1B787C8C23783C6000003863000026\n"
    "S11F001C4BFFFFE5398000007D83637880010014382100107C0803A64E800020E9\n"
    "S111003848656C6C6F20776F726C642E0A0042\n"
    "S5030003F9\n"
    "S9030000FC\n";

// Builds a record with a correct checksum.
std::string record(int type, std::uint32_t address, std::size_t address_size, const Bytes& data) {
    Bytes bytes{static_cast<std::uint8_t>(address_size + data.size() + 1)};
    for (std::size_t i = address_size; i-- > 0;) {
        bytes.push_back(static_cast<std::uint8_t>(address >> (8 * i)));
    }
    bytes.insert(bytes.end(), data.begin(), data.end());
    unsigned sum = 0;
    for (auto b : bytes)
        sum += b;
    bytes.push_back(static_cast<std::uint8_t>(~sum));
    std::string out = fmt::format("S{}", type);
    for (auto b : bytes)
        out += fmt::format("{:02X}", b);
    return out;
}

TEST(ReadSrec, ReadsS1RecordsAndChecksTheCount) {
    const auto image = read_srec(kHello, "hello.s19");
    ASSERT_EQ(image.segments().size(), 1u);
    const auto& s = image.segments()[0];
    EXPECT_EQ(s.address, 0u);
    ASSERT_EQ(s.data.size(), 0x46u);
    EXPECT_EQ(Bytes(s.data.begin(), s.data.begin() + 4), (Bytes{0x7C, 0x08, 0x02, 0xA6}));
    EXPECT_EQ(std::string(s.data.end() - 14, s.data.end()), std::string("Hello world.\n\0", 14));
    EXPECT_EQ(s.origin, "hello.s19:2");
    EXPECT_FALSE(image.entry_point);  // S9 0000 means "no start address"
}

TEST(ReadSrec, ReadsS2AndS3RecordsWithGapsAndStartAddresses) {
    const std::string text = record(2, 0x123456, 3, {1, 2}) + "\n" +
                             record(3, 0x60002000, 4, {3, 4, 5}) + "\n" +
                             record(8, 0x123457, 3, {}) + "\n";
    const auto image = read_srec(text, "a.s28");
    ASSERT_EQ(image.segments().size(), 2u);
    EXPECT_EQ(image.segments()[0].address, 0x123456u);
    EXPECT_EQ(image.segments()[1].address, 0x60002000u);
    EXPECT_EQ(image.segments()[1].data, (Bytes{3, 4, 5}));
    EXPECT_EQ(image.entry_point, 0x123457u);
    EXPECT_EQ(read_srec(record(7, 0x60002101, 4, {}), "a").entry_point, 0x60002101u);
}

TEST(ReadSrec, AcceptsCrlfBlankLinesAndAMissingTermination) {
    std::string text;
    for (char c : kHello)
        text += c == '\n' ? std::string("\r\n\r\n") : std::string(1, c);
    EXPECT_TRUE(test::same_image(read_srec(text, "a"), read_srec(kHello, "a")));
    const auto image = read_srec(record(3, 0x100, 4, {1}) + "\n", "a");  // no S7/S8/S9
    EXPECT_EQ(image.byte_count(), 1u);
}

TEST(ReadSrec, OverlappingRecordsNameBothLines) {
    const std::string text =
        record(3, 0x1000, 4, {1, 2, 3, 4}) + "\n" + record(3, 0x1003, 4, {5}) + "\n";
    EXPECT_EQ(error_of([&] { read_srec(text, "app.srec"); }),
              "app.srec:2: data at 0x00001003..0x00001003 overlaps data from app.srec:1 "
              "(0x00001000..0x00001003), first overlapping byte 0x00001003");
}

TEST(ReadSrec, RecordWithoutS) {
    EXPECT_EQ(error_of([] { read_srec("S30960002000010203046C\nX9030000FC\n", "a.srec"); }),
              "a.srec:2: record does not start with 'S' in \"X9030000FC\"");
}

TEST(ReadSrec, InvalidRecordType) {
    EXPECT_EQ(error_of([] { read_srec("SX030000FC\n", "a.srec"); }),
              "a.srec:1: invalid record type, expected S0 to S9 in \"SX030000FC\"");
    EXPECT_EQ(error_of([] { read_srec("S\n", "a.srec"); }),
              "a.srec:1: invalid record type, expected S0 to S9 in \"S\"");
}

TEST(ReadSrec, UnknownRecordTypeS4) {
    EXPECT_EQ(error_of([] { read_srec("S4030000FC\n", "a.srec"); }),
              "a.srec:1: unknown record type S4 in \"S4030000FC\"");
}

TEST(ReadSrec, InvalidCharactersAndOddDigits) {
    EXPECT_EQ(error_of([] { read_srec("S9030000FZ\n", "a.srec"); }),
              "a.srec:1: invalid hex digit 'Z' at column 10 in \"S9030000FZ\"");
    EXPECT_EQ(error_of([] { read_srec("S9030000F\n", "a.srec"); }),
              "a.srec:1: odd number of hex digits (7) after 'S9' in \"S9030000F\"");
    EXPECT_EQ(error_of([] { read_srec("S1\n", "a.srec"); }),
              "a.srec:1: record has no byte count in \"S1\"");
}

TEST(ReadSrec, ByteCountMustMatchTheRecord) {
    EXPECT_EQ(error_of([] { read_srec("S9040000FC\n", "a.srec"); }),
              "a.srec:1: byte count says 4 bytes but the record has 3 after it in \"S9040000FC\"");
    EXPECT_EQ(error_of([] { read_srec("S3030000FC\n", "a.srec"); }),
              "a.srec:1: byte count 3 is too small for S3: a 4-byte address and a checksum need 5 "
              "in \"S3030000FC\"");
}

TEST(ReadSrec, BadChecksumSaysExpectedAndFound) {
    EXPECT_EQ(error_of([] { read_srec("S9030000FD\n", "a.srec"); }),
              "a.srec:1: bad checksum: expected 0xFC, found 0xFD in \"S9030000FD\"");
}

TEST(ReadSrec, CountRecordMustMatchTheDataRecords) {
    std::string text(kHello);
    text.replace(text.find("S5030003F9"), 10, "S5030002FA");
    EXPECT_EQ(error_of([&] { read_srec(text, "hello.s19"); }),
              "hello.s19:5: record count mismatch: S5 says 2 data records but 3 precede it in "
              "\"S5030002FA\"");
    const std::string s6 = record(3, 0, 4, {1}) + "\n" + record(6, 2, 3, {}) + "\n";
    EXPECT_EQ(error_of([&] { read_srec(s6, "a.srec"); }),
              "a.srec:2: record count mismatch: S6 says 2 data records but 1 precede it in \"" +
                  record(6, 2, 3, {}) + "\"");
}

TEST(ReadSrec, RecordAfterTermination) {
    const std::string text = std::string(kHello) + "\n" + record(3, 0x100, 4, {1}) + "\n";
    EXPECT_EQ(error_of([&] { read_srec(text, "hello.s19"); }),
              "hello.s19:8: record after the termination record on line 6 in \"" +
                  record(3, 0x100, 4, {1}) + "\"");
}

// Independent check: GNU objcopy converts a binary to S-records; we must read back the same bytes.
TEST(ReadSrec, MatchesGnuObjcopy) {
    if (!test::have_tool("objcopy"))
        GTEST_SKIP() << "objcopy not installed";
    rtprov::test::TempDir dir;
    const Bytes original = test::pattern(70000, 2);
    rtprov::test::write_bytes(dir / "in.bin", original);
    ASSERT_TRUE(test::run_ok(
        fmt::format("objcopy -I binary -O srec --change-addresses 0x60002000 '{}' '{}'",
                    (dir / "in.bin").string(), (dir / "out.srec").string())));
    const auto image = read_srec(read_text_file(dir / "out.srec"), "out.srec");
    MemoryImage expected = read_binary(original, 0x60002000, "in.bin");
    expected.entry_point = 0x60002000;  // objcopy writes the start address as an S7 record
    EXPECT_TRUE(test::same_image(image, expected));
}

}  // namespace
}  // namespace rtprov::input
