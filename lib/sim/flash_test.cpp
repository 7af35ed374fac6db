#include "rtprov/sim/flash.hpp"

#include <gtest/gtest.h>

#include "rtprov/boot/fcb.hpp"

namespace rtprov::sim {
namespace {

TEST(NorFlash, StartsErasedAndReadsFF) {
    NorFlash f;
    EXPECT_EQ(f.read(0x1234, 4), (Bytes{0xFF, 0xFF, 0xFF, 0xFF}));
    EXPECT_TRUE(f.used_ranges().empty());
}

TEST(NorFlash, ProgramAndsIntoErasedBytes) {
    NorFlash f;
    EXPECT_EQ(f.program(0x100, Bytes{0x12, 0x34}), FlashStatus::Ok);
    EXPECT_EQ(f.read(0x100, 2), (Bytes{0x12, 0x34}));
    // Clearing more bits is fine; setting a cleared bit is a program failure (AND applied).
    EXPECT_EQ(f.program(0x100, Bytes{0x02}), FlashStatus::Ok);
    EXPECT_EQ(f.read(0x100, 1), Bytes{0x02});
    EXPECT_EQ(f.program(0x101, Bytes{0xFF & 0x35}), FlashStatus::ProgramFail);
    EXPECT_EQ(f.read(0x101, 1), Bytes{0x34});
}

TEST(NorFlash, EraseSetsWholeSectorsToFF) {
    NorFlash f;
    ASSERT_EQ(f.program(0x0FFE, Bytes(4, 0x00)), FlashStatus::Ok);  // spans sectors 0 and 1
    EXPECT_EQ(f.erase(0x1000, 1), FlashStatus::Ok);                 // sector 1 only
    EXPECT_EQ(f.read(0x0FFE, 4), (Bytes{0x00, 0x00, 0xFF, 0xFF}));
    EXPECT_EQ(f.erase(0x10, 0x10), FlashStatus::Ok);  // rounds out to sector 0
    EXPECT_EQ(f.read(0x0FFE, 2), (Bytes{0xFF, 0xFF}));
    EXPECT_TRUE(f.used_ranges().empty());
}

TEST(NorFlash, PageProgramWrapsInsideThePage) {
    NorFlash f;
    // 4 bytes at page offset 254: the last two wrap to the start of the same 256-byte page.
    EXPECT_EQ(f.program_page(0x1FE, Bytes{1, 2, 3, 4}), FlashStatus::Ok);
    EXPECT_EQ(f.read(0x1FE, 2), (Bytes{1, 2}));
    EXPECT_EQ(f.read(0x100, 2), (Bytes{3, 4}));
    EXPECT_EQ(f.read(0x200, 2), (Bytes{0xFF, 0xFF}));
    // program() splits at page boundaries like the flashloader's driver.
    EXPECT_EQ(f.program(0x2FE, Bytes{5, 6, 7, 8}), FlashStatus::Ok);
    EXPECT_EQ(f.read(0x2FE, 4), (Bytes{5, 6, 7, 8}));
}

TEST(NorFlash, RangesOutsideTheFlashAreRejected) {
    NorFlash f({0x10000, 0x1000, 0x100});
    EXPECT_EQ(f.program(0xFFFF, Bytes{0, 0}), FlashStatus::OutOfRange);
    EXPECT_EQ(f.erase(0xF000, 0x2000), FlashStatus::OutOfRange);
    Bytes out(2);
    EXPECT_EQ(f.read(0xFFFF, out), FlashStatus::OutOfRange);
}

TEST(NorFlash, UsedRangesMergeAdjacentSectors) {
    NorFlash f;
    f.program(0x0, Bytes{0});
    f.program(0x1000, Bytes{0});
    f.program(0x5000, Bytes{0});
    EXPECT_EQ(f.used_ranges(), (std::vector<FlashRange>{{0, 0x2000}, {0x5000, 0x1000}}));
}

TEST(NorFlash, GeometryComesFromAValidFcb) {
    const Bytes fcb = boot::serialize(boot::fcb_preset("rt1020-evk"));
    const auto g = NorFlash::geometry_from_fcb(fcb);
    ASSERT_TRUE(g);
    const auto parsed = boot::parse_fcb(fcb, "x");
    EXPECT_EQ(g->size, parsed.sflash_a1_size);
    EXPECT_EQ(g->page_size, parsed.page_size);
    EXPECT_FALSE(NorFlash::geometry_from_fcb(Bytes(512, 0xFF)));
}

}  // namespace
}  // namespace rtprov::sim
