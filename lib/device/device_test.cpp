#include "rtprov/device/device.hpp"

#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include "rtprov/util/error.hpp"
#include "rtprov/util/file.hpp"
#include "test_support.hpp"

namespace rtprov::device {
namespace {

std::vector<std::string> names_of(std::span<const Device> devices) {
    std::vector<std::string> out;
    for (const auto& d : devices)
        out.emplace_back(d.name);
    return out;
}

TEST(Devices, ListsTheWholeFamilyInOrder) {
    EXPECT_EQ(names_of(all_devices()),
              (std::vector<std::string>{"mimxrt1010", "mimxrt1015", "mimxrt1020", "mimxrt1024",
                                        "mimxrt1040", "mimxrt1043", "mimxrt1046", "mimxrt1050",
                                        "mimxrt1060", "mimxrt1064"}));
}

TEST(Devices, FindsByNameAliasAndCase) {
    EXPECT_EQ(find_device("mimxrt1020").name, "mimxrt1020");
    EXPECT_EQ(find_device("rt1020").name, "mimxrt1020");
    EXPECT_EQ(find_device("MIMXRT1020").name, "mimxrt1020");
    EXPECT_EQ(find_device("rt102x").name, "mimxrt1020");
    EXPECT_EQ(find_device("RT1021").name, "mimxrt1020");
    EXPECT_EQ(find_device("mimxrt1011").name, "mimxrt1010");
    EXPECT_EQ(find_device("rt1052").name, "mimxrt1050");
    EXPECT_EQ(find_device("MIMXRT1062").name, "mimxrt1060");
    EXPECT_EQ(find_device("rt106x").name, "mimxrt1060");
    EXPECT_EQ(find_device("rt1064").name, "mimxrt1064");
    EXPECT_EQ(find_device("rt104x").name, "mimxrt1040");
}

TEST(Devices, EveryNameAndAliasResolvesToItsOwnPart) {
    std::set<std::string> seen;
    for (const auto& dev : all_devices()) {
        EXPECT_EQ(&find_device(dev.name), &dev);
        EXPECT_TRUE(seen.insert(std::string(dev.name)).second) << dev.name;
        for (auto alias : dev.aliases) {
            EXPECT_EQ(find_device(alias).name, dev.name) << alias;
            EXPECT_TRUE(seen.insert(std::string(alias)).second) << "duplicate alias " << alias;
        }
    }
}

TEST(Devices, UnknownNameListsKnownNames) {
    try {
        find_device("rt1170");
        FAIL() << "expected an error";
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), ErrorCode::Usage);
        EXPECT_STREQ(e.what(),
                     "unknown device 'rt1170'; known devices: mimxrt1010, mimxrt1015, mimxrt1020, "
                     "mimxrt1024, mimxrt1040, mimxrt1043, mimxrt1046, mimxrt1050, mimxrt1060, "
                     "mimxrt1064");
    }
    EXPECT_THROW(find_device(""), Error);
    EXPECT_THROW(find_device("mimx"), Error);
    EXPECT_THROW(find_device("rt10"), Error);
}

void expect_layout(const Device& dev, BootDevice bd, std::uint32_t ivt, std::uint32_t load,
                   bool fcb) {
    const BootLayout* l = dev.layout(bd);
    ASSERT_NE(l, nullptr) << dev.name << " " << boot_device_name(bd);
    EXPECT_EQ(l->device, bd);
    EXPECT_EQ(l->ivt_offset, ivt) << dev.name << " " << boot_device_name(bd);
    EXPECT_EQ(l->initial_load_size, load) << dev.name << " " << boot_device_name(bd);
    EXPECT_EQ(l->has_fcb, fcb) << dev.name << " " << boot_device_name(bd);
}

TEST(Devices, Rt1020Layouts) {
    const Device& d = find_device("mimxrt1020");
    expect_layout(d, BootDevice::FlexspiNor, 0x1000, 0x2000, true);
    EXPECT_EQ(d.layout(BootDevice::FlexspiNor)->fcb_offset, 0u);
    expect_layout(d, BootDevice::FlexspiNand, 0x400, 0x1000, false);
    expect_layout(d, BootDevice::SemcNor, 0x1000, 0x2000, false);
    expect_layout(d, BootDevice::SemcNand, 0x400, 0x1000, false);
    expect_layout(d, BootDevice::Sd, 0x400, 0x1000, false);
    expect_layout(d, BootDevice::Mmc, 0x400, 0x1000, false);
    expect_layout(d, BootDevice::SerialDownloader, 0x0, 0x400, false);
    expect_layout(d, BootDevice::RecoverySpi, 0x400, 0x1000, false);
    EXPECT_EQ(d.boot_layouts.size(), 8u);
}

