#pragma once
// The memory-image model every later stage consumes: sparse segments of bytes at 32-bit
// addresses, kept sorted and never overlapping, plus an optional entry point from the input file.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "rtprov/util/bytes.hpp"

namespace rtprov::input {

struct Segment {
    std::uint32_t address = 0;
    Bytes data;
    // Where the bytes came from, for error messages ("app.hex:12", "app.elf: segment 2").
    std::string origin;

    std::uint64_t end() const { return static_cast<std::uint64_t>(address) + data.size(); }
};

class MemoryImage {
  public:
    // Adds bytes at `address`. Appends to the previous segment when contiguous with it. Throws
    // Error(BadInput) when the bytes overlap existing ones or run past 4 GiB, naming both origins.
    void add(std::uint32_t address, ByteView data, const std::string& origin);

    const std::vector<Segment>& segments() const { return segments_; }
    bool empty() const { return segments_.empty(); }

    // Lowest address and one past the highest byte (0 when empty).
    std::uint32_t start() const;
    std::uint64_t end() const;
    // Bytes actually present (excluding gaps).
    std::uint64_t byte_count() const;

    // Contiguous bytes from start() to end(), gaps filled with `fill`. Throws Error(BadInput) when
    // a gap is larger than `max_gap` bytes, naming the segments on both sides of it.
    Bytes flatten(std::uint8_t fill = 0x00, std::uint64_t max_gap = 0x100000) const;

    // Reads `size` bytes at `address` if they are all present.
    std::optional<Bytes> read(std::uint32_t address, std::size_t size) const;

    std::optional<std::uint32_t> entry_point;

  private:
    std::vector<Segment> segments_;
};

}  // namespace rtprov::input
