#include <algorithm>

#include <fmt/format.h>

#include "rtprov/boot/fcb.hpp"
#include "rtprov/boot/image.hpp"
#include "rtprov/util/error.hpp"

namespace rtprov::boot {

namespace {

std::string region_list(const device::Device& dev) {
    std::string out;
    for (const auto& r : dev.memory) {
        if (!out.empty())
            out += ", ";
        out += fmt::format("{} 0x{:08X}..0x{:08X}", r.name, r.start,
                           static_cast<std::uint64_t>(r.start) + r.size - 1);
    }
    return out;
}

std::string boot_device_list(const device::Device& dev) {
    std::string out;
    for (const auto& l : dev.boot_layouts) {
        if (!out.empty())
            out += ", ";
        out += device::boot_device_name(l.device);
    }
    return out;
}

// Where the boot image begins in memory (the address of boot-device offset 0).
std::uint32_t image_start_for(const BuildOptions& o, const device::BootLayout& layout,
                              const device::MemoryRegion& region, std::uint32_t app_address) {
    const auto dev_name = device::boot_device_name(o.boot_device);
    if (region.xip) {
        if (!layout.has_fcb) {
            throw Error(ErrorCode::Usage,
                        fmt::format("the app is linked for execute-in-place in {} (0x{:08X}), "
                                    "which needs --boot-device flexspi-nor, not {}",
                                    region.name, app_address, dev_name));
        }
        if (app_address < region.start + layout.initial_load_size) {
            throw Error(ErrorCode::BadInput,
                        fmt::format("the app starts at 0x{:08X}, inside the {}-byte boot header "
                                    "area of {} (0x{:08X}..0x{:08X}); link the app at 0x{:08X} "
                                    "or above, or give it without its own FCB/IVT",
                                    app_address, layout.initial_load_size, region.name,
                                    region.start, region.start + layout.initial_load_size - 1,
                                    region.start + layout.initial_load_size));
        }
        return region.start;
    }
    if (app_address < layout.initial_load_size ||
        o.device->region_of(app_address - layout.initial_load_size) == nullptr) {
        throw Error(ErrorCode::BadInput,
                    fmt::format("the app at 0x{:08X} leaves no room for the 0x{:X}-byte boot "
                                "header ({}) below it in {}; link it at least 0x{:X} bytes above "
                                "the start of a RAM",
                                app_address, layout.initial_load_size, dev_name, region.name,
                                layout.initial_load_size));
    }
    return app_address - layout.initial_load_size;
}

}  // namespace

device::BootLayout effective_layout(const BuildOptions& o) {
    if (o.device == nullptr)
        throw Error(ErrorCode::Internal, "build_image: no device");
    const device::Device& dev = *o.device;
    const device::BootLayout* named = dev.layout(o.boot_device);
    if (named == nullptr) {
        throw Error(ErrorCode::Usage,
                    fmt::format("{} cannot boot from {}; its boot devices are: {}", dev.name,
                                device::boot_device_name(o.boot_device), boot_device_list(dev)));
    }
    device::BootLayout l = *named;
    l.ivt_offset = o.ivt_offset.value_or(l.ivt_offset);
    l.initial_load_size = o.initial_load_size.value_or(l.initial_load_size);
    if (!o.ivt_offset && !o.initial_load_size)
        return l;
    if (l.ivt_offset % 4 != 0) {
        throw Error(ErrorCode::BadInput,
                    fmt::format("layout: ivt_offset 0x{:X} is not word-aligned", l.ivt_offset));
    }
    const std::uint64_t headers_end = std::uint64_t{l.ivt_offset} + kDcdOffsetFromIvt;
    if (headers_end > l.initial_load_size) {
        throw Error(ErrorCode::BadInput,
                    fmt::format("layout: the IVT and boot data (0x{:X}..0x{:X}) must lie inside "
                                "the initial load region (0x0..0x{:X}); make initial_load_size at "
                                "least 0x{:X}",
                                l.ivt_offset, headers_end - 1, l.initial_load_size, headers_end));
    }
    if (o.fcb && l.has_fcb && l.ivt_offset < l.fcb_offset + kFcbSize &&
        l.ivt_offset + kDcdOffsetFromIvt > l.fcb_offset) {
        throw Error(ErrorCode::BadInput,
                    fmt::format("layout: the IVT at 0x{:X} overlaps the FlexSPI config block "
                                "(0x{:X}..0x{:X})",
                                l.ivt_offset, l.fcb_offset, l.fcb_offset + kFcbSize - 1));
    }
    return l;
}

BootImage build_image(const BuildOptions& o) {
    const device::BootLayout effective = effective_layout(o);
    const device::BootLayout* layout = &effective;
    const device::Device& dev = *o.device;
    if (o.app.empty())
        throw Error(ErrorCode::BadInput, "the app holds no data");

    const Bytes app = o.app.flatten(0x00);
    const std::uint32_t app_address = o.app.start();
    const device::MemoryRegion* region = dev.region_of(app_address, app.size());
    if (region == nullptr) {
        throw Error(ErrorCode::BadInput,
                    fmt::format("the app (0x{:08X}..0x{:08X}, {} bytes) does not fit in any "
                                "memory of {}: {}",
                                app_address, app_address + app.size() - 1, app.size(), dev.name,
                                region_list(dev)));
    }
    if (app.size() < 8) {
        throw Error(ErrorCode::BadInput,
                    fmt::format("the app is {} bytes; it must start with a Cortex-M vector table "
                                "(initial SP, reset vector)",
                                app.size()));
    }

    BootImage img;
    img.image_start = image_start_for(o, *layout, *region, app_address);
    img.ivt_offset = layout->ivt_offset;
    img.app_address = app_address;
    img.app_size = static_cast<std::uint32_t>(app.size());
    const std::uint32_t app_offset = app_address - img.image_start;
    const std::uint64_t total = static_cast<std::uint64_t>(app_offset) + app.size();
    if (total > UINT32_MAX)
        throw Error(ErrorCode::BadInput, "the image exceeds 4 GiB");

    img.ivt.entry = o.entry.value_or(load_le32(app.data() + 4));
    const std::uint32_t entry_address = img.ivt.entry & ~1u;
    if (entry_address < app_address || entry_address >= app_address + app.size()) {
        img.warnings.push_back(fmt::format(
            "entry point 0x{:08X} lies outside the app (0x{:08X}..0x{:08X}); check the vector "
            "table or --entry",
            img.ivt.entry, app_address, app_address + app.size() - 1));
    }
    if (const device::BootLayout* named = dev.layout(o.boot_device);
        named->ivt_offset != layout->ivt_offset &&
        o.boot_device != device::BootDevice::SerialDownloader) {
        img.warnings.push_back(fmt::format(
            "the boot ROM reads the IVT at offset 0x{:X} of {}; with the IVT at 0x{:X} this "
            "image boots only when something else loads it (SDP, a flashloader)",
            named->ivt_offset, device::boot_device_name(o.boot_device), layout->ivt_offset));
    }
    if (region->external && !region->xip && !o.dcd) {
        img.warnings.push_back(fmt::format(
            "the app runs from {} (external memory) but no DCD is given; the boot ROM cannot "
            "initialise that memory without one (--dcd)",
            region->name));
    }

    const std::uint32_t ivt_address = img.image_start + img.ivt_offset;
    img.ivt.self = ivt_address;
    img.ivt.boot_data = ivt_address + static_cast<std::uint32_t>(kIvtSize);
    img.boot_data = BootData{img.image_start, static_cast<std::uint32_t>(total), 0};

    Bytes out(total, 0x00);
    if (o.fcb) {
        if (!layout->has_fcb) {
            throw Error(ErrorCode::Usage,
                        fmt::format("a FlexSPI NOR config block (--fcb) has no place on {}",
                                    device::boot_device_name(o.boot_device)));
        }
        if (o.fcb->size() != kFcbSize) {
            throw Error(ErrorCode::BadInput,
                        fmt::format("the FCB is {} bytes; a FlexSPI NOR config block is 512 bytes",
                                    o.fcb->size()));
        }
        // At offset 0 on most parts; RT1010 keeps its OTFAD key blob there and the FCB at 0x400.
        std::copy(o.fcb->begin(), o.fcb->end(), out.begin() + layout->fcb_offset);
        img.has_fcb = true;
    }
    if (o.dcd) {
        const std::uint32_t dcd_offset =
            img.ivt_offset + static_cast<std::uint32_t>(kDcdOffsetFromIvt);
        if (dcd_offset + o.dcd->size() > app_offset) {
            throw Error(
                ErrorCode::BadInput,
                fmt::format("the DCD ({} bytes at offset 0x{:X}) runs into the app at "
                            "offset 0x{:X}; at most {} bytes fit",
                            o.dcd->size(), dcd_offset, app_offset, app_offset - dcd_offset));
        }
        std::copy(o.dcd->begin(), o.dcd->end(), out.begin() + dcd_offset);
        img.ivt.dcd = img.image_start + dcd_offset;
        img.dcd_size = static_cast<std::uint32_t>(o.dcd->size());
    }
    const Bytes ivt = serialize(img.ivt);
    const Bytes bd = serialize(img.boot_data);
    std::copy(ivt.begin(), ivt.end(), out.begin() + img.ivt_offset);
    std::copy(bd.begin(), bd.end(), out.begin() + img.ivt_offset + kIvtSize);
    std::copy(app.begin(), app.end(), out.begin() + app_offset);

    if (o.padding) {
        img.address = img.image_start;
        img.data = std::move(out);
    } else {
        img.address = ivt_address;
        img.data.assign(out.begin() + img.ivt_offset, out.end());
    }
    return img;
}

}  // namespace rtprov::boot
