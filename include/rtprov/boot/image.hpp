#pragma once
// Bootable images: the layout the RT10xx boot ROM expects on each boot device (optional FCB, IVT,
// boot data, optional DCD, application), built from a memory image and parsed back.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "rtprov/boot/ivt.hpp"
#include "rtprov/device/device.hpp"
#include "rtprov/input/memory_image.hpp"

namespace rtprov::boot {

struct BuildOptions {
    const device::Device* device = nullptr;
    device::BootDevice boot_device = device::BootDevice::FlexspiNor;
    input::MemoryImage app;              // the application, at its link (load) addresses
    std::optional<std::uint32_t> entry;  // default: reset vector, word 1 of the app's vector table
    std::optional<Bytes> fcb;            // 512-byte FlexSPI NOR config block (flexspi-nor only)
    std::optional<Bytes> dcd;            // serialized DCD, placed at IVT + 0x40
    bool padding = true;  // include the boot-device area before the IVT (FCB / zeros)
    // A free layout (the project's `layout:`, nxpimage's ivtOffset/initialLoadSize) instead of
    // the boot device's: where the IVT is and where the app starts, from the image start.
    std::optional<std::uint32_t> ivt_offset;
    std::optional<std::uint32_t> initial_load_size;
};

// The layout build_image uses: the boot device's, with the overrides of `o` applied and checked
// (IVT word-aligned, IVT and boot data inside the initial load region, clear of the FCB). Throws
// Error(Usage) when the part cannot boot from the device, Error(BadInput) for a bad override.
device::BootLayout effective_layout(const BuildOptions& o);

struct BootImage {
    Bytes data;                     // the output file
    std::uint32_t address = 0;      // memory address of data[0]
    std::uint32_t image_start = 0;  // boot data start: address of boot-device offset 0
    std::uint32_t ivt_offset = 0;   // offset of the IVT from image_start
    Ivt ivt;
    BootData boot_data;
    std::uint32_t app_address = 0;
    std::uint32_t app_size = 0;
    std::uint32_t dcd_size = 0;
    bool has_fcb = false;
    std::vector<std::string> warnings;  // non-fatal findings for the CLI to show
};

// Lays out a bootable image exactly as NXP's tools do (elftosb / SPSDK bootable image):
//  - XIP apps (linked into FlexSPI) start the image at the FlexSPI base: FCB at 0, IVT at 0x1000;
//  - RAM apps start the image `initial_load_size` bytes below the app;
//  - IVT at the boot device's IVT offset, boot data right after it, DCD at IVT + 0x40, the app at
//    image_start + (app address - image_start); gaps are zero; boot data length = app end - start.
// Throws Error(BadInput/Usage) with the reason when the app does not fit the device or layout.
BootImage build_image(const BuildOptions& options);

// What `parse_boot_image` finds in a file.
struct ParsedImage {
    std::uint32_t ivt_file_offset = 0;  // where the IVT is in the file
    std::uint32_t file_address = 0;     // memory address of file byte 0
    Ivt ivt;
    BootData boot_data;
    std::optional<Bytes> fcb;  // 512 bytes when the file holds a FlexSPI config block
    std::uint32_t fcb_file_offset = 0;
    std::optional<std::uint32_t> dcd_file_offset;
    std::uint32_t dcd_size = 0;  // from the DCD header
    std::optional<std::uint32_t> app_file_offset;
    std::uint32_t app_address = 0;
    std::uint32_t app_size = 0;  // bytes from the app start to the app end in the file
    std::optional<std::uint32_t> csf_file_offset;  // when the IVT points at a CSF
    std::uint32_t csf_size = 0;                    // bytes of the CSF present in the file
    bool boot_data_covers_file = true;  // false when the boot data length exceeds the file
};

// Finds and parses the boot structures of a bootable image file (with or without the padding
// before the IVT). Throws Error(BadInput) naming `name` and the offsets tried when no IVT is
// found, or naming the offset of an inconsistent pointer.
ParsedImage parse_boot_image(ByteView file, const std::string& name);

}  // namespace rtprov::boot
