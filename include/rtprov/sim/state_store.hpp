#pragma once
// Persistence of a simulated chip in a directory, so flash and fuses survive between runs:
//   DIR/state.json  part, program running at the last save, flash geometry, fuse words
//   DIR/flash.bin   the written flash blocks: repeated (u32 LE offset, 4096 bytes)
// Each file is written atomically (write_file_atomic); flash.bin goes first, state.json last.

#include <filesystem>
#include <optional>
#include <string>

#include "rtprov/sim/chip.hpp"

namespace rtprov::sim {

// The part saved in DIR, or nullopt when DIR holds no state yet. Throws Error(BadInput) naming
// state.json when it is malformed.
std::optional<std::string> stored_device(const std::filesystem::path& dir);

// Restores flash, fuses, geometry and mode into `chip` (which must be the stored part). Returns
// false (chip untouched) when DIR holds no state. Throws Error(Usage) when DIR holds another
// part, Error(BadInput) for malformed files.
bool load_state(Chip& chip, const std::filesystem::path& dir);

// Saves the chip into DIR (created when missing). Throws Error(Io) on write failure.
void save_state(const Chip& chip, const std::filesystem::path& dir);

}  // namespace rtprov::sim
