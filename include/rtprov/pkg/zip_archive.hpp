#pragma once
// Zip archives in memory (libzip), written deterministically and read defensively. No libzip type
// appears here.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "rtprov/util/bytes.hpp"

namespace rtprov::pkg {

struct ZipEntry {
    std::string name;  // '/'-separated relative path
    Bytes data;
};

// A DOS date and time as zip stores them (local header and central directory).
struct DosTime {
    std::uint16_t time = 0;
    std::uint16_t date = (1 << 5) | 1;  // 1980-01-01, the DOS epoch
};

// The DOS time of `epoch_seconds` (UTC, as SOURCE_DATE_EPOCH is), clamped to 1980..2107; the DOS
// epoch 1980-01-01 00:00:00 when nullopt.
DosTime dos_time(std::optional<std::int64_t> epoch_seconds);

// Parses a SOURCE_DATE_EPOCH value (decimal seconds). Throws Error(Usage) naming the value.
std::int64_t parse_source_date_epoch(std::string_view text);

// A zip of `entries` in the given order: stored (no compression, so the bytes do not depend on
// the zlib build), every entry with time `time`, Unix mode 0644, no extra fields. The same input
// gives the same bytes. Throws Error(Internal) when libzip fails.
Bytes write_zip(const std::vector<ZipEntry>& entries, DosTime time);

// Limits against zip bombs, checked on the central directory before anything is decompressed.
struct ZipLimits {
    std::uint64_t max_entries = 1024;
    std::uint64_t max_total_size = std::uint64_t{1} << 30;  // sum of uncompressed sizes
    std::uint64_t max_ratio = 100;                          // uncompressed / compressed
    std::uint64_t ratio_min_size = std::uint64_t{1} << 20;  // ratio checked above this size
};

// Why `name` is not a safe relative file path inside a package ("absolute path", "path leaves the
// package ('..')", ...), or nullopt when it is.
std::optional<std::string> unsafe_path_reason(std::string_view name);

// Reads every entry of a zip in archive order. Throws Error(BadInput) naming the entry ("entry 2
// 'x/../y': path leaves the package ('..')") for unsafe paths, directories, symbolic links,
// duplicate names, encrypted entries, limits exceeded and corrupt data; nothing is decompressed
// before every entry passed the checks.
std::vector<ZipEntry> read_zip(ByteView zip, const ZipLimits& limits);

}  // namespace rtprov::pkg
