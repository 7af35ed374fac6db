#include "rtprov/boot/image.hpp"

#include <gtest/gtest.h>

#include "rtprov/util/error.hpp"

namespace rtprov::boot {
namespace {

// An app of `size` bytes at `address` whose vector table holds SP and `reset`.
input::MemoryImage make_app(std::uint32_t address, std::size_t size, std::uint32_t reset) {
    Bytes data(size);
    for (std::size_t i = 0; i < size; ++i)
        data[i] = static_cast<std::uint8_t>(i * 7 + 1);
    store_le32(data.data(), 0x20020000);
    store_le32(data.data() + 4, reset);
    input::MemoryImage img;
    img.add(address, data, "app");
    return img;
}

BuildOptions options(std::string_view part, device::BootDevice dev, input::MemoryImage app) {
    BuildOptions o;
    o.device = &device::find_device(part);
    o.boot_device = dev;
    o.app = std::move(app);
    return o;
}

Bytes hex(std::string_view text) {
    Bytes out;
    for (std::size_t i = 0; i + 1 < text.size(); i += 2) {
        out.push_back(
            static_cast<std::uint8_t>(std::stoul(std::string(text.substr(i, 2)), nullptr, 16)));
    }
    return out;
}

std::string error_of(const BuildOptions& o) {
    try {
        build_image(o);
    } catch (const Error& e) {
        return e.what();
    }
    return "no error";
}

// IVT and boot data as NXP's elftosb wrote them for the RT1020-EVK XIP blinky (its debug log
// lists IVT and BDT as hex; the app is 0x182C bytes with reset vector 0x600022DD). Taken from
// NXP's output, not from this code, so it checks the field rules independently.
TEST(BuildImage, XipFlexspiNorMatchesNxpHeaderBytes) {
    auto o = options("mimxrt1020", device::BootDevice::FlexspiNor,
                     make_app(0x60002000, 0x182C, 0x600022DD));
    const BootImage img = build_image(o);
    ASSERT_EQ(img.data.size(), 0x382Cu);
    EXPECT_EQ(img.address, 0x60000000u);
    const Bytes ivt(img.data.begin() + 0x1000, img.data.begin() + 0x1020);
    const Bytes bd(img.data.begin() + 0x1020, img.data.begin() + 0x1040);
    EXPECT_EQ(ivt, hex("d1002040dd220060000000000000000020100060001000600000000000000000"));
    EXPECT_EQ(bd, hex("000000602c380000000000000000000000000000000000000000000000000000"));
    for (std::size_t i = 0; i < 0x1000; ++i)
        ASSERT_EQ(img.data[i], 0) << "offset " << i;
    EXPECT_EQ(img.data[0x2000], 0x00);  // SP low byte of the vector table
    EXPECT_EQ(load_le32(&img.data[0x2004]), 0x600022DDu);
    EXPECT_TRUE(img.warnings.empty());
}

TEST(BuildImage, NoPaddingStartsAtTheIvt) {
    auto o = options("mimxrt1020", device::BootDevice::FlexspiNor,
                     make_app(0x60002000, 0x100, 0x60002011));
    o.padding = false;
    const BootImage img = build_image(o);
    EXPECT_EQ(img.address, 0x60001000u);
    EXPECT_EQ(img.data.size(), 0x1100u);
    EXPECT_EQ(load_le32(&img.data[0x14]), 0x60001000u);  // IVT self
    EXPECT_EQ(load_le32(&img.data[0x24]), 0x2100u);      // boot data length counts from 0x60000000
}

TEST(BuildImage, RamAppStartsTheImageInitialLoadSizeBelowIt) {
    auto o = options("mimxrt1050", device::BootDevice::FlexspiNor,
                     make_app(0x20002000, 0x400, 0x20002101));
    const BootImage img = build_image(o);
    EXPECT_EQ(img.image_start, 0x20000000u);
    EXPECT_EQ(img.ivt.self, 0x20001000u);
    EXPECT_EQ(img.boot_data.start, 0x20000000u);
    EXPECT_EQ(img.boot_data.length, 0x2400u);
}

TEST(BuildImage, SdLayoutPutsIvtAt0x400AndAppAt0x1000) {
    auto o = options("mimxrt1020", device::BootDevice::Sd, make_app(0x80002000, 0x80, 0x80002041));
    o.dcd =
        hex("d2000841"
            "c0000404");  // header + NOP: an 8-byte DCD
    const BootImage img = build_image(o);
    EXPECT_EQ(img.image_start, 0x80001000u);
    EXPECT_EQ(img.ivt.self, 0x80001400u);
    EXPECT_EQ(img.ivt.dcd, 0x80001440u);
    EXPECT_EQ(img.boot_data.length, 0x1080u);
    EXPECT_EQ(img.data[0x440], 0xD2);
    EXPECT_EQ(img.dcd_size, 8u);
}

TEST(BuildImage, SerialDownloaderPutsIvtFirstAndAppAt0x400) {
    auto o = options("mimxrt1060", device::BootDevice::SerialDownloader,
                     make_app(0x20208400, 0x40, 0x20208411));
    const BootImage img = build_image(o);
    EXPECT_EQ(img.image_start, 0x20208000u);
    EXPECT_EQ(img.ivt.self, 0x20208000u);
    EXPECT_EQ(img.data.size(), 0x440u);
}

// A free layout (nxpimage's ivtOffset/initialLoadSize): the IVT and the app where it says, e.g.
// a flashloader image with its IVT first and the app 0x2000 above the image start.
TEST(BuildImage, AFreeLayoutPlacesTheIvtAndTheApp) {
    auto o = options("mimxrt1060", device::BootDevice::SerialDownloader,
                     make_app(0x20202000, 0x40, 0x20202011));
    o.ivt_offset = 0x0;
    o.initial_load_size = 0x2000;
    const BootImage img = build_image(o);
    EXPECT_EQ(img.image_start, 0x20200000u);
    EXPECT_EQ(img.ivt.self, 0x20200000u);
    EXPECT_EQ(img.data.size(), 0x2040u);
    EXPECT_TRUE(img.warnings.empty());
    // Moving the IVT from where a boot device's ROM reads it is built, with a warning.
    auto sd = options("mimxrt1060", device::BootDevice::Sd, make_app(0x20202000, 0x40, 0x20202011));
    sd.ivt_offset = 0x100;
    sd.initial_load_size = 0x1000;
    const BootImage moved = build_image(sd);
    EXPECT_EQ(moved.ivt.self, 0x20201100u);
    ASSERT_EQ(moved.warnings.size(), 1u);
    EXPECT_EQ(moved.warnings[0],
              "the boot ROM reads the IVT at offset 0x400 of sd; with the IVT at 0x100 this "
              "image boots only when something else loads it (SDP, a flashloader)");
}

TEST(BuildImage, AFreeLayoutIsChecked) {
    auto o = options("mimxrt1060", device::BootDevice::SerialDownloader,
                     make_app(0x20202000, 0x40, 0x20202011));
    o.ivt_offset = 0x1F00;
    o.initial_load_size = 0x1F20;
    EXPECT_EQ(error_of(o),
              "layout: the IVT and boot data (0x1F00..0x1F3F) must lie inside the initial load "
              "region (0x0..0x1F20); make initial_load_size at least 0x1F40");
    o.ivt_offset = 0x402;
    EXPECT_EQ(error_of(o), "layout: ivt_offset 0x402 is not word-aligned");
    auto xip = options("mimxrt1060", device::BootDevice::FlexspiNor,
                       make_app(0x60002000, 0x40, 0x60002011));
    xip.fcb = Bytes(512, 0xAB);
    xip.ivt_offset = 0x100;
    xip.initial_load_size = 0x2000;
    EXPECT_EQ(error_of(xip),
              "layout: the IVT at 0x100 overlaps the FlexSPI config block (0x0..0x1FF)");
}

TEST(BuildImage, FcbGoesToOffsetZero) {
    auto o = options("mimxrt1020", device::BootDevice::FlexspiNor,
                     make_app(0x60002000, 0x20, 0x60002011));
    o.fcb = Bytes(512, 0xAB);
    const BootImage img = build_image(o);
    EXPECT_TRUE(img.has_fcb);
    EXPECT_EQ(img.data[0], 0xAB);
    EXPECT_EQ(img.data[511], 0xAB);
    EXPECT_EQ(img.data[512], 0x00);
}

TEST(BuildImage, Rt1010KeepsItsFcbAt0x400) {
    auto o = options("mimxrt1010", device::BootDevice::FlexspiNor,
                     make_app(0x60002000, 0x20, 0x60002011));
    o.fcb = Bytes(512, 0xAB);
    const BootImage img = build_image(o);
    EXPECT_EQ(img.data[0x3FF], 0x00);
    EXPECT_EQ(img.data[0x400], 0xAB);
    EXPECT_EQ(img.data[0x5FF], 0xAB);
}

TEST(BuildImage, ErrorsSayWhatIsWrong) {
    auto xip_low = options("mimxrt1020", device::BootDevice::FlexspiNor,
                           make_app(0x60001000, 0x20, 0x60001011));
    EXPECT_EQ(error_of(xip_low),
              "the app starts at 0x60001000, inside the 8192-byte boot header area of flexspi "
              "(0x60000000..0x60001FFF); link the app at 0x60002000 or above, or give it without "
              "its own FCB/IVT");

    auto xip_sd =
        options("mimxrt1020", device::BootDevice::Sd, make_app(0x60002000, 0x20, 0x60002011));
    EXPECT_EQ(error_of(xip_sd),
              "the app is linked for execute-in-place in flexspi (0x60002000), which needs "
              "--boot-device flexspi-nor, not sd");

    auto big_dcd =
        options("mimxrt1020", device::BootDevice::Sd, make_app(0x80002000, 0x20, 0x80002011));
    big_dcd.dcd = Bytes(0xC00, 0);
    EXPECT_EQ(error_of(big_dcd),
              "the DCD (3072 bytes at offset 0x440) runs into the app at offset 0x1000; at most "
              "3008 bytes fit");

    auto no_room = options("mimxrt1020", device::BootDevice::FlexspiNor,
                           make_app(0x20000100, 0x20, 0x20000111));
    EXPECT_EQ(error_of(no_room),
              "the app at 0x20000100 leaves no room for the 0x2000-byte boot header "
              "(flexspi-nor) below it in dtcm; link it at least 0x2000 bytes above the start of "
              "a RAM");

    auto bad_fcb = options("mimxrt1020", device::BootDevice::FlexspiNor,
                           make_app(0x60002000, 0x20, 0x60002011));
    bad_fcb.fcb = Bytes(100, 0);
    EXPECT_EQ(error_of(bad_fcb), "the FCB is 100 bytes; a FlexSPI NOR config block is 512 bytes");
}

TEST(BuildImage, WarnsWhenEntryIsOutsideTheApp) {
    auto o = options("mimxrt1020", device::BootDevice::FlexspiNor,
                     make_app(0x60002000, 0x20, 0x12345679));
    const BootImage img = build_image(o);
    ASSERT_EQ(img.warnings.size(), 1u);
    EXPECT_EQ(img.warnings[0],
              "entry point 0x12345679 lies outside the app (0x60002000..0x6000201F); check the "
              "vector table or --entry");
}

TEST(ParseBootImage, FindsWhatBuildPutThere) {
    for (bool padding : {true, false}) {
        auto o =
            options("mimxrt1020", device::BootDevice::Sd, make_app(0x80002000, 0x300, 0x80002101));
        o.dcd =
            hex("d2000841"
                "c0000404");
        o.padding = padding;
        const BootImage img = build_image(o);
        const ParsedImage p = parse_boot_image(img.data, "img.bin");
        EXPECT_EQ(p.ivt_file_offset, padding ? 0x400u : 0u);
        EXPECT_EQ(p.file_address, img.address);
        EXPECT_EQ(p.ivt.entry, 0x80002101u);
        EXPECT_EQ(p.boot_data.start, 0x80001000u);
        ASSERT_TRUE(p.dcd_file_offset);
        EXPECT_EQ(p.dcd_size, 8u);
        ASSERT_TRUE(p.app_file_offset);
        EXPECT_EQ(p.app_address, 0x80002000u);
        EXPECT_EQ(p.app_size, 0x300u);
        EXPECT_FALSE(p.fcb);
        EXPECT_FALSE(p.csf_file_offset);
    }
}

TEST(ParseBootImage, RefusesGarbage) {
    const Bytes junk(0x3000, 0x5A);
    try {
        parse_boot_image(junk, "junk.bin");
        FAIL();
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), ErrorCode::BadInput);
        EXPECT_STREQ(e.what(),
                     "junk.bin: no IVT found (looked for D1 00 20 4x with a boot data pointer of "
                     "self + 0x20 at offsets 0x1000, 0x400 and 0x0 of 12288 bytes); not an i.MX "
                     "RT bootable image");
    }
}

TEST(ParseBootImage, RejectsDcdPointerOutsideTheFile) {
    auto o = options("mimxrt1020", device::BootDevice::FlexspiNor,
                     make_app(0x60002000, 0x20, 0x60002011));
    BootImage img = build_image(o);
    store_le32(&img.data[0x100C], 0x70000000);
    try {
        parse_boot_image(img.data, "x.bin");
        FAIL();
    } catch (const Error& e) {
        EXPECT_STREQ(e.what(),
                     "x.bin: offset 0x1000: DCD pointer 0x70000000 lies outside the file "
                     "(0x60000000..0x6000201F)");
    }
}

}  // namespace
}  // namespace rtprov::boot