TEST(Devices, SmallPartsOnlyHaveTheirBootDevices) {
    const Device& rt1010 = find_device("mimxrt1010");
    EXPECT_EQ(rt1010.boot_layouts.size(), 2u);
    expect_layout(rt1010, BootDevice::FlexspiNor, 0x1000, 0x2000, true);
    EXPECT_EQ(rt1010.layout(BootDevice::FlexspiNor)->fcb_offset, 0x400u);
    expect_layout(rt1010, BootDevice::SerialDownloader, 0x0, 0x400, false);
    EXPECT_EQ(rt1010.layout(BootDevice::Sd), nullptr);
    EXPECT_EQ(rt1010.layout(BootDevice::SemcNor), nullptr);

    const Device& rt1015 = find_device("mimxrt1015");
    EXPECT_EQ(rt1015.boot_layouts.size(), 4u);
    expect_layout(rt1015, BootDevice::FlexspiNand, 0x400, 0x1000, false);
    expect_layout(rt1015, BootDevice::RecoverySpi, 0x400, 0x1000, false);
    EXPECT_EQ(rt1015.layout(BootDevice::SemcNand), nullptr);
    EXPECT_EQ(rt1015.layout(BootDevice::Mmc), nullptr);
}

TEST(Devices, EveryPartBootsFromFlexspiNorAndSerialDownloader) {
    for (const auto& dev : all_devices()) {
        expect_layout(dev, BootDevice::FlexspiNor, 0x1000, 0x2000, true);
        expect_layout(dev, BootDevice::SerialDownloader, 0x0, 0x400, false);
        std::set<BootDevice> once;
        for (const auto& l : dev.boot_layouts) {
            EXPECT_TRUE(once.insert(l.device).second) << dev.name;
            EXPECT_GT(l.initial_load_size, l.ivt_offset) << dev.name;
        }
    }
}

struct UsbCase {
    const char* part;
    std::uint16_t rom_pid;
};

TEST(Devices, UsbIds) {
    const UsbCase cases[] = {
        {"mimxrt1010", 0x0145}, {"mimxrt1015", 0x0145}, {"mimxrt1020", 0x0130},
        {"mimxrt1024", 0x0130}, {"mimxrt1040", 0x0135}, {"mimxrt1043", 0x0135},
        {"mimxrt1046", 0x0135}, {"mimxrt1050", 0x0130}, {"mimxrt1060", 0x0135},
        {"mimxrt1064", 0x0135},
    };
    for (const auto& c : cases) {
        const Device& d = find_device(c.part);
        EXPECT_EQ(d.rom_usb.vid, 0x1FC9) << c.part;
        EXPECT_EQ(d.rom_usb.pid, c.rom_pid) << c.part;
        EXPECT_EQ(d.flashloader_usb.vid, 0x15A2) << c.part;
        EXPECT_EQ(d.flashloader_usb.pid, 0x0073) << c.part;
    }
}

TEST(Devices, FlashloaderAddresses) {
    EXPECT_EQ(find_device("mimxrt1020").flashloader_address, 0x20208000u);
    EXPECT_EQ(find_device("mimxrt1050").flashloader_address, 0x20000000u);
    EXPECT_EQ(find_device("mimxrt1060").flashloader_address, 0x20000000u);
    for (const auto& dev : all_devices()) {
        // The whole 0x400 preamble and the IVT must land in internal RAM.
        const MemoryRegion* r = dev.region_of(dev.flashloader_address, 0x400 + 0x20);
        ASSERT_NE(r, nullptr) << dev.name;
        EXPECT_FALSE(r->external) << dev.name;
        EXPECT_EQ(dev.flashloader_address % 0x400, 0u) << dev.name;
    }
}

