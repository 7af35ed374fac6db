#include "rtprov/proto/mboot_text.hpp"

#include <gtest/gtest.h>

namespace rtprov::proto::mboot {
namespace {

using Lines = std::vector<std::string>;

TEST(MbootText, SizesAsBlhostPrintsThem) {
    EXPECT_EQ(size_text(0), "0 B");
    EXPECT_EQ(size_text(256), "256 B");
    EXPECT_EQ(size_text(1024), "1.0 kiB");
    EXPECT_EQ(size_text(1536), "1.5 kiB");
    EXPECT_EQ(size_text(8u << 20), "8.0 MiB");
}

TEST(MbootText, PropertyInterpretations) {
    EXPECT_EQ(property_text(0x01, {0x4B010600}), Lines{"Current Version = K1.6.0"});
    EXPECT_EQ(property_text(0x02, {0x11}), Lines{"Available Peripherals = UART, USB-HID"});
    EXPECT_EQ(property_text(0x07, {0x41}), Lines{"Available Commands = ['FlashEraseAll', "
                                                 "'GetProperty']"});
    EXPECT_EQ(property_text(0x0A, {0}), Lines{"Verify Writes = OFF"});
    EXPECT_EQ(property_text(0x0C, {0x20208000, 0x20217FFF, 0, 0}),
              (Lines{"Reserved Regions =",
                     "    Region 0: 0x20208000 - 0x20217FFF; Total Size: 64.0 kiB"}));
    EXPECT_EQ(property_text(0x11, {1}), Lines{"Security State = SECURE"});
    EXPECT_EQ(property_text(0x12, {0x89ABCDEF, 0x01234567}),
              Lines{"Unique Device Identification = efcdab8967452301"});
    EXPECT_EQ(property_text(0x19, {0x1F, 0x60000000, 8192, 256, 4096, 65536}),
              Lines{"External Memory Attributes = Start Address: 0x60000000, Total Size:    8.0 "
                    "MiB, Page Size:     256 B, Sector Size:   4.0 kiB, Block Size:    64.0 kiB"});
    EXPECT_TRUE(property_text(0x19, {0x1F}).empty());  // too short: no interpretation
    EXPECT_TRUE(property_text(0x30, {1}).empty());
}

TEST(MbootText, MemoryLabels) {
    EXPECT_EQ(memory_label(9), "FLEX-SPI-NOR");
    EXPECT_EQ(memory_label(0x121), "MMC");
    EXPECT_EQ(memory_label(0x55), "0x55");
}

}  // namespace
}  // namespace rtprov::proto::mboot
