#pragma once
// The configuration block the simulated flashloader builds from a FlexSPI NOR option word (as
// NXP's flexspi_nor_get_config does from SFDP and the option): what configure-memory 0xF000000F
// then programs as the FCB.

#include <cstdint>

#include "rtprov/sim/flash.hpp"
#include "rtprov/util/bytes.hpp"

namespace rtprov::sim {

// A 512-byte FCB for `option` (flash type, pads, frequency) and the probed `geometry`:
// HyperFlash and octal flash sampled with the flash's DQS on 8 pads, QuadSPI with the DQS pad
// loopback on 4 pads.
Bytes fcb_from_option(std::uint32_t option, const FlashGeometry& geometry);

}  // namespace rtprov::sim