TEST(Devices, CommBufferIsInInternalRam) {
    for (const auto& dev : all_devices()) {
        EXPECT_EQ(dev.comm_buffer, 0x2000u) << dev.name;
        EXPECT_EQ(dev.comm_buffer_size, 0x1000u) << dev.name;
        const MemoryRegion* r = dev.region_of(dev.comm_buffer, dev.comm_buffer_size);
        ASSERT_NE(r, nullptr) << dev.name;
        EXPECT_EQ(r->name, "itcm") << dev.name;
    }
}

TEST(Devices, RegionOf) {
    const Device& d = find_device("mimxrt1020");
    const MemoryRegion* flash = d.region_of(0x60002000, 0x1000);
    ASSERT_NE(flash, nullptr);
    EXPECT_EQ(flash->name, "flexspi");
    EXPECT_TRUE(flash->xip);
    EXPECT_TRUE(flash->external);

    const MemoryRegion* ocram = d.region_of(0x20200000, 0x40000);
    ASSERT_NE(ocram, nullptr);
    EXPECT_EQ(ocram->name, "ocram");
    EXPECT_FALSE(ocram->external);
    EXPECT_FALSE(ocram->xip);
    EXPECT_EQ(d.region_of(0x20200000, 0x40001), nullptr);  // runs past the end of OCRAM
    EXPECT_EQ(d.region_of(0x2023FFFF)->name, "ocram");
    EXPECT_EQ(d.region_of(0x20240000), nullptr);

    const MemoryRegion* sdram = d.region_of(0x80002000);
    ASSERT_NE(sdram, nullptr);
    EXPECT_EQ(sdram->name, "sdram");
    EXPECT_TRUE(sdram->external);
    EXPECT_FALSE(sdram->xip);
    EXPECT_NE(d.region_of(0xDFFFFFFF), nullptr);
    EXPECT_EQ(d.region_of(0xDFFFFFFF, 2), nullptr);
    EXPECT_EQ(d.region_of(0xFFFFFFFF, 0x10), nullptr);
    EXPECT_EQ(d.region_of(0x10000000), nullptr);
    EXPECT_EQ(d.region_of(0x00000000)->name, "itcm");
    EXPECT_EQ(d.region_of(0x20000000)->name, "dtcm");

    EXPECT_EQ(find_device("mimxrt1010").region_of(0x80000000), nullptr);  // no SEMC
    EXPECT_EQ(find_device("mimxrt1015").region_of(0x80000000), nullptr);
    EXPECT_EQ(find_device("mimxrt1020").region_of(0x70000000), nullptr);
}

TEST(Devices, Rt106xHaveFlexspi2AtItsReferenceManualAddress) {
    for (const char* part : {"mimxrt1060", "mimxrt1064"}) {
        const Device& d = find_device(part);
        const MemoryRegion* r = d.region_of(0x70000000, 4 * 1024 * 1024);  // RT1064 SiP flash
        ASSERT_NE(r, nullptr) << part;
        EXPECT_EQ(r->name, "flexspi2");
        EXPECT_EQ(r->size, 0x0F000000u);
        EXPECT_TRUE(r->xip);
        EXPECT_EQ(d.region_of(0x60000000)->name, "flexspi");
        EXPECT_EQ(d.region_of(0x30000000), nullptr) << part;
        EXPECT_EQ(d.region_of(0x20200000, 0x100000)->name, "ocram");
    }
}

TEST(Devices, RegionsAreSortedAndDisjoint) {
    for (const auto& dev : all_devices()) {
        std::set<std::string_view> names;
        for (std::size_t i = 0; i < dev.memory.size(); ++i) {
            const auto& r = dev.memory[i];
            EXPECT_TRUE(names.insert(r.name).second) << dev.name << " " << r.name;
            EXPECT_GT(r.size, 0u);
            EXPECT_EQ(r.xip, r.name.starts_with("flexspi")) << dev.name << " " << r.name;
            if (i > 0) {
                const auto& prev = dev.memory[i - 1];
                EXPECT_GE(r.start, static_cast<std::uint64_t>(prev.start) + prev.size)
                    << dev.name << " " << prev.name << " overlaps " << r.name;
            }
        }
    }
}

