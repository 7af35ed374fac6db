#include "rtprov/boot/flash_option.hpp"

#include <gtest/gtest.h>

#include "rtprov/util/error.hpp"

namespace rtprov::boot {
namespace {

TEST(FlashOption, DecodesTheWordLayout) {
    const FlexspiNorOption o = decode_flexspi_nor_option(0xC0233007);
    EXPECT_EQ(o.tag, 0xC);
    EXPECT_EQ(o.option_size, 0);
    EXPECT_EQ(o.flash_type, static_cast<std::uint8_t>(FlashType::HyperFlash1V8));
    EXPECT_EQ(o.query_pads, 3);
    EXPECT_EQ(o.cmd_pads, 3);
    EXPECT_EQ(o.max_freq, 7);
    EXPECT_EQ(describe_flexspi_nor_option(0xC0233007), "HyperFlash 1V8, 8-pad commands, 133 MHz");
    EXPECT_EQ(describe_flexspi_nor_option(0xC0000007), "QuadSPI SDR, 1-pad commands, 133 MHz");
}

TEST(FlashOption, ProblemsAreNamed) {
    EXPECT_EQ(flexspi_nor_option_problem(0xC0000007), std::nullopt);
    EXPECT_EQ(flexspi_nor_option_problem(0xF000000F),
              "0xF000000F is not a FlexSPI NOR configuration option (tag, bits 31:28, is 0xF, "
              "not 0xC)");
    EXPECT_EQ(flexspi_nor_option_problem(0xC1503051),
              "0xC1503051 announces 1 more option word(s) (bits 27:24); rtprov plans with "
              "one-word options only");
    EXPECT_EQ(flexspi_nor_option_problem(0xC0500007),
              "0xC0500007: flash type 5 (bits 23:20) is not defined");
}

// Each EVK preset carries NXP's option word for its flash, and agrees with it.
TEST(FlashOption, PresetsCarryTheirBoardsOptionWord) {
    EXPECT_EQ(fcb_preset_flash_option("rt1050-evkb"), 0xC0233007u);
    for (const char* qspi :
         {"rt1010-evk", "rt1015-evk", "rt1020-evk", "rt1024-evk", "rt1060-evk", "rt1064"})
        EXPECT_EQ(fcb_preset_flash_option(qspi), 0xC0000007u) << qspi;
    for (const auto& p : fcb_presets()) {
        EXPECT_EQ(option_fcb_conflict(p.flash_option, p.build()), std::nullopt) << p.name;
        EXPECT_EQ(flexspi_nor_option_problem(p.flash_option), std::nullopt) << p.name;
    }
    EXPECT_THROW(fcb_preset_flash_option("rt1170-evk"), Error);
}

TEST(FlashOption, AnOptionForAnotherFlashTypeDisagreesWithTheFcb) {
    EXPECT_EQ(option_fcb_conflict(0xC0233007, fcb_preset("rt1020-evk")),
              "option 0xC0233007 (HyperFlash 1V8, 8-pad commands, 133 MHz) needs an FCB for 8 "
              "pads sampled with the flash's DQS (readSampleClkSrc 3, sflashPadType 8); the FCB "
              "has readSampleClkSrc 1, sflashPadType 4");
    EXPECT_EQ(option_fcb_conflict(0xC0000007, fcb_preset("rt1050-evkb")),
              "option 0xC0000007 (QuadSPI SDR, 1-pad commands, 133 MHz) is a QuadSPI flash (at "
              "most 4 pads, no flash DQS); the FCB has readSampleClkSrc 3, sflashPadType 8");
    EXPECT_EQ(option_fcb_conflict(0xC0603005, fcb_preset("rt1060-evk")),
              "option 0xC0603005 (Micron octal DDR, 8-pad commands, 80 MHz) is an octal flash (8 "
              "pads); the FCB has readSampleClkSrc 1, sflashPadType 4");
    Fcb nand = fcb_preset("rt1020-evk");
    nand.device_type = 2;
    EXPECT_EQ(option_fcb_conflict(0xC0000007, nand),
              "option 0xC0000007 (QuadSPI SDR, 1-pad commands, 133 MHz) is for a serial NOR "
              "flash, the FCB's deviceType is 2 (1: serial NOR)");
}

}  // namespace
}  // namespace rtprov::boot
