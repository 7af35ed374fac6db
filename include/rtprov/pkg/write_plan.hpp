#pragma once
// The write plan of a package: where each image goes on its boot device and the ordered steps
// `rtprov write` runs (load the flashloader, configure memory, erase, write, verify, fuses,
// reset). Made by export_package and by the migration of older packages; the writer executes
// the stored steps and never re-derives them.

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "rtprov/boot/flash_option.hpp"
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

// FlexSPI NOR option word rtprov configures with when an image carries no FCB and nothing else
// says: QuadSPI NOR, SFDP auto-detection, 133 MHz (NXP's 0xC0000007).
inline constexpr std::uint32_t kDefaultFlexspiNorOption = boot::kDefaultFlexspiNorOption;

// How the plan gets an FCB into the flash for a FlexSPI NOR image that carries none (decided by
// export_package, flash_plan.hpp): the flash option word, and the package file holding the
// project's FCB when the project has one ("": the flashloader makes the FCB from `option`).
struct NorFcbPlan {
    std::uint32_t option = kDefaultFlexspiNorOption;
    std::string fcb_file;
};

// What a configure-memory step does, for README.txt and the write log: "0x9 with option
// 0xC0233007 (HyperFlash 1V8, 8-pad commands, 133 MHz)", "0x9 with the FCB of images/fcb.bin",
// "0x9 with option 0xF000000F: the flashloader programs its configuration as the FCB".
std::string describe_configuration(const WriteStep& configure);

// A flashloader option block (tag 0xE) that makes the flashloader encrypt while it writes, with
// a key only the part knows (its OTPMK): BEE on the RT1050/1060/1064 (0xE01N0000, then N FAC
// start/length pairs; it writes the BEE header at 0x400) or OTFAD on the RT1010 (0xE000KN00, K
// the OTPMK half, then N start/inclusive-end pairs; it writes the key blob table at offset 0).
enum class EncryptEngine { Bee, Otfad };
struct EncryptedRange {
    std::uint32_t start = 0;
    std::uint32_t length = 0;
};
struct EncryptOnWrite {
    EncryptEngine engine = EncryptEngine::Bee;
    std::vector<EncryptedRange> ranges;
};
// The encrypt-on-write option block of a configure-memory step, or nullopt for any other step.
// Pairs the block lacks are left out (the validator compares the count with the pairs).
std::optional<EncryptOnWrite> encrypt_on_write(const WriteStep& step);

// Address of the FCB on the FlexSPI NOR flash whose window holds `image_address`: the window
// start + the layout's FCB offset (0x400 on the RT1010). Throws Error(Internal) when `device`
// has no FlexSPI NOR layout.
std::uint32_t flexspi_fcb_address(const device::Device& device, std::uint32_t image_address);

// The name of a HAB-encrypted image's DEK in the package's secrets.
inline constexpr std::string_view kDekSecret = "hab-dek";

// Where on its boot device the CSF of image `img` (its bytes `data`) reads the DEK blob: the
// address of its Install Secret Key mapped from memory to the device; nullopt when the image is
// not HAB-encrypted. Throws Error(BadInput) naming the file for a malformed CSF or a blob
// address before the image.
std::optional<std::uint32_t> dek_blob_on_device(const ImageEntry& img, ByteView data);

// The steps for `manifest`'s images and fuses, in order: load-flashloader; per image with a
// memory id: configure-memory (with the image's FCB when it has one), erase, write, verify;
// program-fuses for every fuse word, lock-fuses per lock field; reset. `file_data` returns a
// package file's bytes. A FlexSPI NOR image without an FCB is configured with `nor_fcb`'s option
// (then its FCB file), its FCB sector is erased too and configure-memory 0xF000000F makes the
// flashloader program the FCB before the image is written; without `nor_fcb` (packages of
// older schemas) it is only configured with kDefaultFlexspiNorOption, as rtprov 0.2 planned.
// A HAB-encrypted image whose DEK is among the manifest's secrets gets its blob made on the part:
// the erase covers the blob's reserved 0x200 bytes and a key-blob step follows the verify.
std::vector<WriteStep> make_write_plan(const Manifest& manifest,
                                       const std::function<ByteView(const std::string&)>& file_data,
                                       const std::optional<NorFcbPlan>& nor_fcb = std::nullopt);

}  // namespace rtprov::pkg
