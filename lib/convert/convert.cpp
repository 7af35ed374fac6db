#include "rtprov/convert/convert.hpp"

#include <array>
#include <cstdio>
#include <utility>

#include <fmt/format.h>

#include "csf_sections.hpp"
#include "rtprov/device/device.hpp"
#include "rtprov/input/formats.hpp"
#include "rtprov/project/project_writer.hpp"
#include "rtprov/util/error.hpp"
#include "rtprov/util/file.hpp"
#include "rtprov/util/parse.hpp"

namespace rtprov::convert {

namespace {

[[noreturn]] void fail(const std::string& where, const std::string& what) {
    throw Error(ErrorCode::BadInput, fmt::format("{}: {}", where, what));
}

// NXP's family names (BD `family = rt105x;`) -> rtprov part names.
constexpr std::array<std::pair<std::string_view, std::string_view>, 8> kFamilies = {{
    {"rt101x", "mimxrt1010"},
    {"rt1015", "mimxrt1015"},
    {"rt102x", "mimxrt1020"},
    {"rt1024", "mimxrt1024"},
    {"rt104x", "mimxrt1040"},
    {"rt105x", "mimxrt1050"},
    {"rt106x", "mimxrt1060"},
    {"rt1064", "mimxrt1064"},
}};

const device::Device& family_device(const VendorEntry& e) {
    std::string_view name = e.value;
    for (const auto& [family, part] : kFamilies) {
        if (family == name)
            name = part;
    }
    try {
        return device::find_device(name);
    } catch (const Error& err) {
        fail(e.where, fmt::format("'family': {}", err.message()));
    }
}

struct Options {
    std::uint64_t flags = 0;
    std::optional<std::uint32_t> start_address, ivt_offset, initial_load_size, entry;
    const VendorEntry* family = nullptr;
    const VendorEntry* boot_device = nullptr;
    const VendorEntry* timestamp = nullptr;
    const VendorEntry* start_entry = nullptr;
    const VendorEntry* dcd = nullptr;
};

std::uint32_t u32(const VendorEntry& e) {
    const auto v = parse_uint(e.value);
    if (!v || *v > UINT32_MAX)
        fail(e.where, fmt::format("'{}': '{}' is not a 32-bit number", e.key, e.value));
    return static_cast<std::uint32_t>(*v);
}

Options read_options(const VendorConfig& config) {
    Options o;
    bool have_flags = false;
    for (const auto& e : config.options) {
        if (e.key == "flags") {
            o.flags = u32(e);
            have_flags = true;
        } else if (e.key == "startAddress") {
            o.start_address = u32(e);
            o.start_entry = &e;
        } else if (e.key == "ivtOffset") {
            o.ivt_offset = u32(e);
        } else if (e.key == "initialLoadSize") {
            o.initial_load_size = u32(e);
        } else if (e.key == "entryPointAddress") {
            o.entry = u32(e);
        } else if (e.key == "family") {
            o.family = &e;
        } else if (e.key == "bootDevice") {
            o.boot_device = &e;
        } else if (e.key == "signatureTimestamp") {
            o.timestamp = &e;
        } else if (e.key == "DCDFilePath") {
            o.dcd = &e;
        } else {
            fail(e.where, fmt::format("unknown option '{}'; known options: flags, startAddress, "
                                      "ivtOffset, initialLoadSize, entryPointAddress, family, "
                                      "bootDevice, signatureTimestamp, DCDFilePath",
                                      e.key));
        }
    }
    if (!have_flags)
        fail(config.source.string(), "option 'flags' is missing (0x00 plain, 0x08 signed)");
    if (!o.family) {
        fail(config.source.string(),
             "option 'family' is missing; rtprov needs the part (e.g. family = rt105x)");
    }
    return o;
}

// The boot device: named, or the first of the part's layouts with the given offsets. Offsets that
// differ from every named layout (a signed flashloader image, say) become a free layout
// (`layout:`), as nxpimage builds them.
std::string boot_device(const Options& o, const device::Device& dev, Conversion& out) {
    const auto keep_layout = [&](const std::string& name, const std::string& why) {
        out.spec.layout = project::LayoutSpec{*o.ivt_offset, *o.initial_load_size, ""};
        out.notes.push_back(fmt::format("ivtOffset 0x{:X} and initialLoadSize 0x{:X} {}: kept as "
                                        "a free layout (layout:), boot device {}",
                                        *o.ivt_offset, *o.initial_load_size, why, name));
        return name;
    };
    if (o.boot_device) {
        const auto bd = device::parse_boot_device(o.boot_device->value);
        if (!bd)
            fail(o.boot_device->where,
                 fmt::format("'bootDevice': unknown boot device '{}'", o.boot_device->value));
        const auto* layout = dev.layout(*bd);
        if (!layout)
            fail(o.boot_device->where,
                 fmt::format("{} cannot boot from {}", dev.name, o.boot_device->value));
        const std::string name(device::boot_device_name(*bd));
        if ((o.ivt_offset && *o.ivt_offset != layout->ivt_offset) ||
            (o.initial_load_size && *o.initial_load_size != layout->initial_load_size)) {
            if (!o.ivt_offset || !o.initial_load_size) {
                fail(o.boot_device->where,
                     fmt::format("ivtOffset/initialLoadSize differ from {}'s layout (0x{:X}/0x{:X}): "
                                 "give both for a free layout",
                                 name, layout->ivt_offset, layout->initial_load_size));
            }
            return keep_layout(name, fmt::format("differ from {}'s (0x{:X}/0x{:X})", name,
                                                 layout->ivt_offset, layout->initial_load_size));
        }
        return name;
    }
    if (!o.ivt_offset || !o.initial_load_size) {
        fail(o.family->where, "give 'bootDevice', or both 'ivtOffset' and 'initialLoadSize'");
    }
    for (const auto& layout : dev.boot_layouts) {
        if (layout.ivt_offset == *o.ivt_offset &&
            layout.initial_load_size == *o.initial_load_size) {
            const std::string name(device::boot_device_name(layout.device));
            out.notes.push_back(
                fmt::format("boot device {} inferred from ivtOffset 0x{:X} and "
                            "initialLoadSize 0x{:X}",
                            name, *o.ivt_offset, *o.initial_load_size));
            return name;
        }
    }
    // The boot device whose ROM reads the IVT at that offset, else the serial downloader (the
    // image is loaded over SDP, e.g. a flashloader).
    std::string name(device::boot_device_name(device::BootDevice::SerialDownloader));
    for (const auto& layout : dev.boot_layouts) {
        if (layout.ivt_offset == *o.ivt_offset) {
            name = device::boot_device_name(layout.device);
            break;
        }
    }
    return keep_layout(name, fmt::format("match no boot device of {}", dev.name));
}

// NXP writes the image from startAddress; rtprov derives it from the app and the layout.
void check_start(const Options& o, const device::Device& dev, const project::BuildSpec& spec,
                 const input::MemoryImage& app) {
    if (!o.start_address)
        return;
    const auto bd = *device::parse_boot_device(spec.boot_device);
    const auto* layout = dev.layout(bd);
    const auto* region = dev.region_of(app.start());
    if (!layout || !region)
        return;  // build reports these with its own messages
    const std::uint32_t load_size =
        spec.layout ? spec.layout->initial_load_size : layout->initial_load_size;
    const std::uint32_t start = region->xip ? region->start : app.start() - load_size;
    if (start != *o.start_address) {
        fail(o.start_entry->where,
             fmt::format("'startAddress' 0x{:08X} does not match the image rtprov builds for an "
                         "app at 0x{:08X} on {} (0x{:08X})",
                         *o.start_address, app.start(), spec.boot_device, start));
    }
}

}  // namespace

std::string iso_timestamp(const std::string& nxp_timestamp, const std::string& where) {
    unsigned d = 0, mo = 0, y = 0, h = 0, mi = 0, s = 0;
    char tail = 0;
    if (std::sscanf(nxp_timestamp.c_str(), "%2u/%2u/%4u %2u:%2u:%2u%c", &d, &mo, &y, &h, &mi, &s,
                    &tail) != 6 ||
        d < 1 || d > 31 || mo < 1 || mo > 12 || y < 1970 || h > 23 || mi > 59 || s > 59) {
        fail(where,
             fmt::format("'signatureTimestamp': '{}' is not dd/mm/yyyy HH:MM:SS", nxp_timestamp));
    }
    return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z", y, mo, d, h, mi, s);
}

Conversion convert_config(const VendorConfig& config, const ConvertOptions& options) {
    Conversion out;
    const Options o = read_options(config);
    const device::Device& dev = family_device(*o.family);
    project::BuildSpec& spec = out.spec;
    spec.device = std::string(dev.name);
    spec.boot_device = boot_device(o, dev, out);
    spec.padding = false;  // NXP's HAB output starts at the IVT

    if (options.input) {
        spec.app = *options.input;
    } else if (config.input_image) {
        spec.app = *config.input_image;
    } else {
        throw Error(ErrorCode::Usage,
                    fmt::format("{}: the application is not named in the configuration; give "
                                "--input APP",
                                config.source.string()));
    }
    // NXP places a raw binary at startAddress + initialLoadSize: the app follows the initial
    // load area (other formats carry their own addresses, which check_start compares).
    if (input::detect_format(spec.app, read_file(spec.app)) == input::Format::Binary &&
        o.start_address) {
        const auto* layout = dev.layout(*device::parse_boot_device(spec.boot_device));
        const std::uint32_t load_size =
            o.initial_load_size ? *o.initial_load_size : (layout ? layout->initial_load_size : 0);
        spec.app_format = "bin";
        spec.app_address = *o.start_address + load_size;
    }
    const input::MemoryImage app =
        input::load_file(spec.app, input::Format::Auto, spec.app_address);
    check_start(o, dev, spec, app);
    // NXP uses entryPointAddress, else the input file's entry (S7 record, ELF e_entry).
    spec.entry = o.entry ? o.entry : app.entry_point;

    // SPSDK's DCDFilePath: a binary DCD, relative to the configuration.
    if (o.dcd)
        spec.dcd = vendor_path(*o.dcd, config.source.parent_path());
    if (has_windows_separators(config)) {
        out.notes.push_back("paths written with '\\' were read with '/' as folder separator, as "
                            "NXP's tools read them on every OS");
    }
    if (o.flags == 0x00) {
        if (!config.sections.empty())
            out.notes.push_back("flags 0x00 (plain image): CSF sections ignored");
        return out;
    }
    if (o.flags != 0x08 && o.flags != 0x0C) {
        throw Error(ErrorCode::BadInput,
                    fmt::format("{}: flags 0x{:02X}: use 0x00 (plain), 0x08 (signed) or 0x0C "
                                "(signed and encrypted)",
                                config.source.string(), o.flags));
    }
    project::HabSpec hab = detail::hab_from_sections(config);
    if ((o.flags == 0x0C) != hab.encrypt.has_value()) {
        throw Error(ErrorCode::BadInput,
                    fmt::format("{}: flags 0x{:02X} {} sections SecretKey and Decrypt",
                                config.source.string(), o.flags,
                                o.flags == 0x0C ? "needs" : "(signed, not encrypted) cannot have"));
    }
    if (o.timestamp)
        hab.signature_time = iso_timestamp(o.timestamp->value, o.timestamp->where);
    spec.hab = std::move(hab);
    return out;
}

std::string project_text(const Conversion& conversion, const VendorConfig& config,
                         const std::filesystem::path& project_path) {
    // The source relative to the project, so a converted project is the same in every checkout.
    const std::filesystem::path base = std::filesystem::absolute(project_path).parent_path();
    const std::filesystem::path source =
        std::filesystem::absolute(config.source).lexically_normal().lexically_relative(base);
    std::string header = fmt::format(
        "rtprov project converted by `rtprov convert --from {}` from\n"
        "    {}\n"
        "Build it with: rtprov build -c {} -o OUT.bin\n"
        "Paths are relative to this file. Keys and certificates are referenced, not copied;\n"
        "an encrypted private key needs hab.key_password_file or $RTPROV_KEY_PASSWORD.",
        config.format, source.empty() ? config.source.generic_string() : source.generic_string(),
        project_path.filename().string());
    for (const auto& note : conversion.notes)
        header += "\nNote: " + note;
    return project::format_project(conversion.spec, project_path, header);
}

}  // namespace rtprov::convert
