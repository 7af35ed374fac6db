#include "rtprov/sim/bee_keys.hpp"

#include <cstring>

#include <fmt/format.h>
#include <mbedtls/sha256.h>

#include "rtprov/util/error.hpp"

namespace rtprov::sim {

namespace {

constexpr std::uint32_t kKeySelOtpmk = 2;
constexpr std::uint32_t kKeySelSwGp2 = 3;

}  // namespace

bee::Key sim_otpmk_key(const Fuses& fuses, unsigned region) {
    Bytes input(16 + 8);
    std::memcpy(input.data(), "rtprov-sim-otpmk", 16);
    const std::uint64_t uid = fuses.uid();
    store_le32(&input[16], static_cast<std::uint32_t>(uid));
    store_le32(&input[20], static_cast<std::uint32_t>(uid >> 32));
    std::uint8_t digest[32];
    mbedtls_sha256_ret(input.data(), input.size(), digest, 0);
    bee::Key k{};
    std::memcpy(k.data(), digest + (region == 0 ? 0 : 16), 16);
    return k;
}

std::optional<bee::Key> rom_bee_key(const Fuses& fuses, unsigned region) {
    const std::uint32_t sel = fuses.field(region == 0 ? "BEE_KEY0_SEL" : "BEE_KEY1_SEL");
    if (sel == kKeySelOtpmk)
        return sim_otpmk_key(fuses, region);
    if (sel != kKeySelSwGp2)
        return std::nullopt;
    bee::Key k{};
    bool burned = false;
    for (std::uint32_t w = 0; w < 4; ++w) {
        const device::FuseWord* word = fuses.device().fuse(fmt::format("SW_GP2_{}", w));
        const auto value = word ? fuses.read(word->index) : std::nullopt;
        if (!value)
            return std::nullopt;
        burned = burned || *value != 0;
        store_be32(&k[12 - 4 * w], *value);
    }
    if (!burned)
        return std::nullopt;
    return k;
}

bool rom_encrypted_xip(const Chip& chip) {
    return chip.fuses().field("BT_FUSE_SEL") != 0 ? chip.fuses().field("ENCRYPTED_XIP") != 0
                                                  : chip.encrypted_xip_pin();
}

std::optional<std::uint32_t> software_fuse_read(const Fuses& fuses, std::uint32_t index) {
    const auto value = fuses.read(index);
    if (!value)
        return value;
    for (std::uint32_t w = 0; w < 4; ++w) {
        const device::FuseWord* word = fuses.device().fuse(fmt::format("SW_GP2_{}", w));
        if (word != nullptr && word->index == index && fuses.field("SW_GP2_RLOCK") != 0)
            return 0u;
    }
    return value;
}

std::vector<bee::Region> rom_bee_regions(const Chip& chip) {
    const Fuses& fuses = chip.fuses();
    if (fuses.device().fuse_field("BEE_KEY0_SEL") == nullptr)
        return {};  // no BEE on this part (RT1010: OTFAD)
    const Bytes head = chip.flash().read(0, bee::kHeaderOffsets[1] + bee::kHeaderSize);
    const std::vector<std::uint32_t> slots = bee::header_slots(head);
    if (slots.empty())
        return {};
    const std::string first = fmt::format("BEE region {} header at flash offset 0x{:X}", slots[0],
                                          bee::kHeaderOffsets[slots[0]]);
    if (!rom_encrypted_xip(chip)) {
        // The core would read the ciphertext as it is: nothing on the flash runs.
        const bool xip_fuse = fuses.field("ENCRYPTED_XIP") != 0;
        const bool fuse_sel = fuses.field("BT_FUSE_SEL") != 0;
        std::string why;
        if (!xip_fuse && !fuse_sel)
            why = "ENCRYPTED_XIP (BOOT_CFG0) and BT_FUSE_SEL (BOOT_CFG1) are not burned";
        else if (!xip_fuse)
            why = "ENCRYPTED_XIP (BOOT_CFG0) is not burned";
        else
            why =
                "ENCRYPTED_XIP is burned but BT_FUSE_SEL (BOOT_CFG1) is not, so the boot ROM "
                "takes Encrypted XIP from the boot pins (off)";
        throw Error(ErrorCode::Verification,
                    fmt::format("{}, but the boot ROM does not enable BEE: {}", first, why));
    }
    std::vector<bee::Region> regions;
    for (std::uint32_t slot : slots) {
        const auto key = rom_bee_key(fuses, slot);
        const std::string where = fmt::format("BEE region {} header at flash offset 0x{:X}", slot,
                                              bee::kHeaderOffsets[slot]);
        if (!key) {
            const std::string field = fmt::format("BEE_KEY{}_SEL", slot);
            const std::uint32_t sel = fuses.field(field);
            std::string why;
            if (sel == 0)
                why = fmt::format(
                    "{} (BOOT_CFG1) is not burned, so the boot ROM gives region {} "
                    "no key (2 selects the OTPMK, 3 SW_GP2)",
                    field, slot);
            else if (sel == kKeySelSwGp2)
                why = fmt::format("{} selects SW_GP2, but SW_GP2 is not burned", field);
            else
                why = fmt::format("{} = {} selects no key the boot ROM has", field, sel);
            throw Error(ErrorCode::Verification, fmt::format("{}: {}", where, why));
        }
        bee::Region r;
        r.slot = slot;
        r.key = key;
        try {
            r.header = bee::decrypt_header(
                ByteView(head).subspan(bee::kHeaderOffsets[slot], bee::kHeaderSize), *key, where);
        } catch (const Error& e) {
            throw Error(ErrorCode::Verification, e.what());
        }
        regions.push_back(r);
    }
    return regions;
}

Bytes read_through_bee(const Chip& chip, const std::vector<bee::Region>& regions,
                       std::uint32_t offset, std::uint32_t size) {
    Bytes data = chip.flash().read(offset, size);
    for (const bee::Region& r : regions)
        bee::crypt_data(data, chip.flash_base() + offset, r.header.prdb, *r.key);
    return data;
}

}  // namespace rtprov::sim
