// The RT10xx family table. Every value is from SPSDK's data/devices/<part>/database.yaml with its
// "alias:" parent chain resolved (the child's keys override the parent's), unless a comment says
// "unverified" or names another source. device_test.cpp cross-checks the table against the YAML.

#include <array>

#include "fuse_maps.hpp"
#include "rtprov/device/device.hpp"

namespace rtprov::device {

namespace {

using enum BootDevice;

// ---- Memory maps (info.memory_map) ----------------------------------------------------------

constexpr MemoryRegion kFlexspi{"flexspi", 0x60000000, 0x10000000, true, true};
constexpr MemoryRegion kSdram{"sdram", 0x80000000, 0x60000000, true, false};  // SEMC window

// RT1010, RT1015: 128 KB FlexRAM; SPSDK lists each TCM/OCRAM view at the full 128 KB.
constexpr std::array kRt1010Memory{
    MemoryRegion{"itcm", 0x00000000, 0x20000, false, false},
    MemoryRegion{"dtcm", 0x20000000, 0x20000, false, false},
    MemoryRegion{"ocram", 0x20200000, 0x20000, false, false},
    kFlexspi,
};

constexpr std::array kRt1020Memory{
    MemoryRegion{"itcm", 0x00000000, 0x40000, false, false},
    MemoryRegion{"dtcm", 0x20000000, 0x40000, false, false},
    MemoryRegion{"ocram", 0x20200000, 0x40000, false, false},
    kFlexspi,
    kSdram,
};

constexpr std::array kRt1050Memory{
    MemoryRegion{"itcm", 0x00000000, 0x80000, false, false},
    MemoryRegion{"dtcm", 0x20000000, 0x80000, false, false},
    MemoryRegion{"ocram", 0x20200000, 0x80000, false, false},
    kFlexspi,
    kSdram,
};

// RT1060 and RT1064 (mimxrt1064/database.yaml). SPSDK's mimxrt1060 overlay instead lists
// flexspi1 at 0x30000000 and flexspi2 at 0x60000000 (0x1F800000 bytes): that is the RT1170 map,
// not the RT1060's, whose reference manual puts FlexSPI at 0x60000000 and FlexSPI2 at 0x70000000
// like the RT1064. We use the RT1064 map for both.
constexpr std::array kRt1060Memory{
    MemoryRegion{"itcm", 0x00000000, 0x80000, false, false},
    MemoryRegion{"dtcm", 0x20000000, 0x80000, false, false},
    MemoryRegion{"ocram", 0x20200000, 0x100000, false, false},
    kFlexspi,
    MemoryRegion{"flexspi2", 0x70000000, 0x0F000000, true, true},
    kSdram,
};

// ---- Boot layouts (bootable_image.mem_types.*.segments.hab_container = IVT offset,
//      hab.mem_types.*.initial_load_size) ----------------------------------------------------

// SPSDK has no initial_load_size for serial_downloader on RT1010/RT1015 and none for semc_nor or
// recovery_spi_hab on any part. Unverified, chosen by the ROM's rule for the same IVT offset:
// serial downloader 0x400 (as on RT102x), SEMC NOR 0x2000 (IVT at 0x1000 like FlexSPI NOR),
// recovery SPI 0x1000 (IVT at 0x400 like SD/NAND).
constexpr BootLayout kSerialDownloader{SerialDownloader, 0x000, 0x400, false};
constexpr BootLayout kFlexspiNand{FlexspiNand, 0x400, 0x1000, false};
constexpr BootLayout kSemcNor{SemcNor, 0x1000, 0x2000, false};
constexpr BootLayout kSemcNand{SemcNand, 0x400, 0x1000, false};
constexpr BootLayout kSd{Sd, 0x400, 0x1000, false};
constexpr BootLayout kMmc{Mmc, 0x400, 0x1000, false};  // SPSDK's "mmc" and "emmc"
constexpr BootLayout kRecoverySpi{RecoverySpi, 0x400, 0x1000, false};

// RT1010: key blob at 0, FCB at 0x400, IVT at 0x1000.
constexpr std::array kRt1010Layouts{
    kSerialDownloader,
    BootLayout{FlexspiNor, 0x1000, 0x2000, true, 0x400},
};

constexpr std::array kRt1015Layouts{
    kSerialDownloader,
    BootLayout{FlexspiNor, 0x1000, 0x2000, true, 0x000},
    kFlexspiNand,
    kRecoverySpi,
};

constexpr std::array kRt1020Layouts{
    kSerialDownloader,
    BootLayout{FlexspiNor, 0x1000, 0x2000, true, 0x000},  // BEE headers at 0x400 and 0x800
    kFlexspiNand,
    kSemcNor,
    kSemcNand,
    kSd,
    kMmc,
    kRecoverySpi,
};

// ---- Names ----------------------------------------------------------------------------------

constexpr std::array<std::string_view, 2> kRt1010Aliases{"rt1010", "rt1011"};
constexpr std::array<std::string_view, 1> kRt1015Aliases{"rt1015"};
constexpr std::array<std::string_view, 3> kRt1020Aliases{"rt1020", "rt1021", "rt102x"};
constexpr std::array<std::string_view, 1> kRt1024Aliases{"rt1024"};
constexpr std::array<std::string_view, 4> kRt1040Aliases{"rt1040", "rt1041", "rt1042", "rt104x"};
constexpr std::array<std::string_view, 1> kRt1043Aliases{"rt1043"};
constexpr std::array<std::string_view, 1> kRt1046Aliases{"rt1046"};
constexpr std::array<std::string_view, 4> kRt1050Aliases{"rt1050", "rt1051", "rt1052", "rt105x"};
constexpr std::array<std::string_view, 4> kRt1060Aliases{"rt1060", "rt1061", "rt1062", "rt106x"};
constexpr std::array<std::string_view, 1> kRt1064Aliases{"rt1064"};

// ---- Shared values --------------------------------------------------------------------------

constexpr UsbId kRomRt1010{0x1FC9, 0x0145};
constexpr UsbId kRomRt1020{0x1FC9, 0x0130};
constexpr UsbId kRomRt1060{0x1FC9, 0x0135};
constexpr UsbId kFlashloaderUsb{0x15A2, 0x0073};

// features.comm_buffer, the same on every part: 4 KB at 0x2000 (ITCM).
constexpr std::uint32_t kCommBuffer = 0x2000;
constexpr std::uint32_t kCommBufferSize = 0x1000;

// Flashloader load addresses (image start; the IVT follows at +0x400). Verified against NXP's
// ivt_flashloader.bin: RT1020 (IVT self 0x20208400: OCRAM above the first 32 KB) and RT1050 (IVT
// self 0x20000400: DTCM). Other parts take the value of the part whose ROM and RAM layout they
// share; each use below says whether it is verified.
constexpr std::uint32_t kFlashloaderOcram = 0x20208000;
constexpr std::uint32_t kFlashloaderDtcm = 0x20000000;

constexpr Device kRt1040 = Device{
    .name = "mimxrt1040",
    .description = "i.MX RT1040 (RT1041, RT1042)",
    .core = "Cortex-M7 600 MHz",
    .memory = kRt1050Memory,
    .rom_usb = kRomRt1060,
    .flashloader_usb = kFlashloaderUsb,
    .boot_layouts = kRt1020Layouts,
    .flashloader_address = kFlashloaderDtcm,  // unverified: as RT1050/RT1060
    .comm_buffer = kCommBuffer,
    .comm_buffer_size = kCommBufferSize,
    .fuses = fuse_maps::kRt1060Words,
    .fuse_fields = fuse_maps::kRt1060Fields,
    .aliases = kRt1040Aliases,
    .notes = "SPSDK data: overlay of mimxrt1024 (memory map, ROM USB ID).",
};

// RT1043 and RT1046 are SPSDK aliases of RT1040 with no overrides: every fact is RT1040's but the
// name (the core clock is not given for them).
constexpr Device rt1040_variant(std::string_view name, std::string_view description,
                                std::span<const std::string_view> aliases) {
    Device d = kRt1040;
    d.name = name;
    d.description = description;
    d.core = "Cortex-M7";
    d.aliases = aliases;
    d.notes = "SPSDK data: alias of mimxrt1040 with no overrides; every value is RT1040's.";
    return d;
}

constexpr std::array kDevices{
    Device{
        .name = "mimxrt1010",
        .description = "i.MX RT1010 (RT1011)",
        .core = "Cortex-M7 500 MHz",
        .memory = kRt1010Memory,
        .rom_usb = kRomRt1010,
        .flashloader_usb = kFlashloaderUsb,
        .boot_layouts = kRt1010Layouts,
        // Unverified: no NXP RT1010 flashloader image to check. The RT1010 ROM reserves OCRAM
        // 0x20200000..0x202057FF (NXP's MCUBootUtility, RT1011 target), so the image starts at
        // the first free byte and its IVT sits at 0x20205C00, where MCUBootUtility's RT1011
        // flashloader puts its IVT too.
        .flashloader_address = 0x20205800,
        .comm_buffer = kCommBuffer,
        .comm_buffer_size = kCommBufferSize,
        .fuses = fuse_maps::kRt1010Words,
        .fuse_fields = fuse_maps::kRt1010Fields,
        .aliases = kRt1010Aliases,
        .notes = "OTFAD (not BEE) for encrypted XIP: key blob at flash offset 0, FCB at 0x400. "
                 "Boots from FlexSPI NOR or the serial downloader only.",
    },
    Device{
        .name = "mimxrt1015",
        .description = "i.MX RT1015",
        .core = "Cortex-M7 500 MHz",
        .memory = kRt1010Memory,
        // SPSDK says 1FC9:0145 (as RT1010); NXP's MCUBootUtility uses 1FC9:0130 for RT1015.
        // Unverified on silicon; we keep SPSDK's value.
        .rom_usb = kRomRt1010,
        .flashloader_usb = kFlashloaderUsb,
        .boot_layouts = kRt1015Layouts,
        // Unverified against an NXP image; NXP's MCUBootUtility loads the stock RT1015
        // flashloader at 0x20208000 and jumps to 0x20208400, as on RT1020.
        .flashloader_address = kFlashloaderOcram,
        .comm_buffer = kCommBuffer,
        .comm_buffer_size = kCommBufferSize,
        .fuses = fuse_maps::kRt1020Words,
        .fuse_fields = fuse_maps::kRt1020Fields,
        .aliases = kRt1015Aliases,
        .notes = "No SEMC: no SDRAM, SEMC or SD/MMC boot.",
    },
    Device{
        .name = "mimxrt1020",
        .description = "i.MX RT1020 (RT1021)",
        .core = "Cortex-M7 500 MHz",
        .memory = kRt1020Memory,
        .rom_usb = kRomRt1020,
        .flashloader_usb = kFlashloaderUsb,
        .boot_layouts = kRt1020Layouts,
        .flashloader_address = kFlashloaderOcram,  // verified (NXP ivt_flashloader.bin)
        .comm_buffer = kCommBuffer,
        .comm_buffer_size = kCommBufferSize,
        .fuses = fuse_maps::kRt1020Words,
        .fuse_fields = fuse_maps::kRt1020Fields,
        .aliases = kRt1020Aliases,
        .notes = "SPSDK data: alias of mimxrt1024.",
    },
    Device{
        .name = "mimxrt1024",
        .description = "i.MX RT1024 (RT1020 with 4 MB in-package flash)",
        .core = "Cortex-M7 500 MHz",
        .memory = kRt1020Memory,
        .rom_usb = kRomRt1020,
        .flashloader_usb = kFlashloaderUsb,
        .boot_layouts = kRt1020Layouts,
        .flashloader_address = kFlashloaderOcram,  // unverified: same ROM as RT1020
        .comm_buffer = kCommBuffer,
        .comm_buffer_size = kCommBufferSize,
        .fuses = fuse_maps::kRt1020Words,
        .fuse_fields = fuse_maps::kRt1020Fields,
        .aliases = kRt1024Aliases,
        .notes = "The 4 MB in-package QSPI flash is on FlexSPI at 0x60000000.",
    },
    kRt1040,
    rt1040_variant("mimxrt1043", "i.MX RT1043 (RT1040 variant)", kRt1043Aliases),
    rt1040_variant("mimxrt1046", "i.MX RT1046 (RT1040 variant)", kRt1046Aliases),
    Device{
        .name = "mimxrt1050",
        .description = "i.MX RT1050 (RT1051, RT1052)",
        .core = "Cortex-M7 600 MHz",
        .memory = kRt1050Memory,
        .rom_usb = kRomRt1020,
        .flashloader_usb = kFlashloaderUsb,
        .boot_layouts = kRt1020Layouts,
        .flashloader_address = kFlashloaderDtcm,  // verified (NXP ivt_flashloader.bin)
        .comm_buffer = kCommBuffer,
        .comm_buffer_size = kCommBufferSize,
        .fuses = fuse_maps::kRt1050Words,
        .fuse_fields = fuse_maps::kRt1050Fields,
        .aliases = kRt1050Aliases,
        .notes = "SPSDK data: overlay of mimxrt1024 (memory map).",
    },
    Device{
        .name = "mimxrt1060",
        .description = "i.MX RT1060 (RT1061, RT1062)",
        .core = "Cortex-M7 600 MHz",
        .memory = kRt1060Memory,
        .rom_usb = kRomRt1060,
        .flashloader_usb = kFlashloaderUsb,
        .boot_layouts = kRt1020Layouts,
        // Unverified against an NXP image; the usual RT1060 flow (sdphost write-file 0x20000000,
        // jump-address 0x20000400) matches RT1050's verified value.
        .flashloader_address = kFlashloaderDtcm,
        .comm_buffer = kCommBuffer,
        .comm_buffer_size = kCommBufferSize,
        .fuses = fuse_maps::kRt1060Words,
        .fuse_fields = fuse_maps::kRt1060Fields,
        .aliases = kRt1060Aliases,
        .notes = "SPSDK data: alias of mimxrt1064; SPSDK's RT1060 memory map (flexspi1 at "
                 "0x30000000) is not used, see devices_data.cpp.",
    },
    Device{
        .name = "mimxrt1064",
        .description = "i.MX RT1064 (RT1060 with 4 MB in-package flash)",
        .core = "Cortex-M7 600 MHz",
        .memory = kRt1060Memory,
        .rom_usb = kRomRt1060,
        .flashloader_usb = kFlashloaderUsb,
        .boot_layouts = kRt1020Layouts,
        // Unverified against an NXP image; NXP's MCUBootUtility loads the stock RT1064
        // flashloader at 0x20000000 and jumps to 0x20000400.
        .flashloader_address = kFlashloaderDtcm,
        .comm_buffer = kCommBuffer,
        .comm_buffer_size = kCommBufferSize,
        .fuses = fuse_maps::kRt1060Words,
        .fuse_fields = fuse_maps::kRt1060Fields,
        .aliases = kRt1064Aliases,
        .notes = "The 4 MB in-package flash is on FlexSPI2 at 0x70000000; external FlexSPI NOR "
                 "is at 0x60000000.",
    },
};

}  // namespace

std::span<const Device> all_devices() {
    return kDevices;
}

}  // namespace rtprov::device
