#pragma once
// Sector-by-sector comparison of an image with what a flash already holds, for --skip-unchanged
// and for resuming an interrupted write: sectors that already match are left alone, erased
// sectors are only written, the rest are erased and written.

#include <cstdint>
#include <vector>

#include "rtprov/util/bytes.hpp"

namespace rtprov::write {

enum class SectorAction {
    Keep,        // the flash already holds the image's bytes
    Write,       // erased (all 0xFF): program without erasing
    EraseWrite,  // anything else
};

// The image's part of one sector: [address, address + length).
struct SectorPlan {
    std::uint32_t address = 0;
    std::uint32_t length = 0;
    SectorAction action = SectorAction::EraseWrite;
    friend bool operator==(const SectorPlan&, const SectorPlan&) = default;
};

// Compares `image` (to go at `address`) with `flash` (read back from the same range, same size)
// per sector of `sector_size` bytes (a power of two). The first and last sectors may be partial.
std::vector<SectorPlan> compare_sectors(std::uint32_t address, ByteView image, ByteView flash,
                                        std::uint32_t sector_size);

// A contiguous address range.
struct Range {
    std::uint32_t address = 0;
    std::uint32_t length = 0;
    friend bool operator==(const Range&, const Range&) = default;
};

// Adjacent sectors whose action is one of `actions`, merged into ranges, in address order.
std::vector<Range> sector_runs(const std::vector<SectorPlan>& sectors,
                               std::initializer_list<SectorAction> actions);

// [address, address + length) widened to whole sectors of `sector_size` (a power of two).
Range align_to_sectors(std::uint32_t address, std::uint64_t length, std::uint32_t sector_size);

}  // namespace rtprov::write
