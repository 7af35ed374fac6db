#pragma once
// The project file's `bee:` section (and the same keys as a file of their own for
// `rtprov build/sign --bee FILE`): encrypted XIP with the BEE. Hex values are checked when the
// file is read; key files are read by resolve_bee().
//
//   bee:
//     mode: user-key            # or otpmk
//     regions:                  # 1 or 2: region 0's header goes to 0x400, region 1's to 0x800
//       - key: 0123456789abcdeffedcba9876543210   # or key_file: sw_gp2.bin (16 bytes)
//         kib_key: ...          # optional (default random), 16 bytes hex, or kib_key_file:
//                               #   FILE (16 bytes; export-pkg takes keys from files only)
//         kib_iv: ...           # optional (default random)
//         nonce: 112233445566778899aabbcc     # optional: 12 bytes (or 16 ending in 4 zeros)
//         lock: 0               # PRDB lock options
//         protect:              # FAC ranges, 1 KiB aligned, at most 3 in all
//           - {start: 0x60001000, length: 0x2000, level: 0}

#include <filesystem>
#include <optional>
#include <vector>

#include "rtprov/bee/bee.hpp"

namespace rtprov::project {

struct BeeRegionSpec {
    std::optional<bee::Key> key;
    std::optional<std::filesystem::path> key_file;
    std::optional<bee::Key> kib_key, kib_iv, nonce;
    std::uint32_t lock = 0;
    std::vector<bee::Fac> protect;
    std::optional<std::filesystem::path> kib_key_file;
};

struct BeeSpec {
    bee::KeySource mode = bee::KeySource::UserKey;
    std::vector<BeeRegionSpec> regions;
};

// Reads the key files and returns the library's configuration. Throws Error(BadInput) naming a
// key file that is missing or not 16 bytes.
bee::Config resolve_bee(const BeeSpec& spec);

// Reads a BEE configuration file (the keys of the `bee:` section at its top level); paths are
// relative to it. Errors name file:line:column.
BeeSpec load_bee_file(const std::filesystem::path& path);

}  // namespace rtprov::project
