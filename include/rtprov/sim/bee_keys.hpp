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
// order bee::fuse_settings() writes them; nullopt while they are all 0), 2 the OTPMK; nullopt
// otherwise (a key register the ROM does not fill).
std::optional<bee::Key> rom_bee_key(const Fuses& fuses, unsigned region);

// Does the boot ROM boot encrypted XIP? The ENCRYPTED_XIP fuse when BT_FUSE_SEL is burned, else
// the boot configuration pin (Chip::encrypted_xip_pin).
bool rom_encrypted_xip(const Chip& chip);

// A fuse word as software (the flashloader's efuse-read-once) reads it: the SW_GP2 key words
// read as 0 once SW_GP2_RLOCK is burned (the BEE still gets the key); nullopt for no such word.
std::optional<std::uint32_t> software_fuse_read(const Fuses& fuses, std::uint32_t index);

// What the core reads through the BEE at boot: with encrypted XIP on (rom_encrypted_xip), the
// headers at 0x400/0x800 decrypted with the ROM's keys. Empty when there is no header; throws
// Error(Verification) naming the fuse that is missing: BEE headers on the flash with encrypted
// XIP off ("... but the boot ROM does not enable BEE: ENCRYPTED_XIP (BOOT_CFG0) is not burned"),
// "BEE_KEY0_SEL (BOOT_CFG1) is not burned", "BEE_KEY0_SEL selects SW_GP2, but SW_GP2 is not
// burned", or the region whose header does not decrypt with the key.
std::vector<bee::Region> rom_bee_regions(const Chip& chip);

// Flash bytes [offset, offset + size) as the core sees them (decrypted in the regions' FACs).
Bytes read_through_bee(const Chip& chip, const std::vector<bee::Region>& regions,
                       std::uint32_t offset, std::uint32_t size);

}  // namespace rtprov::sim
