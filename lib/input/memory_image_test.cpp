#include "rtprov/input/memory_image.hpp"

#include <gtest/gtest.h>

#include "input_test_support.hpp"

namespace rtprov::input {
namespace {

using test::error_of;

Bytes fill(std::size_t n, std::uint8_t value) {
    return Bytes(n, value);
}

TEST(MemoryImage, StartsEmpty) {
    MemoryImage image;
    EXPECT_TRUE(image.empty());
    EXPECT_EQ(image.start(), 0u);
    EXPECT_EQ(image.end(), 0u);
    EXPECT_EQ(image.byte_count(), 0u);
    EXPECT_TRUE(image.flatten().empty());
    image.add(0x100, {}, "nothing");
    EXPECT_TRUE(image.empty());
}

TEST(MemoryImage, MergesContiguousDataKeepingTheFirstOrigin) {
    MemoryImage image;
    image.add(0x100, fill(4, 1), "a");
    image.add(0x104, fill(4, 2), "b");  // appends
    ASSERT_EQ(image.segments().size(), 1u);
    EXPECT_EQ(image.segments()[0].origin, "a");
    image.add(0xFC, fill(4, 3), "c");   // prepends
    image.add(0x110, fill(4, 4), "d");  // leaves a gap
    ASSERT_EQ(image.segments().size(), 2u);
    EXPECT_EQ(image.segments()[0].address, 0xFCu);
    EXPECT_EQ(image.segments()[0].data, (Bytes{3, 3, 3, 3, 1, 1, 1, 1, 2, 2, 2, 2}));
    image.add(0x108, fill(8, 5), "e");  // bridges the gap
    ASSERT_EQ(image.segments().size(), 1u);
    EXPECT_EQ(image.start(), 0xFCu);
    EXPECT_EQ(image.end(), 0x114u);
    EXPECT_EQ(image.byte_count(), 0x18u);
}

TEST(MemoryImage, KeepsSegmentsSortedWhenAddedOutOfOrder) {
    MemoryImage image;
    image.add(0x3000, fill(1, 3), "c");
    image.add(0x1000, fill(1, 1), "a");
    image.add(0x2000, fill(1, 2), "b");
    ASSERT_EQ(image.segments().size(), 3u);
    EXPECT_EQ(image.segments()[0].origin, "a");
    EXPECT_EQ(image.segments()[1].origin, "b");
    EXPECT_EQ(image.segments()[2].origin, "c");
    EXPECT_EQ(image.byte_count(), 3u);
    EXPECT_EQ(image.end(), 0x3001u);
}

TEST(MemoryImage, OverlapNamesBothOriginsAndTheFirstSharedByte) {
    MemoryImage image;
    image.add(0x60002000, fill(16, 0), "app.hex:2");
    EXPECT_EQ(error_of([&] { image.add(0x60002008, fill(16, 0), "app.hex:3"); }),
              "app.hex:3: data at 0x60002008..0x60002017 overlaps data from app.hex:2 "
              "(0x60002000..0x6000200F), first overlapping byte 0x60002008");
    // New data that starts before the existing bytes.
    EXPECT_EQ(error_of([&] { image.add(0x60001FF0, fill(32, 0), "app.hex:4"); }),
              "app.hex:4: data at 0x60001FF0..0x6000200F overlaps data from app.hex:2 "
              "(0x60002000..0x6000200F), first overlapping byte 0x60002000");
    // Overlap with a later segment, not the first one.
    image.add(0x70000000, fill(4, 0), "app.hex:5");
    EXPECT_EQ(error_of([&] { image.add(0x70000003, fill(1, 0), "app.hex:6"); }),
              "app.hex:6: data at 0x70000003..0x70000003 overlaps data from app.hex:5 "
              "(0x70000000..0x70000003), first overlapping byte 0x70000003");
    EXPECT_EQ(image.byte_count(), 20u);  // failed adds changed nothing
}

TEST(MemoryImage, RejectsDataPastFourGigabytes) {
    MemoryImage image;
    image.add(0xFFFFFFF0, fill(16, 0), "top.bin");  // ends exactly at 4 GiB
    EXPECT_EQ(image.end(), 0x100000000u);
    MemoryImage other;
    EXPECT_EQ(error_of([&] { other.add(0xFFFFFFF8, fill(16, 0), "x.bin"); }),
              "x.bin: 16 bytes at 0xFFFFFFF8 run past the end of the 32-bit address space");
}

TEST(MemoryImage, FlattenFillsGaps) {
    MemoryImage image;
    image.add(0x10, Bytes{1, 2}, "a");
    image.add(0x14, Bytes{3}, "b");
    EXPECT_EQ(image.flatten(), (Bytes{1, 2, 0, 0, 3}));
    EXPECT_EQ(image.flatten(0xFF), (Bytes{1, 2, 0xFF, 0xFF, 3}));
    EXPECT_EQ(image.flatten(0xFF, 2).size(), 5u);  // a gap exactly at the limit is allowed
    EXPECT_THROW(image.flatten(0xFF, 1), Error);
}

TEST(MemoryImage, FlattenRejectsAGapLargerThanAllowed) {
    MemoryImage image;
    image.add(0x20000000, fill(4, 0), "app.elf: segment 1");
    image.add(0x60002000, fill(4, 0), "app.elf: segment 0");
    EXPECT_EQ(error_of([&] { image.flatten(); }),
              "gap of 1073750012 bytes between app.elf: segment 1 (ends 0x20000004) and app.elf: "
              "segment 0 (starts 0x60002000) is larger than 1048576 bytes; the input spans "
              "separate memories and cannot form one image");
}

TEST(MemoryImage, ReadsOnlyBytesThatArePresent) {
    MemoryImage image;
    image.add(0x100, Bytes{1, 2, 3, 4}, "a");
    image.add(0x200, Bytes{5, 6}, "b");
    EXPECT_EQ(image.read(0x101, 2), (Bytes{2, 3}));
    EXPECT_EQ(image.read(0x200, 2), (Bytes{5, 6}));
    EXPECT_FALSE(image.read(0x103, 2));  // runs into the gap
    EXPECT_FALSE(image.read(0x0FF, 1));
    EXPECT_FALSE(image.read(0x202, 1));
}

}  // namespace
}  // namespace rtprov::input
