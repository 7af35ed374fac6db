#include <array>

#include <fmt/format.h>

#include "rtprov/boot/dcd.hpp"
#include "rtprov/boot/fcb.hpp"
#include "rtprov/boot/image.hpp"
#include "rtprov/util/error.hpp"

namespace rtprov::boot {

namespace {

// IVT offsets of the RT10xx boot devices: FlexSPI/SEMC NOR, SD/MMC/NAND, image without padding.
constexpr std::array<std::uint32_t, 3> kIvtOffsets = {0x1000, 0x400, 0x0};
// Where an application can start relative to the IVT (SPSDK tries the same set): serial
// downloader, SD/NAND, FlexSPI NOR, and the larger NOR header variants.
constexpr std::array<std::uint32_t, 5> kAppOffsets = {0x400, 0xC00, 0x1000, 0x2000, 0x100};

bool is_candidate(ByteView file, std::uint32_t offset) {
    if (file.size() < offset + kIvtSize + 12 || !looks_like_ivt(file.subspan(offset)))
        return false;
    const std::uint32_t self = load_le32(&file[offset + 0x14]);
    const std::uint32_t boot_data = load_le32(&file[offset + 0x10]);
    return boot_data == self + kIvtSize;
}

}  // namespace

ParsedImage parse_boot_image(ByteView file, const std::string& name) {
    ParsedImage p;
    bool found = false;
    for (std::uint32_t off : kIvtOffsets) {
        if (is_candidate(file, off)) {
            p.ivt_file_offset = off;
            found = true;
            break;
        }
    }
    if (!found) {
        throw Error(ErrorCode::BadInput,
                    fmt::format("{}: no IVT found (looked for D1 00 20 4x with a boot data pointer "
                                "of self + 0x20 at offsets 0x1000, 0x400 and 0x0 of {} bytes); "
                                "not an i.MX RT bootable image",
                                name, file.size()));
    }
    const std::string at = fmt::format("{}: offset 0x{:X}", name, p.ivt_file_offset);
    p.ivt = parse_ivt(file.subspan(p.ivt_file_offset), at);
    p.boot_data =
        parse_boot_data(file.subspan(p.ivt_file_offset + kIvtSize),
                        fmt::format("{}: offset 0x{:X}", name, p.ivt_file_offset + kIvtSize));
    p.file_address = p.ivt.self - p.ivt_file_offset;
    const std::uint64_t file_end = static_cast<std::uint64_t>(p.file_address) + file.size();

    // The FCB sits at 0, or at 0x400 on RT1010 (whose OTFAD key blob takes offset 0).
    for (std::uint32_t off : {0x0u, 0x400u}) {
        if (off + kFcbSize <= p.ivt_file_offset && load_le32(&file[off]) == kFcbTag) {
            p.fcb = Bytes(file.begin() + off, file.begin() + off + kFcbSize);
            p.fcb_file_offset = off;
            break;
        }
    }
    if (p.boot_data.start > p.ivt.self) {
        throw Error(ErrorCode::BadInput,
                    fmt::format("{}: boot data start 0x{:08X} is above the IVT at 0x{:08X}", at,
                                p.boot_data.start, p.ivt.self));
    }
    p.boot_data_covers_file =
        static_cast<std::uint64_t>(p.boot_data.start) + p.boot_data.length >= file_end;

    // Resolves an absolute pointer from the IVT to a file offset, or explains why it cannot.
    auto to_offset = [&](std::uint32_t address, std::string_view what) -> std::uint32_t {
        if (address < p.file_address || address >= file_end) {
            throw Error(ErrorCode::BadInput,
                        fmt::format("{}: {} pointer 0x{:08X} lies outside the file (0x{:08X}.."
                                    "0x{:08X})",
                                    at, what, address, p.file_address, file_end - 1));
        }
        return address - p.file_address;
    };

    std::uint32_t after_headers = p.ivt_file_offset + static_cast<std::uint32_t>(kDcdOffsetFromIvt);
    if (p.ivt.dcd != 0) {
        const std::uint32_t off = to_offset(p.ivt.dcd, "DCD");
        if (file.size() < off + 4 || file[off] != kDcdTag) {
            throw Error(ErrorCode::BadInput,
                        fmt::format("{}: offset 0x{:X}: the IVT's DCD pointer does not point at a "
                                    "DCD header (tag D2)",
                                    name, off));
        }
        p.dcd_file_offset = off;
        p.dcd_size = load_be16(&file[off + 1]);
        if (off + p.dcd_size > file.size()) {
            throw Error(
                ErrorCode::BadInput,
                fmt::format("{}: offset 0x{:X}: DCD length {} runs past the end of the file", name,
                            off, p.dcd_size));
        }
        after_headers = off + p.dcd_size;
    }

    std::uint32_t csf_offset = static_cast<std::uint32_t>(file.size());
    if (p.ivt.csf != 0) {
        if (p.ivt.csf >= file_end) {
            // The CSF is not in the file (e.g. an image signed later): note it, do not fail.
            p.csf_file_offset = std::nullopt;
        } else {
            csf_offset = to_offset(p.ivt.csf, "CSF");
            p.csf_file_offset = csf_offset;
            p.csf_size = static_cast<std::uint32_t>(file.size()) - csf_offset;
        }
    }

    // The app begins with a vector table whose reset vector points inside the app.
    const std::uint32_t entry = p.ivt.entry & ~1u;
    for (std::uint32_t rel : kAppOffsets) {
        const std::uint32_t off = p.ivt_file_offset + rel;
        if (off < after_headers || off + 8 > csf_offset)
            continue;
        const std::uint32_t address = p.file_address + off;
        const std::uint32_t reset = load_le32(&file[off + 4]) & ~1u;
        if (reset == entry && entry >= address && entry < p.file_address + csf_offset) {
            p.app_file_offset = off;
            p.app_address = address;
            break;
        }
    }
    if (!p.app_file_offset && entry >= p.file_address + after_headers &&
        entry < p.file_address + csf_offset) {
        // No vector table at a standard offset: the app begins after the headers.
        p.app_file_offset = after_headers;
        p.app_address = p.file_address + after_headers;
    }
    if (p.app_file_offset) {
        std::uint64_t app_end =
            std::min<std::uint64_t>(csf_offset, static_cast<std::uint64_t>(p.boot_data.start) +
                                                    p.boot_data.length - p.file_address);
        if (p.ivt.csf != 0 && p.csf_file_offset)
            app_end = *p.csf_file_offset;
        app_end = std::min<std::uint64_t>(app_end, file.size());
        p.app_size = static_cast<std::uint32_t>(app_end - *p.app_file_offset);
    }
    return p;
}

}  // namespace rtprov::boot
