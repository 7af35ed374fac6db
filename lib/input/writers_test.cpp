#include <gtest/gtest.h>

#include "input_test_support.hpp"
#include "rtprov/input/formats.hpp"
#include "rtprov/util/file.hpp"

namespace rtprov::input {
namespace {

using rtprov::test::TempDir;

const Bytes kSixteen = {0x4B, 0xCB, 0xC1, 0x3C, 0xFA, 0xE1, 0x65, 0x9F,
                        0x25, 0x32, 0xAA, 0xB3, 0x30, 0x17, 0x41, 0xEC};

std::vector<std::string> split(const std::string& text) {
    std::vector<std::string> out;
    std::size_t pos = 0;
    for (std::size_t nl; (nl = text.find('\n', pos)) != std::string::npos; pos = nl + 1) {
        out.push_back(text.substr(pos, nl - pos));
    }
    EXPECT_EQ(pos, text.size()) << "output must end with a newline";
    return out;
}

// Segments at the bottom and top of the address space, across a 64 KiB boundary, unaligned.
MemoryImage sample_image(std::optional<std::uint32_t> entry) {
    MemoryImage image;
    image.add(0x00000010, test::pattern(3, 1), "a");
    image.add(0x6000FFF8, test::pattern(70000, 2), "b");
    image.add(0x70000001, test::pattern(5, 3), "c");
    image.add(0xFFFFFFF0, test::pattern(16, 4), "d");
    image.entry_point = entry;
    return image;
}

// The expected lines are what GNU objcopy writes for the same bytes (see the reader tests).
TEST(WriteIhex, WritesTheRecordsObjcopyWrites) {
    MemoryImage image;
    image.add(0x60002000, kSixteen, "x");
    image.entry_point = 0x60002000;
    EXPECT_EQ(write_ihex(image),
              ":0200000460009A\n"
              ":102000004BCBC13CFAE1659F2532AAB3301741ECB6\n"
              ":040000056000200077\n"
              ":00000001FF\n");
    EXPECT_EQ(write_ihex(MemoryImage{}), ":00000001FF\n");
}

TEST(WriteIhex, SplitsRecordsAtSegmentBoundariesAndWritesTheUpperAddress) {
    MemoryImage image;
    image.add(0x6000FFF8, Bytes(32, 0xAA), "x");
    const auto lines = split(write_ihex(image));
    ASSERT_EQ(lines.size(), 6u);
    EXPECT_EQ(lines[0], ":0200000460009A");
    EXPECT_EQ(lines[1].substr(0, 9), ":08FFF800");
    EXPECT_EQ(lines[2], ":02000004600199");
    EXPECT_EQ(lines[3].substr(0, 9), ":10000000");
    EXPECT_EQ(lines[4].substr(0, 9), ":08001000");
    EXPECT_EQ(lines[5], ":00000001FF");
}

TEST(WriteSrec, WritesHeaderDataCountAndStart) {
    MemoryImage image;
    image.add(0x60002000, kSixteen, "x");
    image.entry_point = 0x60002000;
    EXPECT_EQ(write_srec(image),
              "S0090000727470726F7649\n"  // "rtprov"
              "S315600020004BCBC13CFAE1659F2532AAB3301741EC50\n"
              "S5030001FB\n"
              "S705600020007A\n");
    image.entry_point.reset();
    EXPECT_EQ(split(write_srec(image)).back(), "S70500000000FA");
}

TEST(WriteSrec, UsesAnS6CountAbove65535Records) {
    MemoryImage image;
    image.add(0x60000000, test::pattern(16 * 0x10001), "x");
    const std::string text = write_srec(image);
    const auto lines = split(text);
    EXPECT_EQ(lines[lines.size() - 2], "S604010001F9");
    EXPECT_TRUE(test::same_image(read_srec(text, "big.srec"), image));
}

TEST(WriteElf, WritesAnArmExecutableWithOneLoadSegmentPerSegment) {
    MemoryImage image;
    image.add(0x20000000, Bytes{1, 2, 3, 4}, "a");
    image.add(0x60002001, Bytes{5, 6, 7}, "b");
    image.entry_point = 0x60002101;
    const Bytes elf = write_elf(image);
    EXPECT_EQ(Bytes(elf.begin(), elf.begin() + 7), (Bytes{0x7F, 'E', 'L', 'F', 1, 1, 1}));
    EXPECT_EQ(load_le16(&elf[0x10]), 2u);   // ET_EXEC
    EXPECT_EQ(load_le16(&elf[0x12]), 40u);  // EM_ARM
    EXPECT_EQ(load_le32(&elf[0x18]), 0x60002101u);
    EXPECT_EQ(load_le32(&elf[0x20]), 0u);  // e_shoff
    EXPECT_EQ(load_le16(&elf[0x30]), 0u);  // e_shnum
    ASSERT_EQ(load_le16(&elf[0x2C]), 2u);
    for (std::size_t i = 0; i < 2; ++i) {
        const std::uint8_t* ph = &elf[load_le32(&elf[0x1C]) + 32 * i];
        const auto& segment = image.segments()[i];
        EXPECT_EQ(load_le32(ph), 1u);  // PT_LOAD
        EXPECT_EQ(load_le32(ph + 8), segment.address);
        EXPECT_EQ(load_le32(ph + 12), segment.address);
        EXPECT_EQ(load_le32(ph + 16), segment.data.size());
        EXPECT_EQ(load_le32(ph + 20), segment.data.size());
        EXPECT_EQ(load_le32(ph + 24), 7u);  // RWX
        EXPECT_EQ(load_le32(ph + 28), 4u);
        EXPECT_EQ(load_le32(ph + 4) % 4, segment.address % 4);
        EXPECT_EQ(Bytes(elf.begin() + load_le32(ph + 4),
                        elf.begin() + load_le32(ph + 4) + segment.data.size()),
                  segment.data);
    }
}

TEST(Writers, RoundTripThroughTheReaders) {
    for (const auto entry :
         {std::optional<std::uint32_t>(0x60002101), std::optional<std::uint32_t>()}) {
        const MemoryImage image = sample_image(entry);
        EXPECT_TRUE(test::same_image(read_ihex(write_ihex(image), "a.hex"), image));
        EXPECT_TRUE(test::same_image(read_srec(write_srec(image), "a.srec"), image));
        EXPECT_TRUE(test::same_image(read_elf(write_elf(image), "a.elf"), image));
    }
}

// Independent check: GNU binutils read what we write.
TEST(Writers, GnuBinutilsReadOurFiles) {
    if (!test::have_tool("objcopy") || !test::have_tool("readelf")) {
        GTEST_SKIP() << "binutils not installed";
    }
    TempDir dir;
    MemoryImage image;
    image.add(0x60002000, test::pattern(70000, 5), "a");
    image.add(0x60020000, test::pattern(100, 6), "b");
    image.entry_point = 0x60002101;
    const Bytes flat = image.flatten();
    write_file_atomic(dir / "a.hex", write_ihex(image));
    write_file_atomic(dir / "a.srec", write_srec(image));
    write_file_atomic(dir / "a.elf", write_elf(image));
    for (const auto& [input, file] : {std::pair{"ihex", "a.hex"}, std::pair{"srec", "a.srec"}}) {
        const auto out = (dir / (std::string(file) + ".bin")).string();
        ASSERT_TRUE(test::run_ok(
            fmt::format("objcopy -I {} -O binary '{}' '{}'", input, (dir / file).string(), out)));
        EXPECT_EQ(read_file(out), flat) << file;
    }
    const auto readelf =
        rtprov::test::run_command("readelf -W -h -l '" + (dir / "a.elf").string() + "'");
    EXPECT_EQ(readelf.exit_code, 0);
    EXPECT_EQ(readelf.err, "");
    EXPECT_NE(readelf.out.find("Entry point address:               0x60002101"), std::string::npos);
    EXPECT_NE(
        readelf.out.find("LOAD           0x000074 0x60002000 0x60002000 0x11170 0x11170 RWE 0x4"),
        std::string::npos)
        << readelf.out;
    EXPECT_NE(readelf.out.find("Machine:                           ARM"), std::string::npos);
}

// The shared compatibility vector (an NXP SDK application as S-records).
TEST(Writers, VectorAppImageRoundTrips) {
    const auto vectors = rtprov::test::vectors_dir();
    if (!vectors)
        GTEST_SKIP() << "RTPROV_VECTORS not set";
    const auto path = *vectors / "inputs" / "app_image.srec";
    const MemoryImage image = load_file(path);
    EXPECT_EQ(image.start(), 0x30002000u);
    EXPECT_EQ(image.entry_point, 0x30002101u);
    EXPECT_GT(image.byte_count(), 0u);
    EXPECT_TRUE(test::same_image(read_srec(write_srec(image), "again.srec"), image));
    EXPECT_TRUE(test::same_image(read_ihex(write_ihex(image), "again.hex"), image));
    EXPECT_TRUE(test::same_image(read_elf(write_elf(image), "again.elf"), image));
    if (test::have_tool("objcopy")) {
        TempDir dir;
        const auto out = (dir / "app.bin").string();
        ASSERT_TRUE(
            test::run_ok(fmt::format("objcopy -I srec -O binary '{}' '{}'", path.string(), out)));
        EXPECT_EQ(read_file(out), image.flatten());
    }
}

}  // namespace
}  // namespace rtprov::input
