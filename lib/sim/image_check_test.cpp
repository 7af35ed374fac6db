#include "rtprov/sim/image_check.hpp"

#include <gtest/gtest.h>

#include "sim_test_support.hpp"

namespace rtprov::sim {
namespace {

struct BootCheck : ::testing::Test {
    Chip chip{device::find_device("mimxrt1020")};
    void flash(const Bytes& data) { ASSERT_EQ(chip.flash().program(0, data), FlashStatus::Ok); }
};

TEST_F(BootCheck, ErasedFlashHasNoFcb) {
    const Verdict v = check_flash_boot(chip);
    EXPECT_FALSE(v.ok);
    EXPECT_EQ(v.reason, "no FCB at flash offset 0x0 (tag 0xFFFFFFFF, expected \"FCFB\")");
}

TEST_F(BootCheck, ValidXipImageBoots) {
    flash(test::xip_image().data);
    const Verdict v = check_flash_boot(chip);
    EXPECT_TRUE(v.ok) << v.reason;
    EXPECT_EQ(v.reason, "FCB, IVT and entry 0x60002101 valid; HAB open: image not authenticated");
}

TEST_F(BootCheck, MissingIvtIsReported) {
    Bytes img = test::xip_image().data;
    std::fill(img.begin() + 0x1000, img.begin() + 0x1020, 0xFF);
    flash(img);
    EXPECT_EQ(check_flash_boot(chip).reason, "no IVT at flash offset 0x1000");
}

TEST_F(BootCheck, EntryOutsideTheImageIsReported) {
    Bytes img = test::xip_image().data;
    store_le32(&img[0x1004], 0x70000001);
    flash(img);
    const Verdict v = check_flash_boot(chip);
    EXPECT_FALSE(v.ok);
    EXPECT_TRUE(v.reason.starts_with("IVT entry 0x70000001 is outside the image 0x60000000.."))
        << v.reason;
}

TEST_F(BootCheck, UnsignedImageOnAClosedPartDoesNotBoot) {
    flash(test::xip_image().data);
    chip.fuses().program(chip.device().fuse("BOOT_CFG1")->index, 0x2);
    const Verdict v = check_flash_boot(chip);
    EXPECT_FALSE(v.ok);
    EXPECT_TRUE(v.reason.starts_with("HAB closed: authentication failed: ")) << v.reason;
}

}  // namespace
}  // namespace rtprov::sim