TEST(Fuses, SrkWordsAreConsecutive) {
    for (const auto& dev : all_devices()) {
        for (std::uint32_t i = 0; i < 8; ++i) {
            const FuseWord* w = dev.fuse("SRK" + std::to_string(i));
            ASSERT_NE(w, nullptr) << dev.name << " SRK" << i;
            EXPECT_EQ(w->index, 0x18 + i) << dev.name;
            EXPECT_EQ(w->shadow, 0x401F4580 + 0x10 * i) << dev.name;
        }
        EXPECT_EQ(dev.fuse("SRK8"), nullptr);
    }
}

TEST(Fuses, IndexFollowsTheShadowAddress) {
    for (const auto& dev : all_devices()) {
        std::set<std::string_view> names;
        std::set<std::uint32_t> indexes;
        for (const auto& w : dev.fuses) {
            EXPECT_TRUE(names.insert(w.name).second) << dev.name << " " << w.name;
            EXPECT_TRUE(indexes.insert(w.index).second) << dev.name << " " << w.name;
            EXPECT_FALSE(w.reference_name.empty()) << dev.name << " " << w.name;
            ASSERT_GE(w.shadow, kOcotpBase + 0x400);
            const std::uint32_t offset = w.shadow - kOcotpBase;
            EXPECT_EQ(offset % 0x10, 0u) << dev.name << " " << w.name;
            const std::uint32_t expected =
                offset < 0x800 ? (offset - 0x400) / 0x10 : 0x30 + (offset - 0x800) / 0x10;
            EXPECT_EQ(w.index, expected) << dev.name << " " << w.name;
            EXPECT_LT(offset, 0x900u) << dev.name << " " << w.name;
        }
    }
}

TEST(Fuses, BootAndLockWords) {
    for (const auto& dev : all_devices()) {
        const FuseWord* lock = dev.fuse("LOCK");
        ASSERT_NE(lock, nullptr) << dev.name;
        EXPECT_EQ(lock->index, 0u);
        EXPECT_EQ(lock->shadow, 0x401F4400u);
        const FuseWord* uuid0 = dev.fuse("UUID0");
        const FuseWord* uuid1 = dev.fuse("UUID1");
        ASSERT_TRUE(uuid0 && uuid1) << dev.name;
        EXPECT_EQ(uuid0->shadow, 0x401F4410u);
        EXPECT_EQ(uuid1->shadow, 0x401F4420u);
        for (std::uint32_t i = 0; i < 3; ++i) {
            const FuseWord* w = dev.fuse("BOOT_CFG" + std::to_string(i));
            ASSERT_NE(w, nullptr) << dev.name;
            EXPECT_EQ(w->index, 5 + i);
            EXPECT_EQ(w->shadow, 0x401F4450 + 0x10 * i);
        }
        for (std::uint32_t i = 0; i < 4; ++i) {
            const FuseWord* w = dev.fuse("SW_GP2_" + std::to_string(i));
            ASSERT_NE(w, nullptr) << dev.name;
            EXPECT_EQ(w->index, 0x29 + i);
        }

        const FuseField* sec = dev.fuse_field("SEC_CONFIG[1]");
        ASSERT_NE(sec, nullptr) << dev.name;
        EXPECT_EQ(sec->word, "BOOT_CFG1");
        EXPECT_EQ(sec->shift, 1);
        EXPECT_EQ(sec->width, 1);
        const FuseField* boot_lock = dev.fuse_field("BOOT_CFG_LOCK");
        ASSERT_NE(boot_lock, nullptr) << dev.name;
        EXPECT_EQ(boot_lock->word, "LOCK");
        EXPECT_EQ(boot_lock->shift, 2);
        EXPECT_EQ(boot_lock->width, 2);
        EXPECT_NE(dev.fuse_field("SDP_DISABLE"), nullptr) << dev.name;
        EXPECT_NE(dev.fuse_field("SW_GP2_LOCK"), nullptr) << dev.name;
        EXPECT_NE(dev.fuse_field("SRK_REVOKE1"), nullptr) << dev.name;
    }
}

