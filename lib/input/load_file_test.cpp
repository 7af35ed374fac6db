#include <gtest/gtest.h>

#include "input_test_support.hpp"
#include "rtprov/input/formats.hpp"

namespace rtprov::input {
namespace {

using rtprov::test::TempDir;
using rtprov::test::write_bytes;
using rtprov::test::write_text;
using test::bytes_of;
using test::error_of;

constexpr std::string_view kHex = ":0200000460009A\n:0420000001020304D2\n:00000001FF\n";

TEST(FormatNames, ParseAndPrintTheSameNames) {
    for (Format f : {Format::Auto, Format::Elf, Format::IntelHex, Format::Srec, Format::Binary}) {
        EXPECT_EQ(parse_format(format_name(f)), f);
    }
    EXPECT_EQ(format_name(Format::IntelHex), "hex");
    EXPECT_EQ(format_name(Format::Binary), "bin");
    EXPECT_FALSE(parse_format("ihex"));
    EXPECT_FALSE(parse_format("ELF"));
    EXPECT_FALSE(parse_format(""));
}

TEST(DetectFormat, ContentComesFirst) {
    const Bytes elf = {0x7F, 'E', 'L', 'F', 1};
    EXPECT_EQ(detect_format("app.bin", elf), Format::Elf);
    EXPECT_EQ(detect_format("app.bin", bytes_of(kHex)), Format::IntelHex);
    EXPECT_EQ(detect_format("app.bin", bytes_of("\r\n  \n:00000001FF")), Format::IntelHex);
    EXPECT_EQ(detect_format("app.hex", bytes_of("S0030000FC\n")), Format::Srec);
    EXPECT_EQ(detect_format("x", bytes_of(":garbage")), Format::IntelHex);  // then a parse error
}

TEST(DetectFormat, FallsBackToTheExtensionThenBinary) {
    const Bytes data = {0x00, 0x10, 0x00, 0x20};
    EXPECT_EQ(detect_format("a.HEX", data), Format::IntelHex);
    EXPECT_EQ(detect_format("a.ihex", data), Format::IntelHex);
    for (const char* name : {"a.srec", "a.s19", "a.s28", "a.s37", "a.mot"}) {
        EXPECT_EQ(detect_format(name, data), Format::Srec) << name;
    }
    for (const char* name : {"a.elf", "a.axf", "a.out"}) {
        EXPECT_EQ(detect_format(name, data), Format::Elf) << name;
    }
    EXPECT_EQ(detect_format("a.bin", data), Format::Binary);
    EXPECT_EQ(detect_format("firmware", data), Format::Binary);
    // Binary that starts like a record but is not text on its first line.
    EXPECT_EQ(detect_format("fw", Bytes{':', '1', 0x00, 0xFF}), Format::Binary);
    EXPECT_EQ(detect_format("fw", Bytes{'S', '1', 0x80}), Format::Binary);
    EXPECT_EQ(detect_format("fw", bytes_of("Sx")), Format::Binary);
}

TEST(LoadFile, LoadsEachFormat) {
    TempDir dir;
    write_text(dir / "a.txt", std::string(kHex));
    write_text(dir / "b.txt", "S30960002000010203046C\nS705600020007A\n");
    write_bytes(dir / "c.dat", Bytes{1, 2, 3, 4});
    const MemoryImage hex = load_file(dir / "a.txt");
    EXPECT_EQ(hex.start(), 0x60002000u);
    EXPECT_EQ(hex.segments()[0].data, (Bytes{1, 2, 3, 4}));
    const MemoryImage srec = load_file(dir / "b.txt");
    EXPECT_EQ(srec.segments()[0].data, (Bytes{1, 2, 3, 4}));
    EXPECT_EQ(srec.entry_point, 0x60002000u);
    const MemoryImage bin = load_file(dir / "c.dat", Format::Auto, 0x60002000);
    EXPECT_TRUE(test::same_image(bin, hex));
    // An explicit format overrides detection.
    EXPECT_EQ(load_file(dir / "a.txt", Format::Binary, 0x100).byte_count(), kHex.size());
}

TEST(LoadFile, ErrorsNameTheFile) {
    TempDir dir;
    write_text(dir / "bad.hex", ":0200000460009B\n:00000001FF\n");
    EXPECT_EQ(error_of([&] { load_file(dir / "bad.hex"); }),
              (dir / "bad.hex").string() +
                  ":1: bad checksum: expected 0x9A, found 0x9B in \":0200000460009B\"");
    EXPECT_EQ(test::error_code_of([&] { load_file(dir / "missing.hex"); }), ErrorCode::BadInput);
}

TEST(LoadFile, ABinaryNeedsABaseAddress) {
    TempDir dir;
    write_bytes(dir / "app.bin", Bytes{1, 2, 3, 4});
    const auto path = dir / "app.bin";
    EXPECT_EQ(error_of([&] { load_file(path); }),
              path.string() + ": a raw binary needs a base address (--app-address)");
    EXPECT_EQ(test::error_code_of([&] { load_file(path); }), ErrorCode::Usage);
    write_bytes(dir / "empty.bin", {});
    EXPECT_EQ(error_of([&] { load_file(dir / "empty.bin", Format::Auto, 0); }),
              (dir / "empty.bin").string() + ": file is empty");
}

TEST(LoadFile, ABaseAddressMustMatchTheFile) {
    TempDir dir;
    const auto path = dir / "app.hex";
    write_text(path, std::string(kHex));
    EXPECT_EQ(load_file(path, Format::Auto, 0x60002000).start(), 0x60002000u);
    EXPECT_EQ(error_of([&] { load_file(path, Format::Auto, 0x60000000); }),
              path.string() +
                  ": base address 0x60000000 (--app-address) differs from 0x60002000, where the "
                  "hex file places its first byte; omit it or give 0x60002000");
    EXPECT_EQ(test::error_code_of([&] { load_file(path, Format::Auto, 0x60000000); }),
              ErrorCode::Usage);
}

TEST(LoadFile, AnImageWithoutDataIsAnError) {
    TempDir dir;
    write_text(dir / "empty.hex", ":00000001FF\n");
    write_text(dir / "empty.srec", "S0030000FC\nS70500000000FA\n");
    EXPECT_EQ(error_of([&] { load_file(dir / "empty.hex"); }),
              (dir / "empty.hex").string() + ": the hex file holds no data to load");
    EXPECT_EQ(test::error_code_of([&] { load_file(dir / "empty.hex"); }), ErrorCode::BadInput);
    EXPECT_EQ(error_of([&] { load_file(dir / "empty.srec"); }),
              (dir / "empty.srec").string() + ": the srec file holds no data to load");
}

}  // namespace
}  // namespace rtprov::input
