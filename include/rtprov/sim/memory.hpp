#pragma once
// Sparse byte-addressed memory for the simulated chip's RAM (ITCM/DTCM/OCRAM/SDRAM) and the
// peripheral registers a DCD writes: only 4 KiB pages ever written take memory; the rest reads 0.

#include <cstdint>
#include <map>
#include <span>

#include "rtprov/util/bytes.hpp"

namespace rtprov::sim {

class SparseMemory {
  public:
    // Copies `data` to [address, address + size); the range must not wrap past 4 GiB.
    void write(std::uint32_t address, ByteView data);
    // Fills `out` from [address, ...); never written bytes read 0.
    void read(std::uint32_t address, std::span<std::uint8_t> out) const;
    Bytes read(std::uint32_t address, std::uint32_t length) const;
    std::uint32_t read_le32(std::uint32_t address) const;
    void clear() { pages_.clear(); }

  private:
    static constexpr std::uint32_t kPage = 4096;
    std::map<std::uint32_t, Bytes> pages_;
};

}  // namespace rtprov::sim
