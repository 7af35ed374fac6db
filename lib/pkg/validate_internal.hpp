#pragma once
// Internal to lib/pkg's validation (validate.cpp, validate_fuses.cpp, validate_plan.cpp): what
// the checks share about the package being validated.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "rtprov/boot/image.hpp"
#include "rtprov/device/device.hpp"
#include "rtprov/pkg/manifest.hpp"
#include "rtprov/util/bytes.hpp"

namespace rtprov::pkg::detail {

// [start, end) on one memory, 64-bit so that no length wraps.
struct Span {
    std::uint64_t start = 0;
    std::uint64_t end = 0;
    bool overlaps(const Span& o) const { return start < o.end && o.start < end; }
    bool inside(const Span& o) const { return start >= o.start && end <= o.end; }
};

// "0x60000000..0x60004fff"
std::string describe(const Span& span);

// An images[] entry with its bytes and boot structures.
struct CheckedImage {
    const ImageEntry* entry = nullptr;
    std::size_t index = 0;
    const Bytes* data = nullptr;
    boot::ParsedImage parsed;
    // What the boot ROM reads of it on its memory: the file, the CSF region its IVT points at and
    // what its boot data loads (empty for a RAM image, memory id 0).
    Span occupied;
    // HAB-encrypted images: where on its memory the CSF reads the DEK blob (flash address for
    // NOR, offset for block devices).
    std::optional<std::uint32_t> key_blob_address;
};

struct Checked {
    const Manifest& manifest;
    const device::Device& device;
    const std::map<std::string, Bytes>& files;
    std::vector<CheckedImage> images;
};

// Throws Error(BadInput) "manifest.json: WHERE: WHAT".
[[noreturn]] void refuse(const std::string& where, const std::string& what);

// Whether the manifest requires feature `name`.
bool requires_feature(const Manifest& manifest, std::string_view name);

// The package file `path` (verified: present).
const Bytes& file_data(const Checked& c, const std::string& path);

// fuses[], program-fuses, lock-fuses and per-board fuse targets (validate_fuses.cpp).
void check_fuses(const Checked& c);
// The SRK hash file, SRK tables and SRK words of fuses[] agree (validate_fuses.cpp).
void check_srk(const Checked& c);
// Every erase/write/verify/configure-memory/per-board flash step (validate_plan.cpp).
void check_memory_steps(const Checked& c);

}  // namespace rtprov::pkg::detail
