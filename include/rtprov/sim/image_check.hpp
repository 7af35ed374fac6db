#pragma once
// The checks the simulated boot ROM applies to an image before running it: an IVT at the expected
// address, an entry point inside the loaded image and, on a closed part (SEC_CONFIG[1]), HAB
// authentication against the SRK fuses. Used by SDP JUMP_ADDRESS (image in RAM) and by the boot
// check of the flash content.

#include <cstdint>
#include <string>

#include "rtprov/sim/chip.hpp"

namespace rtprov::sim {

struct Verdict {
    bool ok = false;
    std::string reason;  // why not (empty when ok), or a note when ok ("HAB open: not checked")
};

// JUMP_ADDRESS: is there a runnable IVT at `ivt_address` in RAM, with its entry inside the bytes
// the host loaded ([loaded_start, loaded_end))? On a closed part the image the boot data covers is
// HAB-verified.
Verdict check_ram_jump(const Chip& chip, std::uint32_t ivt_address, std::uint32_t loaded_start,
                       std::uint32_t loaded_end);

// Would the chip boot from its FlexSPI NOR flash? FCB present and valid at the layout's offset,
// IVT at the layout's IVT offset, entry inside the image, HAB verification when closed.
Verdict check_flash_boot(const Chip& chip);

// On a closed part: verifies `image` (a bootable image as the ROM sees it, data[0] at the boot
// data start) against the SRK fuses. Open parts pass without a check.
Verdict check_hab(const Chip& chip, ByteView image, const std::string& name);

}  // namespace rtprov::sim
