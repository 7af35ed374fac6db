#pragma once
// BEE keys of the simulated part. A real part's OTPMK is never readable; the simulator derives its
// own from the unique ID, so that what its flashloader encrypted can be decrypted (rtprov info
// --bee-key) and checked: SHA-256("rtprov-sim-otpmk" || UID as 8 little-endian bytes, UUID0
// first); region 0 takes bytes 0..15, region 1 bytes 16..31.

#include <optional>
#include <vector>

#include "rtprov/bee/bee.hpp"
#include "rtprov/sim/chip.hpp"

namespace rtprov::sim {

bee::Key sim_otpmk_key(const Fuses& fuses, unsigned region);

// The key the boot ROM gives BEE region `region` from BEE_KEYn_SEL: 3 the SW_GP2 words (in the
// order bee::fuse_settings() writes them), 2 the OTPMK; nullopt otherwise (a key register the ROM
// does not fill).
std::optional<bee::Key> rom_bee_key(const Fuses& fuses, unsigned region);

// A fuse word as software (the flashloader's efuse-read-once) reads it: the SW_GP2 key words
// read as 0 once SW_GP2_RLOCK is burned (the BEE still gets the key); nullopt for no such word.
std::optional<std::uint32_t> software_fuse_read(const Fuses& fuses, std::uint32_t index);

// What the core reads through the BEE at boot: with ENCRYPTED_XIP set, the headers at 0x400/0x800
// decrypted with the ROM's keys. Empty when BEE is off or there is no header; throws
// Error(Verification) naming the region whose key is missing or wrong.
std::vector<bee::Region> rom_bee_regions(const Chip& chip);

// Flash bytes [offset, offset + size) as the core sees them (decrypted in the regions' FACs).
Bytes read_through_bee(const Chip& chip, const std::vector<bee::Region>& regions,
                       std::uint32_t offset, std::uint32_t size);

}  // namespace rtprov::sim
