#include <gtest/gtest.h>

#include "rtprov/device/device.hpp"

namespace rtprov::device {
namespace {

TEST(BootDevice, ParsesEveryCanonicalNameBack) {
    for (BootDevice dev : all_boot_devices()) {
        EXPECT_EQ(parse_boot_device(boot_device_name(dev)), dev) << boot_device_name(dev);
    }
    EXPECT_EQ(all_boot_devices().size(), 8u);
}

TEST(BootDevice, CanonicalNames) {
    EXPECT_EQ(boot_device_name(BootDevice::FlexspiNor), "flexspi-nor");
    EXPECT_EQ(boot_device_name(BootDevice::FlexspiNand), "flexspi-nand");
    EXPECT_EQ(boot_device_name(BootDevice::SemcNor), "semc-nor");
    EXPECT_EQ(boot_device_name(BootDevice::SemcNand), "semc-nand");
    EXPECT_EQ(boot_device_name(BootDevice::Sd), "sd");
    EXPECT_EQ(boot_device_name(BootDevice::Mmc), "mmc");
    EXPECT_EQ(boot_device_name(BootDevice::SerialDownloader), "serial-downloader");
    EXPECT_EQ(boot_device_name(BootDevice::RecoverySpi), "recovery-spi");
}

TEST(BootDevice, AcceptsAliasesCaseAndUnderscores) {
    EXPECT_EQ(parse_boot_device("emmc"), BootDevice::Mmc);
    EXPECT_EQ(parse_boot_device("ram"), BootDevice::SerialDownloader);
    EXPECT_EQ(parse_boot_device("internal-ram"), BootDevice::SerialDownloader);
    EXPECT_EQ(parse_boot_device("FlexSPI-NOR"), BootDevice::FlexspiNor);
    EXPECT_EQ(parse_boot_device("flexspi_nand"), BootDevice::FlexspiNand);
    EXPECT_EQ(parse_boot_device("SERIAL_DOWNLOADER"), BootDevice::SerialDownloader);
}

TEST(BootDevice, RejectsUnknownNames) {
    EXPECT_FALSE(parse_boot_device(""));
    EXPECT_FALSE(parse_boot_device("flexspi"));
    EXPECT_FALSE(parse_boot_device("nor"));
    EXPECT_FALSE(parse_boot_device("sd "));
    EXPECT_FALSE(parse_boot_device("recovery_spi_hab"));
}

}  // namespace
}  // namespace rtprov::device
