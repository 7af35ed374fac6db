#pragma once
// The device database: every i.MX RT10xx part rtprov supports, compiled into the binary. Facts come
// from NXP's device database (SPSDK data/devices, see ARCHITECTURE.md for the mapping); where a
// value is not in it (or SPSDK is wrong for the silicon) the table says so in a comment.
//
// Parts: mimxrt1010, mimxrt1015, mimxrt1020, mimxrt1024, mimxrt1040, mimxrt1043, mimxrt1046,
// mimxrt1050, mimxrt1060, mimxrt1064.

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

namespace rtprov::device {

// Where the boot ROM loads the image from.
enum class BootDevice {
    FlexspiNor,
    FlexspiNand,
    SemcNor,
    SemcNand,
    Sd,
    Mmc,               // MMC and eMMC
    SerialDownloader,  // image loaded over SDP into RAM (the flashloader)
    RecoverySpi,
};

// Command-line / project names: "flexspi-nor", "flexspi-nand", "semc-nor", "semc-nand", "sd",
// "mmc" (alias "emmc"), "serial-downloader" (alias "ram", "internal-ram"), "recovery-spi".
// Case-insensitive, '_' accepted for '-' (SPSDK spells them "flexspi_nor"); nullopt otherwise.
std::optional<BootDevice> parse_boot_device(std::string_view name);
// The canonical command-line name ("flexspi-nor", ...).
std::string_view boot_device_name(BootDevice dev);
// All boot devices, in enum order (for help text and completion).
std::span<const BootDevice> all_boot_devices();

struct MemoryRegion {
    std::string_view name;  // "itcm", "dtcm", "ocram", "flexspi", "flexspi2", "sdram", ...
    std::uint32_t start;
    std::uint32_t size;
    bool external;  // needs the boot device / a DCD to be usable
    bool xip;       // code can execute in place here (FlexSPI)
    bool contains(std::uint64_t address, std::uint64_t length = 1) const {
        return address >= start && address + length <= static_cast<std::uint64_t>(start) + size;
    }
};

// Image layout the boot ROM expects on one boot device.
struct BootLayout {
    BootDevice device;
    std::uint32_t ivt_offset;         // offset of the IVT from the start of the boot device
    std::uint32_t initial_load_size;  // bytes the ROM loads first; the app follows at this offset
    bool has_fcb;  // FlexSPI NOR: a 512-byte config block at fcb_offset (BEE headers at 0x400 and
                   // 0x800 on BEE parts when fcb_offset is 0)
    std::uint32_t fcb_offset = 0;  // 0 on most parts; 0x400 on RT1010 (OTFAD key blob at 0)
};

struct UsbId {
    std::uint16_t vid;
    std::uint16_t pid;
};

// OCOTP controller base on every RT10xx part; FuseWord::shadow = kOcotpBase + fuse-map offset
// (0x400 for word 0).
inline constexpr std::uint32_t kOcotpBase = 0x401F4000;

// One fuse word (OTP shadow register) rtprov reads or programs.
struct FuseWord {
    std::string_view name;  // "LOCK", "UUID0", "BOOT_CFG0".."BOOT_CFG2", "SRK0".."SRK7", ...
    std::uint32_t index;    // OTP word index as blhost efuse-program-once takes it. Words at
                            // fuse-map offset 0x400..0x6F0 have index (offset - 0x400) / 0x10;
                            // the bank at 0x800.. continues at index 0x30 (not 0x40).
    std::uint32_t shadow;   // absolute OCOTP shadow register address (kOcotpBase + offset)
    std::string_view reference_name = {};  // the register's name in SPSDK's fuses.json
};

// A named bit field inside a fuse word.
struct FuseField {
    std::string_view name;  // "SEC_CONFIG[1]", "SRK_LOCK", "BOOT_CFG2", ...
    std::string_view word;  // FuseWord::name
    std::uint8_t shift;
    std::uint8_t width;
    std::string_view description;
};

struct Device {
    std::string_view name;         // "mimxrt1020"
    std::string_view description;  // "i.MX RT1020 (RT1021)"
    std::string_view core;         // "Cortex-M7 500 MHz"
    std::span<const MemoryRegion> memory;
    UsbId rom_usb;          // boot ROM (SDP)
    UsbId flashloader_usb;  // MCUBoot flashloader
    std::span<const BootLayout> boot_layouts;
    std::uint32_t flashloader_address;  // where the flashloader image (IVT at +0x400) is loaded
    std::uint32_t comm_buffer;          // flashloader communication buffer (address)
    std::uint32_t comm_buffer_size;
    std::span<const FuseWord> fuses;
    std::span<const FuseField> fuse_fields;
    std::span<const std::string_view> aliases;  // other accepted names ("rt1021", "rt102x")
    std::string_view notes;  // facts worth knowing about this part (internal flash, caveats)

    // Layout for a boot device, or nullptr when the part cannot boot from it.
    const BootLayout* layout(BootDevice dev) const;
    // The memory region containing [address, address+length), or nullptr.
    const MemoryRegion* region_of(std::uint64_t address, std::uint64_t length = 1) const;
    // The fuse word with this exact name ("SRK0", "BOOT_CFG1"), or nullptr.
    const FuseWord* fuse(std::string_view word_name) const;
    // The fuse field with this exact name ("SEC_CONFIG[1]", "SRK_LOCK"), or nullptr.
    const FuseField* fuse_field(std::string_view field_name) const;
};

// All supported parts, in family order.
std::span<const Device> all_devices();

// Finds a part by name ("mimxrt1020", also "rt1020", "MIMXRT1020", "rt102x", "rt1021"), ignoring
// case. Throws Error(Usage) listing the known names when not found.
const Device& find_device(std::string_view name);

}  // namespace rtprov::device
