#pragma once
// Images for the simulator's tests (test-only header): a flashloader-like RAM image and an XIP
// image with an FCB, built with rtprov's own image builder.

#include "rtprov/boot/fcb.hpp"
#include "rtprov/boot/image.hpp"
#include "rtprov/device/device.hpp"

namespace rtprov::sim::test {

// A serial-downloader image for `part` at its flashloader address: IVT at offset 0, a 4 KiB "app"
// at +0x400 whose reset vector (the IVT entry) is inside it.
inline boot::BootImage flashloader_image(std::string_view part = "mimxrt1020") {
    const auto& dev = device::find_device(part);
    boot::BuildOptions o;
    o.device = &dev;
    o.boot_device = device::BootDevice::SerialDownloader;
    const std::uint32_t app = dev.flashloader_address + 0x400;
    Bytes data(0x1000, 0x5A);
    store_le32(data.data(), 0x20020000);
    store_le32(data.data() + 4, app + 0x101);
    o.app.add(app, data, "flashloader");
    return boot::build_image(o);
}

// An XIP image for FlexSPI NOR with the RT1020-EVK FCB: FCB at 0, IVT at 0x1000, app at 0x2000.
inline boot::BootImage xip_image(std::string_view part = "mimxrt1020") {
    boot::BuildOptions o;
    o.device = &device::find_device(part);
    o.boot_device = device::BootDevice::FlexspiNor;
    o.fcb = boot::serialize(boot::fcb_preset("rt1020-evk"));
    Bytes data(0x800, 0x11);
    store_le32(data.data(), 0x20020000);
    store_le32(data.data() + 4, 0x60002101);
    o.app.add(0x60002000, data, "app");
    return boot::build_image(o);
}

}  // namespace rtprov::sim::test
