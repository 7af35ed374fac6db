#pragma once
// The project file's `otfad:` section: encrypted XIP with the RT1010's OTFAD. Keys come from
// files only (never inline, so they stay out of project files shown in reviews and logs); key
// files are read by resolve_otfad().
//
//   otfad:
//     kek_source: sw-gp2        # or otpmk-low / otpmk-high (the part's OTPMK: the flashloader
//                               #   makes the key blobs and encrypts while writing)
//     kek_file: otfad_kek.bin   # 16 bytes, burned into SW_GP2 (sw-gp2: required)
//     scramble: {mask: 0x12345678, align: 0x72}   # optional KEK scrambling (sw-gp2 only)
//     lock_kek: true            # burn SW_GP2_LOCK and SW_GP2_RLOCK after the key (default)
//     regions:                  # optional, at most 4: default one from 0x60001000 to the end
//       - start: 0x60001000     #   of the image; 1 KiB aligned, at or above 0x60001000
//         length: 0x10000
//         key_file: region0.bin # optional (default random), 16 bytes
//         counter: 0123456789abcdef   # optional (default random), 8 bytes hex
//         read_only: true       # lock the context registers until reset (default)

#include <filesystem>
#include <optional>
#include <vector>

#include "rtprov/otfad/otfad.hpp"

namespace rtprov::project {

struct OtfadRegionSpec {
    std::uint32_t start = 0, length = 0;
    std::optional<std::filesystem::path> key_file;
    std::optional<otfad::Counter> counter;
    bool read_only = true;
};

struct OtfadSpec {
    otfad::KekSource kek_source = otfad::KekSource::SwGp2;
    std::optional<std::filesystem::path> kek_file;
    std::optional<otfad::Scramble> scramble;
    bool lock_kek = true;
    std::vector<OtfadRegionSpec> regions;
};

// Reads the key files and returns the library's configuration. Throws Error(BadInput) naming a
// key file that is missing or not 16 bytes.
otfad::Config resolve_otfad(const OtfadSpec& spec);

}  // namespace rtprov::project