TEST(Fuses, PartSpecificWords) {
    const Device& rt1010 = find_device("mimxrt1010");
    EXPECT_EQ(rt1010.fuse_field("SRK_LOCK"), nullptr);  // LOCK[14] is reserved on RT1010
    EXPECT_EQ(rt1010.fuse("MAC0"), nullptr);
    ASSERT_NE(rt1010.fuse("OTFAD_CFG"), nullptr);
    EXPECT_EQ(rt1010.fuse("OTFAD_CFG")->index, 0x23u);
    EXPECT_EQ(rt1010.fuse_field("OTFAD_ENABLE")->shift, 8);

    const FuseField* srk_lock = find_device("mimxrt1050").fuse_field("SRK_LOCK");
    ASSERT_NE(srk_lock, nullptr);
    EXPECT_EQ(srk_lock->word, "LOCK");
    EXPECT_EQ(srk_lock->shift, 14);
    EXPECT_EQ(find_device("mimxrt1050").fuse_field("DIR_BT_DIS")->shift, 3);
    EXPECT_EQ(find_device("mimxrt1020").fuse_field("ENCRYPTED_XIP")->shift, 0);
    EXPECT_EQ(find_device("mimxrt1050").fuse_field("ENCRYPTED_XIP")->shift, 1);

    const Device& rt1064 = find_device("mimxrt1064");
    ASSERT_NE(rt1064.fuse("MAC2"), nullptr);
    EXPECT_EQ(rt1064.fuse("MAC2")->index, 0x24u);
    ASSERT_NE(rt1064.fuse("GP4_0"), nullptr);
    EXPECT_EQ(rt1064.fuse("GP4_0")->index, 0x3Cu);
    EXPECT_EQ(rt1064.fuse("GP4_0")->shadow, 0x401F48C0u);
    EXPECT_EQ(rt1064.fuse("GP3"), nullptr);
    EXPECT_EQ(find_device("mimxrt1020").fuse("GP3")->index, 0x24u);
    EXPECT_EQ(find_device("mimxrt1020").fuse("MAC0")->shadow, 0x401F4620u);
}

TEST(Fuses, FieldsFitTheirWordsWithoutOverlap) {
    for (const auto& dev : all_devices()) {
        std::set<std::string_view> names;
        for (const auto& f : dev.fuse_fields) {
            EXPECT_TRUE(names.insert(f.name).second) << dev.name << " " << f.name;
            EXPECT_NE(dev.fuse(f.word), nullptr) << dev.name << " " << f.name;
            EXPECT_GE(f.width, 1) << dev.name << " " << f.name;
            EXPECT_LE(f.shift + f.width, 32) << dev.name << " " << f.name;
            EXPECT_FALSE(f.description.empty()) << dev.name << " " << f.name;
            for (const auto& g : dev.fuse_fields) {
                if (&f == &g || f.word != g.word)
                    continue;
                const bool disjoint = f.shift + f.width <= g.shift || g.shift + g.width <= f.shift;
                EXPECT_TRUE(disjoint) << dev.name << " " << f.name << " overlaps " << g.name;
            }
        }
    }
}

// NXP's flashloader images: the IVT sits at file offset 0x400 and names its own address; the image
// therefore loads at IVT self - 0x400, and Boot Data's start says the same.
void check_flashloader_vector(const char* folder, const char* part) {
    const auto vectors = test::vectors_dir();
    if (!vectors)
        GTEST_SKIP() << "RTPROV_VECTORS is not set";
    const Bytes image = read_file(*vectors / folder / "ivt_flashloader.bin");
    ASSERT_GE(image.size(), 0x440u);
    const std::uint8_t* ivt = image.data() + 0x400;
    ASSERT_EQ(ivt[0], 0xD1) << "no IVT tag at 0x400";
    ASSERT_EQ((ivt[1] << 8) | ivt[2], 0x20) << "IVT length";
    const std::uint32_t self = load_le32(ivt + 0x14);
    const std::uint32_t boot_data = load_le32(ivt + 0x10);
    const std::uint32_t boot_data_start = load_le32(image.data() + 0x400 + (boot_data - self));
    const Device& dev = find_device(part);
    EXPECT_EQ(self - 0x400, dev.flashloader_address) << part;
    EXPECT_EQ(boot_data_start, dev.flashloader_address) << part;
    EXPECT_NE(dev.region_of(dev.flashloader_address, image.size()), nullptr) << part;
}

TEST(Vectors, Rt1020FlashloaderAddress) {
    check_flashloader_vector("rt1020-evk", "mimxrt1020");
}

TEST(Vectors, Rt1050FlashloaderAddress) {
    check_flashloader_vector("rt1050-evkb", "mimxrt1050");
}

}  // namespace
}  // namespace rtprov::device
