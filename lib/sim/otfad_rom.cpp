#include "rtprov/sim/otfad_rom.hpp"

#include <fmt/format.h>

#include "rtprov/sim/bee_keys.hpp"
#include "rtprov/util/error.hpp"

namespace rtprov::sim {

namespace {

std::uint32_t word(const Fuses& fuses, std::string_view name) {
    const device::FuseWord* w = fuses.device().fuse(name);
    return w ? fuses.read(w->index).value_or(0) : 0;
}

std::string kek_name(const Fuses& fuses) {
    if (fuses.field("OTFAD_KEY_SEL1") != 0)
        return "SW_GP2";
    return fuses.field("OTFAD_KEY_SEL0") != 0 ? "OTPMK[255:128]" : "OTPMK[127:0]";
}

}  // namespace

otfad::Key rom_otfad_kek(const Fuses& fuses) {
    if (fuses.field("OTFAD_KEY_SEL1") != 0) {
        return otfad::kek_from_sw_gp2({word(fuses, "SW_GP2_0"), word(fuses, "SW_GP2_1"),
                                       word(fuses, "SW_GP2_2"), word(fuses, "SW_GP2_3")});
    }
    return sim_otpmk_key(fuses, fuses.field("OTFAD_KEY_SEL0") != 0 ? 1 : 0);
}

std::optional<otfad::Scramble> rom_otfad_scramble(const Fuses& fuses) {
    if (fuses.field("ENB_OTFAD_KEY_SCRAMBLE") == 0)
        return std::nullopt;
    return otfad::Scramble{word(fuses, "OTFAD_KEY_SCRAMBLE"),
                           static_cast<std::uint8_t>(fuses.field("OTFAD_KEY_SCRAMBLE_ALIGN"))};
}

std::vector<otfad::Context> rom_otfad_contexts(const Chip& chip) {
    const Fuses& fuses = chip.fuses();
    if (fuses.device().fuse_field("OTFAD_ENABLE") == nullptr)
        return {};
    const Bytes head = chip.flash().read(0, static_cast<std::uint32_t>(otfad::kTableSize));
    const bool table = otfad::looks_like_key_blob_table(head);
    std::string off;
    if (fuses.field("OTFAD_ENABLE") == 0)
        off = "OTFAD_ENABLE is not burned";
    else if (fuses.field("ENCRYPTED_XIP") == 0)
        off = "ENCRYPTED_XIP is not burned";
    else if (fuses.field("BT_FUSE_SEL") == 0)
        off = "ENCRYPTED_XIP counts only with BT_FUSE_SEL, which is not burned";
    if (!table) {
        if (off.empty()) {
            throw Error(ErrorCode::Verification,
                        "OTFAD: OTFAD_ENABLE and ENCRYPTED_XIP are burned but flash offset 0 "
                        "holds no OTFAD key blobs");
        }
        return {};
    }
    if (!off.empty()) {
        throw Error(ErrorCode::Verification,
                    fmt::format("OTFAD: flash offset 0 holds OTFAD key blobs but {}: the boot ROM "
                                "leaves the OTFAD off and the core reads the encrypted image",
                                off));
    }
    std::vector<otfad::Context> all;
    try {
        all = otfad::read_key_blob_table(head, rom_otfad_kek(fuses), rom_otfad_scramble(fuses),
                                         fmt::format("OTFAD (KEK from {})", kek_name(fuses)));
    } catch (const Error& e) {
        throw Error(ErrorCode::Verification, e.message());
    }
    std::vector<otfad::Context> used;
    for (const otfad::Context& c : all) {
        if (c.decrypts())
            used.push_back(c);
    }
    return used;
}

void decrypt_through_otfad(const Chip& chip, const std::vector<otfad::Context>& contexts,
                           std::uint32_t offset, std::span<std::uint8_t> data) {
    if (contexts.empty() || data.empty())
        return;
    // crypt_data() works on whole 16-byte blocks from a block boundary.
    const std::uint32_t lead = offset % 16;
    Bytes block(lead + data.size(), 0);
    std::copy(data.begin(), data.end(), block.begin() + lead);
    otfad::crypt_data(block, chip.flash_base() + offset - lead, contexts);
    std::copy(block.begin() + lead, block.begin() + lead + data.size(), data.begin());
}

}  // namespace rtprov::sim
