#include "rtprov/write/sectors.hpp"

#include <gtest/gtest.h>

namespace rtprov::write {
namespace {

TEST(Sectors, ComparesEachSectorOfTheImage) {
    // An image from 0x1800 to 0x5400 over 4 KiB sectors: partial first and last sectors.
    Bytes image(0x3C00, 0x42);
    Bytes flash = image;
    std::fill(flash.begin() + 0x0800, flash.begin() + 0x1800, 0xFF);  // 0x2000 sector erased
    flash[0x2800] = 0x00;                                             // 0x4000 sector differs
    const auto plan = compare_sectors(0x1800, image, flash, 0x1000);
    EXPECT_EQ(plan, (std::vector<SectorPlan>{{0x1800, 0x0800, SectorAction::Keep},
                                             {0x2000, 0x1000, SectorAction::Write},
                                             {0x3000, 0x1000, SectorAction::Keep},
                                             {0x4000, 0x1000, SectorAction::EraseWrite},
                                             {0x5000, 0x0400, SectorAction::Keep}}));
    EXPECT_EQ(sector_runs(plan, {SectorAction::Write, SectorAction::EraseWrite}),
              (std::vector<Range>{{0x2000, 0x1000}, {0x4000, 0x1000}}));
    EXPECT_EQ(sector_runs(plan, {SectorAction::Keep}),
              (std::vector<Range>{{0x1800, 0x0800}, {0x3000, 0x1000}, {0x5000, 0x0400}}));
}

TEST(Sectors, AdjacentSectorsMergeIntoOneRun) {
    const Bytes image(0x3000, 0x00);
    const Bytes erased(0x3000, 0xFF);
    const auto plan = compare_sectors(0x60000000, image, erased, 0x1000);
    EXPECT_EQ(sector_runs(plan, {SectorAction::Write}), (std::vector<Range>{{0x60000000, 0x3000}}));
}

TEST(Sectors, AlignsRangesToWholeSectors) {
    EXPECT_EQ(align_to_sectors(0x60000000, 0x5001, 0x1000), (Range{0x60000000, 0x6000}));
    EXPECT_EQ(align_to_sectors(0x60000800, 0x100, 0x1000), (Range{0x60000000, 0x1000}));
    EXPECT_EQ(align_to_sectors(0x60001000, 0x1000, 0x1000), (Range{0x60001000, 0x1000}));
}

}  // namespace
}  // namespace rtprov::write
