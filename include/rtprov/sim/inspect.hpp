#pragma once
// What `rtprov sim inspect` reports about a saved chip: part, program running at the last save,
// fuse words that are not zero, used flash ranges and whether the flash content would boot.

#include <string>
#include <vector>

#include "rtprov/sim/chip.hpp"
#include "rtprov/sim/image_check.hpp"

namespace rtprov::sim {

struct FuseValue {
    std::string name;
    std::uint32_t index = 0;
    std::uint32_t value = 0;
};

struct Inspection {
    std::string device;
    std::uint64_t uid = 0;  // UUID1:UUID0
    ChipMode mode = ChipMode::Rom;
    FlashGeometry geometry;
    std::vector<FuseValue> fuses;        // non-zero words, database order
    std::vector<FlashRange> flash_used;  // offsets from the flash start
    std::uint32_t flash_base = 0;
    bool hab_closed = false;
    Verdict boot;  // would it boot from FlexSPI NOR?
};

// Collects the inspection of `chip` (no I/O).
Inspection inspect(const Chip& chip);

}  // namespace rtprov::sim
