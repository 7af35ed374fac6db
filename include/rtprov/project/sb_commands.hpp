#pragma once
// SB command files (YAML) for `rtprov sb build`: the sections and flashloader commands of an
// SB 1.x file, as NXP's BD files state them. Paths are relative to the command file.
//
//   timestamp: 2020-04-24T15:33:32Z    # optional, default now; fix it for reproducible files
//   product_version: 1.0.0             # optional (default 999.999.999), component_version too
//   first_boot_section: 0              # optional; also flags, drive_tag
//   header_padding: db00767af4810b86   # optional 8 bytes (default zeros), trailer_padding: 12
//   sections:
//     - id: 0                          # bootable: true by default
//       commands:
//         - fill: {address: 0x2000, pattern: 0xC0233007}        # length: 4
//         - enable: {memory: flexspi-nor, address: 0x2000, size: 4}
//         - erase: {address: 0x60000000, length: 0x10000}       # or {all: true, memory: ...}
//         - load: {address: 0x60001000, file: app.bin}          # or data: <hex>; padding: <hex>
//         - jump: {address: 0x60002000, argument: 0, stack_pointer: 0x20020000}
//         - call: {address: 0x20000401, argument: 0}
//         - prog: {index: 0x29, value: 0x12345678, value2: 0x0, memory: fuse}
//         - mode: 0x1
//         - reset
//         - nop

#include <filesystem>
#include <optional>
#include <string_view>

#include "rtprov/sb/sb.hpp"

namespace rtprov::project {

// Parses a command file and reads the files it loads. A LOAD is padded to 16 bytes with zeros or
// with the `padding` bytes given (NXP's tools append random bytes; give them to reproduce a
// file). Without `timestamp`, `now_us` (microseconds since 2000-01-01 UTC) is used. Throws
// Error(BadInput) naming file:line:column of the entry at fault, or the loaded file.
sb::SbFile parse_sb_commands(std::string_view yaml_text, const std::filesystem::path& path,
                             std::uint64_t now_us);
sb::SbFile load_sb_commands(const std::filesystem::path& path, std::uint64_t now_us);

// The current time in the SB timestamp unit (microseconds since 2000-01-01 UTC).
std::uint64_t sb_now();

}  // namespace rtprov::project
