#pragma once
// The write plan of a package: where each image goes on its boot device and the ordered steps
// `rtprov write` runs (load the flashloader, configure memory, erase, write, verify, fuses,
// reset). Made by export_package and by the migration of older packages; the writer executes
// the stored steps and never re-derives them.

#include <functional>
#include <string>
#include <vector>

#include "rtprov/device/device.hpp"
#include "rtprov/pkg/manifest.hpp"
#include "rtprov/util/bytes.hpp"

namespace rtprov::pkg {

// MCUBoot memory id of a boot device (9 FlexSPI NOR, 8 SEMC NOR, 0x100 SEMC NAND, 0x101 FlexSPI
// NAND, 0x110 SPI NOR, 0x120 SD, 0x121 MMC); 0 for the serial downloader (RAM: nothing to write).
std::uint32_t boot_device_memory_id(device::BootDevice boot_device);

// Where `data` (a bootable image for `boot_device`, `file` in the package) goes: file byte 0 at
// boot-device offset (layout IVT offset - IVT file offset), as a FlexSPI/SEMC window address for
// NOR or a byte offset for block devices. Throws Error(BadInput) naming `file` when it holds no
// IVT or its IVT sits too far into the file for the layout.
ImageEntry place_image(const device::Device& device, device::BootDevice boot_device,
                       const std::string& file, ByteView data, bool is_signed);

// A flashloader image (IVT + boot data, loaded over SDP): load address = address of file byte 0,
// jump to its IVT. Throws Error(BadInput) naming `file` when it holds no IVT.
FlashloaderEntry place_flashloader(const std::string& file, ByteView data, bool is_signed);

// FlexSPI NOR option word rtprov configures with when an image carries no FCB: QuadSPI NOR,
// SFDP auto-detection, 133 MHz (NXP's 0xC0000007).
inline constexpr std::uint32_t kDefaultFlexspiNorOption = 0xC0000007;

// The steps for `manifest`'s images and fuses, in order: load-flashloader; per image with a
// memory id: configure-memory (with the image's FCB when it has one), erase, write, verify;
// program-fuses for every fuse word, lock-fuses per lock field; reset. `file_data` returns a
// package file's bytes.
std::vector<WriteStep> make_write_plan(
    const Manifest& manifest, const std::function<ByteView(const std::string&)>& file_data);

}  // namespace rtprov::pkg
