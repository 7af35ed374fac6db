#include "rtprov/input/memory_image.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "rtprov/util/error.hpp"

namespace rtprov::input {

void MemoryImage::add(std::uint32_t address, ByteView data, const std::string& origin) {
    if (data.empty())
        return;
    const std::uint64_t end = static_cast<std::uint64_t>(address) + data.size();
    if (end > 0x100000000ULL) {
        throw Error(ErrorCode::BadInput,
                    fmt::format("{}: {} bytes at 0x{:08X} run past the end of the 32-bit address "
                                "space",
                                origin, data.size(), address));
    }
    // First segment whose end is beyond `address`: the only candidates for overlap start there.
    auto it = std::lower_bound(segments_.begin(), segments_.end(), address,
                               [](const Segment& s, std::uint32_t a) { return s.end() <= a; });
    if (it != segments_.end() && it->address < end) {
        const std::uint32_t first = std::max(address, it->address);
        throw Error(
            ErrorCode::BadInput,
            fmt::format("{}: data at 0x{:08X}..0x{:08X} overlaps data from {} "
                        "(0x{:08X}..0x{:08X}), first overlapping byte 0x{:08X}",
                        origin, address, end - 1, it->origin, it->address, it->end() - 1, first));
    }
    if (it != segments_.begin()) {
        auto prev = std::prev(it);
        if (prev->end() == address) {
            prev->data.insert(prev->data.end(), data.begin(), data.end());
            // The grown segment may now touch the next one; merge to keep segments maximal.
            if (it != segments_.end() && prev->end() == it->address) {
                prev->data.insert(prev->data.end(), it->data.begin(), it->data.end());
                segments_.erase(it);
            }
            return;
        }
    }
    if (it != segments_.end() && it->address == end) {
        it->data.insert(it->data.begin(), data.begin(), data.end());
        it->address = address;
        return;
    }
    segments_.insert(it, Segment{address, Bytes(data.begin(), data.end()), origin});
}

std::uint32_t MemoryImage::start() const {
    return segments_.empty() ? 0 : segments_.front().address;
}

std::uint64_t MemoryImage::end() const {
    return segments_.empty() ? 0 : segments_.back().end();
}

std::uint64_t MemoryImage::byte_count() const {
    std::uint64_t n = 0;
    for (const auto& s : segments_)
        n += s.data.size();
    return n;
}

Bytes MemoryImage::flatten(std::uint8_t fill, std::uint64_t max_gap) const {
    if (segments_.empty())
        return {};
    for (std::size_t i = 1; i < segments_.size(); ++i) {
        const std::uint64_t gap = segments_[i].address - segments_[i - 1].end();
        if (gap > max_gap) {
            throw Error(ErrorCode::BadInput,
                        fmt::format("gap of {} bytes between {} (ends 0x{:08X}) and {} (starts "
                                    "0x{:08X}) is larger than {} bytes; the input spans separate "
                                    "memories and cannot form one image",
                                    gap, segments_[i - 1].origin, segments_[i - 1].end(),
                                    segments_[i].origin, segments_[i].address, max_gap));
        }
    }
    Bytes out(end() - start(), fill);
    for (const auto& s : segments_) {
        std::copy(s.data.begin(), s.data.end(), out.begin() + (s.address - start()));
    }
    return out;
}

std::optional<Bytes> MemoryImage::read(std::uint32_t address, std::size_t size) const {
    for (const auto& s : segments_) {
        if (address >= s.address && address + static_cast<std::uint64_t>(size) <= s.end()) {
            auto first = s.data.begin() + (address - s.address);
            return Bytes(first, first + static_cast<std::ptrdiff_t>(size));
        }
    }
    return std::nullopt;
}

}  // namespace rtprov::input
