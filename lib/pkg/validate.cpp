// validate_manifest: the device, the images and flashloaders against their own bytes and the
// device database, then the fuse plan (validate_fuses.cpp) and the memory steps
// (validate_plan.cpp).

#include "rtprov/pkg/validate.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "rtprov/hab/csf.hpp"
#include "rtprov/hab/verify.hpp"
#include "rtprov/pkg/package.hpp"
#include "rtprov/pkg/write_plan.hpp"
#include "rtprov/util/error.hpp"
#include "validate_internal.hpp"

namespace rtprov::pkg {

namespace detail {

std::string describe(const Span& s) {
    return fmt::format("0x{:08x}..0x{:08x}", s.start, s.end - 1);
}

void refuse(const std::string& where, const std::string& what) {
    throw Error(ErrorCode::BadInput, fmt::format("manifest.json: {}: {}", where, what));
}

bool requires_feature(const Manifest& m, std::string_view name) {
    return std::any_of(m.required.begin(), m.required.end(),
                       [&](const RequiredFeature& f) { return f.name == name; });
}

const Bytes& file_data(const Checked& c, const std::string& path) {
    const auto it = c.files.find(path);
    if (it == c.files.end())
        throw Error(ErrorCode::Internal, fmt::format("'{}' is not in the package", path));
    return it->second;
}

}  // namespace detail

namespace {

using namespace detail;

void need_role(const Manifest& m, const std::string& where, const std::string& path,
               FileRole role) {
    const FileEntry& f = file_entry(m, path);
    if (f.role != role) {
        refuse(where, fmt::format("'{}' has role {}, not {}", path, file_role_name(f.role),
                                  file_role_name(role)));
    }
}

// What the boot ROM reads of an image placed at `address`: the file, the CSF region its IVT
// points at and the end of what its boot data loads, mapped from memory addresses to the device.
Span occupied_by(const ImageEntry& img, const Bytes& data, const boot::ParsedImage& p) {
    const auto on_device = [&](std::uint64_t memory_address) {
        return memory_address <= p.file_address
                   ? std::uint64_t{img.address}
                   : std::uint64_t{img.address} + (memory_address - p.file_address);
    };
    std::uint64_t end = std::uint64_t{img.address} + data.size();
    if (p.ivt.csf != 0)
        end = std::max(end, on_device(std::uint64_t{p.ivt.csf} + hab::kCsfSize));
    end = std::max(end, on_device(std::uint64_t{p.boot_data.start} + p.boot_data.length));
    return {img.address, end};
}

void check_images(Checked& c) {
    const Manifest& m = c.manifest;
    if (m.images.empty())
        refuse("images", "empty: a package holds the image its boards boot");
    const bool hab_signed = requires_feature(m, "hab-signed");
    for (std::size_t i = 0; i < m.images.size(); ++i) {
        const ImageEntry& img = m.images[i];
        const std::string at = fmt::format("images[{}]", i);
        const auto boot_device = device::parse_boot_device(img.boot_device);
        if (!boot_device)
            refuse(at + ".boot_device", fmt::format("unknown boot device '{}'", img.boot_device));
        for (std::size_t j = 0; j < i; ++j) {
            if (m.images[j].boot_device == img.boot_device)
                refuse(at + ".boot_device", fmt::format("{} has two images", img.boot_device));
        }
        need_role(m, at + ".file", img.file, FileRole::Image);
        const Bytes& data = file_data(c, img.file);
        const ImageEntry placed = with_context("manifest.json: " + at, [&] {
            return place_image(c.device, *boot_device, img.file, data, img.is_signed);
        });
        if (img.memory_id != placed.memory_id) {
            refuse(at + ".memory_id",
                   fmt::format("0x{:X}, but a {} image goes to memory id 0x{:X}", img.memory_id,
                               img.boot_device, placed.memory_id));
        }
        if (img.address != placed.address) {
            refuse(
                at + ".address",
                fmt::format("0x{:08x}, but {}'s IVT and the {} layout of {} put its byte 0 at "
                            "0x{:08x}",
                            img.address, img.file, img.boot_device, c.device.name, placed.address));
        }
        CheckedImage ci;
        ci.entry = &img;
        ci.index = i;
        ci.data = &data;
        ci.parsed = boot::parse_boot_image(data, img.file);
        const bool has_csf = ci.parsed.csf_file_offset.has_value();
        if (img.is_signed != has_csf) {
            refuse(at + ".signed",
                   fmt::format("{}, but {} has {} CSF", img.is_signed ? "true" : "false", img.file,
                               has_csf ? "a" : "no"));
        }
        if (img.is_signed != hab_signed) {
            refuse(at + ".signed",
                   fmt::format("{} is {}signed, and the package {} feature hab-signed", img.file,
                               img.is_signed ? "" : "not ",
                               hab_signed ? "requires" : "does not require"));
        }
        if (img.memory_id != 0) {
            ci.occupied = occupied_by(img, data, ci.parsed);
            if (has_csf)
                ci.key_blob_address = with_context(
                    "manifest.json: " + at, [&] { return dek_blob_on_device(img, data); });
        }
        c.images.push_back(std::move(ci));
    }
}

// The ROM loads a flashloader into internal RAM over SDP and jumps to its IVT.
void check_flashloaders(const Checked& c) {
    const Manifest& m = c.manifest;
    for (std::size_t i = 0; i < m.flashloaders.size(); ++i) {
        const FlashloaderEntry& f = m.flashloaders[i];
        const std::string at = fmt::format("flashloaders[{}]", i);
        need_role(m, at + ".file", f.file, FileRole::Flashloader);
        const Bytes& data = file_data(c, f.file);
        const FlashloaderEntry placed = with_context(
            "manifest.json: " + at, [&] { return place_flashloader(f.file, data, f.is_signed); });
        if (f.load_address != placed.load_address) {
            refuse(at + ".load_address",
                   fmt::format("0x{:08x}, but {}'s IVT puts its byte 0 at 0x{:08x}", f.load_address,
                               f.file, placed.load_address));
        }
        if (f.ivt_address != placed.ivt_address) {
            refuse(at + ".ivt_address", fmt::format("0x{:08x}, but {}'s IVT is at 0x{:08x}",
                                                    f.ivt_address, f.file, placed.ivt_address));
        }
        const device::MemoryRegion* r = c.device.region_of(f.load_address, data.size());
        if (data.empty() || r == nullptr || r->external) {
            refuse(at + ".load_address",
                   fmt::format("{} at 0x{:08x} ({} bytes) is not inside the internal RAM of {}",
                               f.file, f.load_address, data.size(), c.device.name));
        }
        const bool has_csf = boot::parse_boot_image(data, f.file).csf_file_offset.has_value();
        if (f.is_signed != has_csf) {
            refuse(at + ".signed",
                   fmt::format("{}, but {} has {} CSF", f.is_signed ? "true" : "false", f.file,
                               has_csf ? "a" : "no"));
        }
    }
}

}  // namespace

void validate_manifest(const Manifest& manifest, const std::map<std::string, Bytes>& files) {
    const device::Device* dev = nullptr;
    try {
        dev = &device::find_device(manifest.device);
    } catch (const Error& e) {
        refuse("device", e.what());
    }
    Checked c{manifest, *dev, files, {}};
    check_images(c);
    check_flashloaders(c);
    check_fuses(c);
    check_srk(c);
    check_memory_steps(c);
}

}  // namespace rtprov::pkg
