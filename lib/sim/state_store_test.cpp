#include "rtprov/sim/state_store.hpp"

#include <gtest/gtest.h>

#include "rtprov/util/error.hpp"
#include "test_support.hpp"

namespace rtprov::sim {
namespace {

TEST(StateStore, FlashFusesAndModeSurvive) {
    rtprov::test::TempDir dir;
    const auto& dev = device::find_device("mimxrt1050");
    {
        Chip chip(dev, FlashGeometry{0x400000, 0x1000, 0x100});
        chip.flash().program(0x2345, Bytes{1, 2, 3});
        chip.fuses().program(dev.fuse("GP1")->index, 0x80000001);
        chip.set_mode(ChipMode::Flashloader);
        save_state(chip, dir.path());
    }
    EXPECT_EQ(stored_device(dir.path()), "mimxrt1050");
    Chip chip(dev);
    ASSERT_TRUE(load_state(chip, dir.path()));
    EXPECT_EQ(chip.flash().geometry(), (FlashGeometry{0x400000, 0x1000, 0x100}));
    EXPECT_EQ(chip.flash().read(0x2344, 5), (Bytes{0xFF, 1, 2, 3, 0xFF}));
    EXPECT_EQ(chip.fuses().read(dev.fuse("GP1")->index), 0x80000001u);
    EXPECT_EQ(chip.mode(), ChipMode::Flashloader);
}

TEST(StateStore, EmptyDirHasNoState) {
    rtprov::test::TempDir dir;
    Chip chip(device::find_device("mimxrt1020"));
    EXPECT_FALSE(stored_device(dir.path()));
    EXPECT_FALSE(load_state(chip, dir.path()));
}

TEST(StateStore, AnotherPartIsAUsageError) {
    rtprov::test::TempDir dir;
    save_state(Chip(device::find_device("mimxrt1050")), dir.path());
    Chip chip(device::find_device("mimxrt1020"));
    try {
        load_state(chip, dir.path());
        FAIL();
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), ErrorCode::Usage);
        EXPECT_EQ(e.message(), dir.path().string() +
                                   " holds the state of a mimxrt1050, not a "
                                   "mimxrt1020");
    }
}

}  // namespace
}  // namespace rtprov::sim
