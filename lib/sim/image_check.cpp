#include "rtprov/sim/image_check.hpp"

#include <fmt/format.h>

#include "rtprov/boot/fcb.hpp"
#include "rtprov/boot/image.hpp"
#include "rtprov/boot/ivt.hpp"
#include "rtprov/hab/srk.hpp"
#include "rtprov/hab/verify.hpp"
#include "rtprov/sim/bee_keys.hpp"
#include "rtprov/sim/otfad_rom.hpp"
#include "rtprov/util/error.hpp"

namespace rtprov::sim {

namespace {

Verdict fail(std::string reason) {
    return {false, std::move(reason)};
}

hab::SrkHash srk_fuse_hash(const Fuses& fuses) {
    hab::SrkFuseWords words{};
    for (std::size_t i = 0; i < words.size(); ++i) {
        const device::FuseWord* w = fuses.device().fuse(fmt::format("SRK{}", i));
        words[i] = w != nullptr ? fuses.read(w->index).value_or(0) : 0;
    }
    return hab::srk_hash_from_words(words);
}

}  // namespace

Verdict check_hab(const Chip& chip, ByteView image, const std::string& name) {
    if (!chip.fuses().hab_closed())
        return {true, "HAB open: image not authenticated"};
    try {
        hab::VerifyOptions options;
        options.fuse_hash = srk_fuse_hash(chip.fuses());
        const hab::VerifyReport report = hab::verify_image(image, name, options);
        if (!report.ok())
            return fail(
                fmt::format("HAB closed: authentication failed: {}", report.failures().front()));
        return {true, "HAB closed: image authenticated"};
    } catch (const Error& e) {
        return fail(fmt::format("HAB closed: authentication failed: {}", e.what()));
    }
}

Verdict check_ram_jump(const Chip& chip, std::uint32_t ivt_address, std::uint32_t loaded_start,
                       std::uint32_t loaded_end) {
    if (chip.area_of(ivt_address, boot::kIvtSize) != Area::Ram)
        return fail(fmt::format("jump address 0x{:08X} is not in RAM", ivt_address));
    Bytes ivt_bytes(boot::kIvtSize);
    chip.read(ivt_address, ivt_bytes);
    if (!boot::looks_like_ivt(ivt_bytes))
        return fail(fmt::format("no IVT at 0x{:08X} (header {:02X} {:02X} {:02X} {:02X})",
                                ivt_address, ivt_bytes[0], ivt_bytes[1], ivt_bytes[2],
                                ivt_bytes[3]));
    const boot::Ivt ivt = boot::parse_ivt(ivt_bytes, fmt::format("0x{:08X}", ivt_address));
    if (ivt.self != ivt_address)
        return fail(fmt::format("IVT at 0x{:08X} says self = 0x{:08X}", ivt_address, ivt.self));
    if (ivt.entry < loaded_start || ivt.entry >= loaded_end)
        return fail(fmt::format("IVT entry 0x{:08X} is outside the loaded data 0x{:08X}..0x{:08X}",
                                ivt.entry, loaded_start, loaded_end));
    if (!chip.fuses().hab_closed())
        return {true, "HAB open: image not authenticated"};
    Bytes bd_bytes(12);
    if (chip.read(ivt.boot_data, bd_bytes) != BusStatus::Ok)
        return fail(fmt::format("boot data pointer 0x{:08X} is not readable", ivt.boot_data));
    const boot::BootData bd = boot::parse_boot_data(bd_bytes, "boot data");
    Bytes image(bd.length);
    if (bd.length == 0 || chip.read(bd.start, image) != BusStatus::Ok)
        return fail(fmt::format("boot data 0x{:08X}+0x{:X} is not readable", bd.start, bd.length));
    return check_hab(chip, image, fmt::format("image at 0x{:08X}", bd.start));
}

Verdict check_flash_boot(const Chip& chip) {
    const device::BootLayout* layout = chip.device().layout(device::BootDevice::FlexspiNor);
    if (layout == nullptr)
        return fail(fmt::format("{} cannot boot from FlexSPI NOR", chip.device().name));
    const NorFlash& flash = chip.flash();
    const Bytes fcb = flash.read(layout->fcb_offset, boot::kFcbSize);
    if (load_le32(fcb.data()) != boot::kFcbTag)
        return fail(fmt::format("no FCB at flash offset 0x{:X} (tag 0x{:08X}, expected \"FCFB\")",
                                layout->fcb_offset, load_le32(fcb.data())));
    try {
        boot::parse_fcb(fcb, fmt::format("FCB at flash offset 0x{:X}", layout->fcb_offset));
    } catch (const Error& e) {
        return fail(e.what());
    }
    // With ENCRYPTED_XIP the core reads through the BEE (headers decrypted with the ROM's keys)
    // or, on the RT1010, the OTFAD (key blobs unwrapped with the KEK the fuses select).
    std::vector<bee::Region> bee_regions;
    std::vector<otfad::Context> otfad_contexts;
    try {
        bee_regions = rom_bee_regions(chip);
        otfad_contexts = rom_otfad_contexts(chip);
    } catch (const Error& e) {
        return fail(e.what());
    }
    auto read = [&](std::uint32_t offset, std::uint32_t size) {
        Bytes data = read_through_bee(chip, bee_regions, offset, size);
        decrypt_through_otfad(chip, otfad_contexts, offset, data);
        return data;
    };
    const Bytes ivt_bytes = read(layout->ivt_offset, boot::kIvtSize);
    if (!boot::looks_like_ivt(ivt_bytes))
        return fail(fmt::format("no IVT at flash offset 0x{:X}", layout->ivt_offset));
    const boot::Ivt ivt = boot::parse_ivt(ivt_bytes, "IVT");
    const Bytes bd_bytes =
        read(layout->ivt_offset + static_cast<std::uint32_t>(boot::kIvtSize), 12);
    const boot::BootData bd = boot::parse_boot_data(bd_bytes, "boot data");
    // XIP images start at the FlexSPI base; RAM images are copied to bd.start by the ROM.
    if (ivt.self - layout->ivt_offset != bd.start)
        return fail(
            fmt::format("IVT self 0x{:08X} and boot data start 0x{:08X} disagree "
                        "(IVT offset 0x{:X})",
                        ivt.self, bd.start, layout->ivt_offset));
    if (bd.length == 0 || bd.length > flash.geometry().size)
        return fail(fmt::format("boot data length 0x{:X} does not fit the {}-byte flash", bd.length,
                                flash.geometry().size));
    const Bytes image = read(0, bd.length);
    try {
        boot::parse_boot_image(image, "flash");
    } catch (const Error& e) {
        return fail(e.what());
    }
    if (ivt.entry < bd.start || ivt.entry >= bd.start + bd.length)
        return fail(fmt::format("IVT entry 0x{:08X} is outside the image 0x{:08X}..0x{:08X}",
                                ivt.entry, bd.start, bd.start + bd.length));
    Verdict v = check_hab(chip, image, "flash");
    if (v.ok) {
        v.reason = fmt::format(
            "FCB, IVT and entry 0x{:08X} valid; {}{}{}", ivt.entry, v.reason,
            bee_regions.empty() ? ""
                                : fmt::format("; BEE: {} region(s) decrypted", bee_regions.size()),
            otfad_contexts.empty()
                ? ""
                : fmt::format("; OTFAD: {} context(s) decrypted", otfad_contexts.size()));
    }
    return v;
}

}  // namespace rtprov::sim
