#include "rtprov/sim/memory.hpp"

#include <algorithm>

namespace rtprov::sim {

void SparseMemory::write(std::uint32_t address, ByteView data) {
    std::size_t done = 0;
    while (done < data.size()) {
        const std::uint32_t at = address + static_cast<std::uint32_t>(done);
        const std::uint32_t page = at / kPage * kPage;
        const std::size_t n = std::min<std::size_t>(kPage - (at - page), data.size() - done);
        auto it = pages_.find(page);
        if (it == pages_.end())
            it = pages_.emplace(page, Bytes(kPage, 0)).first;
        std::copy_n(data.begin() + static_cast<std::ptrdiff_t>(done), n,
                    it->second.begin() + (at - page));
        done += n;
    }
}

void SparseMemory::read(std::uint32_t address, std::span<std::uint8_t> out) const {
    std::size_t done = 0;
    while (done < out.size()) {
        const std::uint32_t at = address + static_cast<std::uint32_t>(done);
        const std::uint32_t page = at / kPage * kPage;
        const std::size_t n = std::min<std::size_t>(kPage - (at - page), out.size() - done);
        auto it = pages_.find(page);
        auto dst = out.begin() + static_cast<std::ptrdiff_t>(done);
        if (it == pages_.end()) {
            std::fill_n(dst, n, 0);
        } else {
            std::copy_n(it->second.begin() + (at - page), n, dst);
        }
        done += n;
    }
}

Bytes SparseMemory::read(std::uint32_t address, std::uint32_t length) const {
    Bytes out(length);
    read(address, out);
    return out;
}

std::uint32_t SparseMemory::read_le32(std::uint32_t address) const {
    std::uint8_t b[4];
    read(address, b);
    return load_le32(b);
}

}  // namespace rtprov::sim
