#include "rtprov/project/build_spec.hpp"

#include <fmt/format.h>

#include "rtprov/boot/dcd.hpp"
#include "rtprov/boot/fcb.hpp"
#include "rtprov/input/formats.hpp"
#include "rtprov/util/error.hpp"
#include "rtprov/util/file.hpp"

namespace rtprov::project {

FcbSpec fcb_spec_from_argument(const std::string& value) {
    if (path_exists(value))
        return FcbSpec{std::nullopt, value, {}};
    return FcbSpec{value, std::nullopt, {}};
}

Bytes resolve_fcb(const FcbSpec& spec) {
    boot::Fcb fcb;
    if (spec.file) {
        const std::string name = spec.file->string();
        fcb = boot::parse_fcb(read_file(*spec.file), name);
    } else if (spec.preset) {
        fcb = boot::fcb_preset(*spec.preset);
    } else {
        throw Error(ErrorCode::Usage, "fcb: give a preset name or a file");
    }
    for (const auto& [field, value] : spec.fields) {
        // Captured by name: clang 14 cannot capture structured bindings.
        with_context("fcb field override",
                     [&fcb, &f = field, &v = value] { boot::set_fcb_field(fcb, f, v); });
    }
    return boot::serialize(fcb);
}

Bytes load_dcd_file(const std::filesystem::path& path) {
    const Bytes content = read_file(path);
    const std::string name = path.string();
    if (!content.empty() && content[0] == boot::kDcdTag) {
        return boot::serialize(boot::parse_dcd(content, name));
    }
    const std::string text(content.begin(), content.end());
    return boot::serialize(boot::parse_dcd_text(text, name));
}

boot::BuildOptions resolve(const BuildSpec& spec) {
    boot::BuildOptions o;
    o.device = &device::find_device(spec.device);
    const auto boot_device = device::parse_boot_device(spec.boot_device);
    if (!boot_device) {
        throw Error(ErrorCode::Usage,
                    fmt::format("unknown boot device '{}'; use flexspi-nor, flexspi-nand, "
                                "semc-nor, semc-nand, sd, mmc, serial-downloader or recovery-spi",
                                spec.boot_device));
    }
    o.boot_device = *boot_device;
    const auto format = input::parse_format(spec.app_format);
    if (!format) {
        throw Error(ErrorCode::Usage,
                    fmt::format("unknown app format '{}'; use auto, elf, hex, srec or bin",
                                spec.app_format));
    }
    o.app = input::load_file(spec.app, *format, spec.app_address);
    o.entry = spec.entry;
    if (spec.fcb)
        o.fcb = resolve_fcb(*spec.fcb);
    if (spec.dcd)
        o.dcd = load_dcd_file(*spec.dcd);
    o.padding = spec.padding;
    if (spec.layout) {
        o.ivt_offset = spec.layout->ivt_offset;
        o.initial_load_size = spec.layout->initial_load_size;
        with_context(spec.layout->where, [&] { (void)boot::effective_layout(o); });
    }
    return o;
}

}  // namespace rtprov::project
