#pragma once
// A FlexSPI NOR flash as the simulator sees it: erase sets whole sectors to 0xFF, programming
// can only clear bits (AND) and wraps inside a page like a real NOR page program. Storage is
// sparse: sectors never programmed take no memory.

#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <utility>
#include <vector>

#include "rtprov/util/bytes.hpp"

namespace rtprov::sim {

struct FlashGeometry {
    std::uint32_t size = 8 * 1024 * 1024;
    std::uint32_t sector_size = 4096;
    std::uint32_t page_size = 256;
    bool operator==(const FlashGeometry&) const = default;
};

enum class FlashStatus {
    Ok,
    OutOfRange,   // the range leaves the flash
    ProgramFail,  // a bit would have to go from 0 to 1 (the byte was not erased)
};

// [offset, offset + length) of flash content.
struct FlashRange {
    std::uint32_t offset = 0;
    std::uint32_t length = 0;
    bool operator==(const FlashRange&) const = default;
};

class NorFlash {
  public:
    explicit NorFlash(FlashGeometry geometry = {});

    const FlashGeometry& geometry() const { return geometry_; }
    // Changes size/sector/page (e.g. after configure-memory); content inside the new size stays.
    void set_geometry(const FlashGeometry& geometry);

    // Erases every sector touching [offset, offset + length) (the flashloader rounds the same way).
    FlashStatus erase(std::uint32_t offset, std::uint32_t length);
    void erase_all();
    // One NOR page program: data.size() <= page size; bytes past the page end wrap to the page
    // start (real NOR). New = old AND data; ProgramFail when any byte needed a 0->1 (the AND is
    // still applied, as on silicon).
    FlashStatus program_page(std::uint32_t offset, ByteView data);
    // Programs any range, split at page boundaries as the flashloader's driver does.
    FlashStatus program(std::uint32_t offset, ByteView data);
    // Reads [offset, offset + out.size()); erased bytes read 0xFF. OutOfRange leaves out untouched.
    FlashStatus read(std::uint32_t offset, std::span<std::uint8_t> out) const;
    Bytes read(std::uint32_t offset, std::uint32_t length) const;

    // Ranges of sectors holding anything but 0xFF, merged, in address order.
    std::vector<FlashRange> used_ranges() const;
    // Storage blocks of kBlockSize bytes that were written since their last erase (offset ->
    // bytes), for persistence. Independent of the sector size.
    static constexpr std::uint32_t kBlockSize = 4096;
    const std::map<std::uint32_t, Bytes>& blocks() const { return blocks_; }
    // Restores one block (offset a multiple of kBlockSize, data kBlockSize bytes, inside the
    // flash).
    void load_block(std::uint32_t offset, ByteView data);

    // The geometry an FCB describes (sflashA1Size, sectorSize, pageSize), when `fcb` is a valid
    // 512-byte FlexSPI NOR config block with non-zero values; nullopt otherwise.
    static std::optional<FlashGeometry> geometry_from_fcb(ByteView fcb);

  private:
    void erase_bytes(std::uint32_t offset, std::uint32_t length);

    FlashGeometry geometry_;
    std::map<std::uint32_t, Bytes> blocks_;  // block offset -> kBlockSize bytes
};

}  // namespace rtprov::sim
