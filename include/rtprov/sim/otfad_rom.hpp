#pragma once
// The RT1010 boot ROM's OTFAD step on the simulated part. With OTFAD_ENABLE, ENCRYPTED_XIP and
// BT_FUSE_SEL burned (ENCRYPTED_XIP counts only with BT_FUSE_SEL; the simulated boot pins never
// select encrypted XIP), the ROM unwraps the four key blobs at flash offset 0 with the KEK the
// fuses select and starts the OTFAD contexts: OTFAD_KEY_SEL1 = 1 takes SW_GP2 (words as
// otfad::sw_gp2_words() burns them), else the simulator's OTPMK (bee_keys.hpp: sim_otpmk_key
// half 0 for OTFAD_KEY_SEL0 = 0, half 1 for 1), scrambled when ENB_OTFAD_KEY_SCRAMBLE is burned.

#include <optional>
#include <vector>

#include "rtprov/otfad/otfad.hpp"
#include "rtprov/sim/chip.hpp"

namespace rtprov::sim {

// The KEK and scrambling the ROM uses with the part's fuses.
otfad::Key rom_otfad_kek(const Fuses& fuses);
std::optional<otfad::Scramble> rom_otfad_scramble(const Fuses& fuses);

// The contexts the core reads through at boot. Empty on parts without OTFAD and when neither the
// fuses nor the flash ask for it. Throws Error(Verification) with the reason when the flash holds
// key blobs the fuses do not let the ROM use (OTFAD_ENABLE, ENCRYPTED_XIP or BT_FUSE_SEL not
// burned), when the fuses enable OTFAD and offset 0 holds no key blob table, or when a key blob
// does not unwrap with the KEK the fuses select (another KEK, another part's blobs).
std::vector<otfad::Context> rom_otfad_contexts(const Chip& chip);

// Decrypts `data`, read from flash offset `offset`, where it lies in the contexts.
void decrypt_through_otfad(const Chip& chip, const std::vector<otfad::Context>& contexts,
                           std::uint32_t offset, std::span<std::uint8_t> data);

}  // namespace rtprov::sim
