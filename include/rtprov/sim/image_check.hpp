#pragma once
// The checks the simulated boot ROM applies to an image before running it: an IVT at the expected
// address, an entry point inside the loaded image, on a closed part (SEC_CONFIG[1]) HAB
// authentication against the SRK fuses and, on every part, the decryption of a HAB-encrypted
// image: its CSF's Install Secret Key names a DEK blob that must open with this part's OTPMK
// (key_blob.hpp) and the Decrypt Data MAC must match with that DEK. Used by SDP JUMP_ADDRESS
// (image in RAM) and by the boot check of the flash content (with the BEE the fuses enable).

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

// The HAB part of the boot of `image` (a bootable image as the ROM sees it, data[0] at the boot
// data start): on a closed part verified against the SRK fuses; a HAB-encrypted image, on any
// part, needs its DEK blob inside `image` and a matching MAC. Failure reasons: "HAB closed:
// authentication failed: ...", "HAB-encrypted image: no DEK blob at 0x... (...)", "HAB-encrypted
// image: the DEK blob at 0x... was made by another part (it does not open with this part's
// OTPMK)", "... is damaged (its MAC does not match)", "HAB-encrypted image: Decrypt Data #1: MAC
// does not match ...", "HAB-encrypted image linked for XIP at 0x...: HAB cannot decrypt in place
// in XIP flash (...)". Open parts pass an image without a CSF unchecked.
Verdict check_hab(const Chip& chip, ByteView image, const std::string& name);

}  // namespace rtprov::sim
