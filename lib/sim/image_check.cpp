#include "rtprov/sim/image_check.hpp"

#include <fmt/format.h>

#include "rtprov/boot/fcb.hpp"
#include "rtprov/boot/image.hpp"
#include "rtprov/boot/ivt.hpp"
#include "rtprov/hab/srk.hpp"
#include "rtprov/hab/verify.hpp"
#include "rtprov/sim/bee_keys.hpp"
#include "rtprov/sim/key_blob.hpp"
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

// The address Install Secret Key names for the DEK blob when `image` is HAB-encrypted (nullopt
// otherwise, also for a CSF that does not parse: verify_image reports that), and the address of
// image[0].
struct SecretKey {
    std::uint32_t image_address = 0;
    std::optional<std::uint32_t> blob_address;
};

SecretKey find_secret_key(ByteView image, const std::string& name) {
    SecretKey out;
    try {
        const boot::ParsedImage parsed = boot::parse_boot_image(image, name);
        out.image_address = parsed.file_address;
        if (parsed.csf_file_offset) {
            out.blob_address = hab::dek_blob_address(
                hab::parse_csf(image.subspan(*parsed.csf_file_offset, parsed.csf_size)));
        }
    } catch (const Error&) {
        out.blob_address.reset();
    }
    return out;
}

// A HAB-encrypted image: the ROM runs the CSF on open parts too, and Install Secret Key opens the
// DEK blob with this part's OTPMK; without the DEK the app stays ciphertext. Returns the DEK or
// the verdict that stops the boot.
struct BlobResult {
    std::optional<Bytes> dek;
    Verdict failure;
};

BlobResult open_blob(const Chip& chip, ByteView image, const SecretKey& key, bool blob_in_ram) {
    const std::uint32_t at = *key.blob_address;
    const std::uint64_t offset = std::uint64_t{at} - key.image_address;
    Bytes blob;
    if (at >= key.image_address && offset + kSimKeyBlobSize <= image.size()) {
        const ByteView b = image.subspan(static_cast<std::size_t>(offset), kSimKeyBlobSize);
        blob.assign(b.begin(), b.end());
    } else if (blob_in_ram && chip.area_of(at, kSimKeyBlobSize) == Area::Ram) {
        blob.resize(kSimKeyBlobSize);
        chip.read(at, blob);
    } else {
        return {std::nullopt,
                fail(fmt::format("HAB-encrypted image: no DEK blob at 0x{:08X} (outside the "
                                 "0x{:X} bytes the boot data loads at 0x{:08X})",
                                 at, image.size(), key.image_address))};
    }
    OpenedKeyBlob opened = open_key_blob(chip.fuses(), blob);
    switch (opened.fault) {
        case KeyBlobFault::None:
            return {std::move(opened.dek), {}};
        case KeyBlobFault::NotABlob:
            return {std::nullopt, fail(fmt::format("HAB-encrypted image: no DEK blob at 0x{:08X} "
                                                   "({})",
                                                   at, opened.reason))};
        case KeyBlobFault::OtherPart:
        case KeyBlobFault::Damaged:
            break;
    }
    return {std::nullopt, fail(fmt::format("HAB-encrypted image: the DEK blob at 0x{:08X} {}", at,
                                           opened.reason))};
}

Verdict check_image(const Chip& chip, ByteView image, const std::string& name, bool blob_in_ram) {
    const bool closed = chip.fuses().hab_closed();
    const SecretKey key = find_secret_key(image, name);
    if (!key.blob_address && !closed)
        return {true, "HAB open: image not authenticated"};
    std::optional<Bytes> dek;
    if (key.blob_address) {
        if (chip.area_of(key.image_address) == Area::Flash)
            return fail(fmt::format(
                "HAB-encrypted image linked for XIP at 0x{:08X}: HAB cannot decrypt in place in "
                "XIP flash (encrypted XIP is BEE's job; or link the app into RAM)",
                key.image_address));
        BlobResult r = open_blob(chip, image, key, blob_in_ram);
        if (!r.dek)
            return r.failure;
        dek = std::move(r.dek);
    }
    const char* what = closed ? "HAB closed" : "HAB open";
    try {
        hab::VerifyOptions options;
        if (closed)
            options.fuse_hash = srk_fuse_hash(chip.fuses());
        options.dek = dek;
        const hab::VerifyReport report = hab::verify_image(image, name, options);
        for (const hab::VerifyCheck& c : report.checks) {
            if (c.status != hab::CheckStatus::Failed)
                continue;
            // An open part logs authentication failures and boots, but it cannot run what
            // Decrypt Data left encrypted.
            if (closed)
                return fail(fmt::format("HAB closed: authentication failed: {}", c.detail));
            if (c.name.starts_with("Decrypt Data"))
                return fail(fmt::format("HAB-encrypted image: {}", c.detail));
        }
        if (!dek)
            return {true, "HAB closed: image authenticated"};
        return {true, fmt::format("{}: image {}decrypted with the DEK blob at 0x{:08X}", what,
                                  closed ? "authenticated and " : "not authenticated, ",
                                  *key.blob_address)};
    } catch (const Error& e) {
        if (!closed)
            return fail(fmt::format("HAB-encrypted image: {}", e.what()));
        return fail(fmt::format("HAB closed: authentication failed: {}", e.what()));
    }
}

}  // namespace

Verdict check_hab(const Chip& chip, ByteView image, const std::string& name) {
    return check_image(chip, image, name, false);
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
    // An open part boots an image whose boot data it cannot read (nothing to authenticate), but
    // runs the CSF when there is one: a HAB-encrypted image needs its DEK blob there too.
    const bool closed = chip.fuses().hab_closed();
    const Verdict open_pass{true, "HAB open: image not authenticated"};
    Bytes bd_bytes(12);
    if (chip.read(ivt.boot_data, bd_bytes) != BusStatus::Ok) {
        return closed
                   ? fail(fmt::format("boot data pointer 0x{:08X} is not readable", ivt.boot_data))
                   : open_pass;
    }
    const boot::BootData bd = boot::parse_boot_data(bd_bytes, "boot data");
    if (bd.length == 0 || chip.area_of(bd.start, bd.length) == Area::None) {
        return closed ? fail(fmt::format("boot data 0x{:08X}+0x{:X} is not readable", bd.start,
                                         bd.length))
                      : open_pass;
    }
    Bytes image(bd.length);
    if (chip.read(bd.start, image) != BusStatus::Ok) {
        return closed ? fail(fmt::format("boot data 0x{:08X}+0x{:X} is not readable", bd.start,
                                         bd.length))
                      : open_pass;
    }
    return check_image(chip, image, fmt::format("image at 0x{:08X}", bd.start), true);
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
