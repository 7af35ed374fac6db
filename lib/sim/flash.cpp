#include "rtprov/sim/flash.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "rtprov/boot/fcb.hpp"
#include "rtprov/util/error.hpp"

namespace rtprov::sim {

namespace {

constexpr std::uint32_t kBlock = NorFlash::kBlockSize;

bool in_range(const FlashGeometry& g, std::uint64_t offset, std::uint64_t length) {
    return offset + length <= g.size;
}

}  // namespace

NorFlash::NorFlash(FlashGeometry geometry) : geometry_(geometry) {}

void NorFlash::set_geometry(const FlashGeometry& geometry) {
    geometry_ = geometry;
    std::erase_if(blocks_, [&](const auto& b) { return b.first >= geometry_.size; });
}

void NorFlash::erase_bytes(std::uint32_t offset, std::uint32_t length) {
    const std::uint64_t end = static_cast<std::uint64_t>(offset) + length;
    for (std::uint64_t at = offset; at < end;) {
        const auto block = static_cast<std::uint32_t>(at / kBlock * kBlock);
        const std::uint64_t stop = std::min<std::uint64_t>(end, block + std::uint64_t{kBlock});
        auto it = blocks_.find(block);
        if (it != blocks_.end()) {
            if (at == block && stop == block + std::uint64_t{kBlock}) {
                blocks_.erase(it);
            } else {
                std::fill(it->second.begin() + static_cast<std::ptrdiff_t>(at - block),
                          it->second.begin() + static_cast<std::ptrdiff_t>(stop - block), 0xFF);
            }
        }
        at = stop;
    }
}

FlashStatus NorFlash::erase(std::uint32_t offset, std::uint32_t length) {
    if (!in_range(geometry_, offset, length))
        return FlashStatus::OutOfRange;
    if (length == 0)
        return FlashStatus::Ok;
    const std::uint64_t s = geometry_.sector_size;
    const std::uint64_t first = offset / s * s;
    const std::uint64_t last = align_up(static_cast<std::uint64_t>(offset) + length, s);
    erase_bytes(static_cast<std::uint32_t>(first),
                static_cast<std::uint32_t>(std::min<std::uint64_t>(last, geometry_.size) - first));
    return FlashStatus::Ok;
}

void NorFlash::erase_all() {
    blocks_.clear();
}

FlashStatus NorFlash::program_page(std::uint32_t offset, ByteView data) {
    if (data.size() > geometry_.page_size || !in_range(geometry_, offset, 1))
        return FlashStatus::OutOfRange;
    const std::uint32_t page = offset / geometry_.page_size * geometry_.page_size;
    std::uint32_t column = offset - page;
    bool failed = false;
    for (std::uint8_t value : data) {
        const std::uint32_t at = page + column;
        if (at < geometry_.size) {
            auto it = blocks_.find(at / kBlock * kBlock);
            if (it == blocks_.end() && value != 0xFF)
                it = blocks_.emplace(at / kBlock * kBlock, Bytes(kBlock, 0xFF)).first;
            if (it != blocks_.end()) {
                std::uint8_t& cell = it->second[at % kBlock];
                failed = failed || (value & ~cell) != 0;
                cell = static_cast<std::uint8_t>(cell & value);
            }
        }
        column = (column + 1) % geometry_.page_size;  // the page buffer wraps, as on real NOR
    }
    return failed ? FlashStatus::ProgramFail : FlashStatus::Ok;
}

FlashStatus NorFlash::program(std::uint32_t offset, ByteView data) {
    if (!in_range(geometry_, offset, data.size()))
        return FlashStatus::OutOfRange;
    FlashStatus status = FlashStatus::Ok;
    std::size_t done = 0;
    while (done < data.size()) {
        const std::uint32_t at = offset + static_cast<std::uint32_t>(done);
        const std::size_t room = geometry_.page_size - at % geometry_.page_size;
        const std::size_t n = std::min(room, data.size() - done);
        if (program_page(at, data.subspan(done, n)) != FlashStatus::Ok)
            status = FlashStatus::ProgramFail;
        done += n;
    }
    return status;
}

FlashStatus NorFlash::read(std::uint32_t offset, std::span<std::uint8_t> out) const {
    if (!in_range(geometry_, offset, out.size()))
        return FlashStatus::OutOfRange;
    std::size_t done = 0;
    while (done < out.size()) {
        const std::uint32_t at = offset + static_cast<std::uint32_t>(done);
        const std::uint32_t block = at / kBlock * kBlock;
        const std::size_t n = std::min<std::size_t>(kBlock - (at - block), out.size() - done);
        auto it = blocks_.find(block);
        auto dst = out.begin() + static_cast<std::ptrdiff_t>(done);
        if (it == blocks_.end()) {
            std::fill_n(dst, n, 0xFF);
        } else {
            std::copy_n(it->second.begin() + (at - block), n, dst);
        }
        done += n;
    }
    return FlashStatus::Ok;
}

Bytes NorFlash::read(std::uint32_t offset, std::uint32_t length) const {
    Bytes out(length, 0xFF);
    if (read(offset, out) != FlashStatus::Ok)
        throw Error(ErrorCode::Internal,
                    fmt::format("flash read 0x{:X}+0x{:X} outside the flash", offset, length));
    return out;
}

std::vector<FlashRange> NorFlash::used_ranges() const {
    std::vector<FlashRange> out;
    const std::uint32_t s = std::max(geometry_.sector_size, kBlock);
    for (const auto& [offset, bytes] : blocks_) {
        if (std::all_of(bytes.begin(), bytes.end(), [](std::uint8_t b) { return b == 0xFF; }))
            continue;
        const std::uint32_t start = offset / s * s;
        if (!out.empty() && out.back().offset + out.back().length >= start) {
            out.back().length = std::max(out.back().length, start + s - out.back().offset);
        } else {
            out.push_back({start, s});
        }
    }
    return out;
}

void NorFlash::load_block(std::uint32_t offset, ByteView data) {
    if (offset % kBlock != 0 || data.size() != kBlock || !in_range(geometry_, offset, kBlock))
        throw Error(ErrorCode::BadInput,
                    fmt::format("flash block at 0x{:X} ({} bytes) does not fit a {}-byte flash",
                                offset, data.size(), geometry_.size));
    blocks_[offset] = Bytes(data.begin(), data.end());
}

std::optional<FlashGeometry> NorFlash::geometry_from_fcb(ByteView fcb) {
    if (fcb.size() < boot::kFcbSize || load_le32(fcb.data()) != boot::kFcbTag)
        return std::nullopt;
    try {
        const auto parsed = boot::parse_fcb(fcb.first(boot::kFcbSize), "FCB");
        FlashGeometry g;
        if (parsed.sflash_a1_size == 0 || parsed.sector_size == 0 || parsed.page_size == 0)
            return std::nullopt;
        g.size = parsed.sflash_a1_size;
        g.sector_size = parsed.sector_size;
        g.page_size = parsed.page_size;
        return g;
    } catch (const Error&) {
        return std::nullopt;
    }
}

}  // namespace rtprov::sim
