// `rtprov init`'s checks: the part, boot device and preset against the device database, and the
// feature combinations the build would refuse, refused here first with the reason. The text
// itself is written by project_template_text.cpp.

#include "rtprov/project/project_template.hpp"

#include <algorithm>
#include <cctype>

#include <fmt/format.h>

#include "project_template_plan.hpp"
#include "rtprov/input/formats.hpp"
#include "rtprov/util/error.hpp"
#include "rtprov/util/file.hpp"

namespace rtprov::project {

namespace {

using device::BootDevice;

constexpr std::uint32_t kFlexspiBase = 0x60000000;  // the window the BEE and the OTFAD decrypt
constexpr std::uint32_t kSemcNorBase = 0x90000000;
constexpr std::uint32_t kAppOffset = 0x2000;  // after the boot header (FCB, IVT, boot data)
constexpr std::uint32_t kBoardDataOffset = 0x100000;

[[noreturn]] void refuse(const std::string& why) {
    throw Error(ErrorCode::Usage, why);
}

std::string boot_device_list(const device::Device& dev) {
    std::string out;
    for (const auto& l : dev.boot_layouts)
        out += (out.empty() ? "" : ", ") + std::string(device::boot_device_name(l.device));
    return out;
}

BootDevice checked_boot_device(const device::Device& dev, const std::string& name) {
    if (name.empty())
        return BootDevice::FlexspiNor;  // every EVK boots from its FlexSPI NOR flash
    const auto parsed = device::parse_boot_device(name);
    if (!parsed) {
        refuse(fmt::format("unknown boot device '{}'; {} boots from: {}", name, dev.name,
                           boot_device_list(dev)));
    }
    if (dev.layout(*parsed) == nullptr) {
        refuse(fmt::format("{} cannot boot from {}; its boot devices are: {}", dev.name,
                           device::boot_device_name(*parsed), boot_device_list(dev)));
    }
    return *parsed;
}

const boot::FcbPreset* checked_preset(const detail::TemplatePlan& p) {
    const std::string& name = p.options.fcb_preset;
    if (name.empty())
        return p.boot_device == BootDevice::FlexspiNor ? detail::evk_preset(*p.device) : nullptr;
    const boot::FcbPreset* found = nullptr;
    std::string known;
    for (const auto& preset : boot::fcb_presets()) {
        known += (known.empty() ? "" : ", ") + std::string(preset.name);
        if (preset.name == name)
            found = &preset;
    }
    if (found == nullptr)
        refuse(fmt::format("unknown FCB preset '{}'; the presets are: {}", name, known));
    if (p.boot_device != BootDevice::FlexspiNor) {
        refuse(
            fmt::format("--fcb: a FlexSPI NOR config block has no place on {}; it is for "
                        "--boot-device flexspi-nor",
                        device::boot_device_name(p.boot_device)));
    }
    return found;
}

const device::MemoryRegion* region_named(const device::Device& dev, std::string_view name) {
    for (const auto& r : dev.memory)
        if (r.name == name)
            return &r;
    return nullptr;
}

// Where the app is, or where the project tells the user to link it: XIP from the flash the FCB
// describes, or DTCM when it must run from RAM (HAB encryption, every other boot device).
void place_app(detail::TemplatePlan& p) {
    const TemplateOptions& o = p.options;
    const device::Device& dev = *p.device;
    const std::string& app = o.app_name.empty() ? o.app : o.app_name;
    if (o.app_facts) {
        p.app_known = true;
        p.app_start = o.app_facts->start;
        p.app_size = o.app_facts->size;
    } else if (o.app_address) {
        p.app_start = *o.app_address;
    } else {
        const bool in_place = p.boot_device == BootDevice::FlexspiNor && !o.encrypt;
        const std::string_view name =
            !in_place ? "dtcm" : (p.preset && p.preset->name == "rt1064" ? "flexspi2" : "flexspi");
        const device::MemoryRegion* r = region_named(dev, name);
        if (r == nullptr)
            throw Error(ErrorCode::Internal, fmt::format("{} has no {}", dev.name, name));
        p.app_start = r->start + kAppOffset;
    }
    const std::uint32_t span = p.app_known ? std::max<std::uint32_t>(p.app_size, 1) : 1;
    const device::MemoryRegion* r = dev.region_of(p.app_start, span);
    if (r == nullptr) {
        refuse(fmt::format("{} at 0x{:08X}{} lies in no memory of {}", app, p.app_start,
                           p.app_known ? fmt::format(" ({} bytes)", p.app_size) : "", dev.name));
    }
    p.app_region = r->name;
    p.xip = r->xip;
}

void check_features(const detail::TemplatePlan& p) {
    const TemplateOptions& o = p.options;
    const device::Device& dev = *p.device;
    const std::string& app = o.app_name.empty() ? o.app : o.app_name;
    const std::string boot(device::boot_device_name(p.boot_device));
    const bool has_bee = dev.fuse_field("BEE_KEY0_SEL") != nullptr;
    const bool has_otfad = dev.fuse_field("OTFAD_ENABLE") != nullptr;
    if (o.encrypt && !o.hab) {
        refuse(
            "--encrypt is HAB encryption, part of signing: give it with --hab (--hab "
            "--encrypt)");
    }
    if (o.bee && o.otfad)
        refuse("--bee and --otfad: give one (the RT1010 has the OTFAD, the other parts the BEE)");
    if (o.bee && !has_bee) {
        refuse(fmt::format("--bee: {} has no BEE; its encrypted XIP is the OTFAD: use --otfad",
                           dev.name));
    }
    if (o.otfad && !has_otfad) {
        refuse(
            fmt::format("--otfad: {} has no OTFAD (only the RT1010 has); its encrypted XIP is "
                        "the BEE: use --bee",
                        dev.name));
    }
    const char* xip_option = o.bee ? "--bee" : "--otfad";
    const char* engine = o.bee ? "BEE" : "OTFAD";
    if (o.encrypt && (o.bee || o.otfad)) {
        refuse(
            fmt::format("--encrypt and {}: an image is either HAB-encrypted (copied to RAM, "
                        "decrypted there) or {}-encrypted (executed in place), not both",
                        xip_option, engine));
    }
    if ((o.bee || o.otfad) && p.boot_device != BootDevice::FlexspiNor) {
        refuse(
            fmt::format("{}: the {} decrypts what executes in place from FlexSPI NOR; the boot "
                        "device is {}",
                        xip_option, engine, boot));
    }
    if (p.xip && p.boot_device != BootDevice::FlexspiNor) {
        refuse(
            fmt::format("{} is linked to execute in place in {} (0x{:08X}), which needs "
                        "--boot-device flexspi-nor, not {}",
                        app, p.app_region, p.app_start, boot));
    }
    if (o.encrypt && p.xip) {
        refuse(
            fmt::format("--encrypt: {} is linked to execute in place from {} (0x{:08X}); HAB "
                        "decrypts only what the boot ROM copies to RAM, so rtprov build refuses "
                        "it. For encrypted XIP use {}, or link the app into RAM (DTCM, OCRAM "
                        "or SDRAM)",
                        app, p.app_region, p.app_start, has_otfad ? "--otfad" : "--bee"));
    }
    if ((o.bee || o.otfad) && !p.xip) {
        refuse(fmt::format(
            "{}: {} is linked into {} (0x{:08X}); the {} decrypts an app executed "
            "in place from FlexSPI NOR: link it at 0x{:08X}, or use --hab --encrypt "
            "for an app that runs from RAM",
            xip_option, app, p.app_region, p.app_start, engine, kFlexspiBase + kAppOffset));
    }
    if (o.bee && (p.app_start >> 28) != (kFlexspiBase >> 28)) {
        refuse(
            fmt::format("--bee: the BEE decrypts FlexSPI (0x60000000..0x6FFFFFFF); {} at "
                        "0x{:08X} executes from {}{}, which it does not decrypt: link the app at "
                        "0x{:08X} in an external FlexSPI NOR flash and give --fcb for that flash",
                        app, p.app_start, p.app_region,
                        p.preset && p.preset->name == "rt1064"
                            ? " (the RT1064's in-package flash, FCB preset rt1064)"
                            : "",
                        kFlexspiBase + kAppOffset));
    }
    if (o.per_board && p.boot_device == BootDevice::SerialDownloader) {
        refuse(
            "--per-board: per-board values are written to the boot device (or burned into "
            "fuses) by rtprov write; with --boot-device serial-downloader the image is only "
            "loaded into RAM");
    }
}

std::uint32_t round_up(std::uint64_t value, std::uint32_t to) {
    return static_cast<std::uint32_t>((value + to - 1) / to * to);
}

// A flash address above the image, its CSF and DEK blob (rtprov write refuses overlaps).
std::uint32_t board_data_address(const detail::TemplatePlan& p) {
    std::uint32_t base = 0;  // block devices take byte offsets
    if (p.boot_device == BootDevice::FlexspiNor)
        base = p.xip ? (p.app_start & 0xF0000000u) : kFlexspiBase;
    else if (p.boot_device == BootDevice::SemcNor)
        base = kSemcNorBase;
    const std::uint64_t used = p.xip ? std::uint64_t{p.app_start} - base + p.app_size + 0x6000
                                     : std::uint64_t{p.app_size} + 0x8000;
    return base + std::max(kBoardDataOffset, round_up(used, 0x10000));
}

std::vector<std::string> features_of(const TemplateOptions& o) {
    std::vector<std::string> out;
    const std::pair<bool, const char*> all[] = {{o.hab, "hab"},
                                                {o.encrypt, "encrypt"},
                                                {o.bee, "bee"},
                                                {o.otfad, "otfad"},
                                                {o.per_board, "per-board"}};
    for (const auto& [on, name] : all)
        if (on)
            out.push_back(name);
    return out;
}

std::vector<std::string> inputs_of(const detail::TemplatePlan& p) {
    const TemplateOptions& o = p.options;
    std::vector<std::string> out{o.app};
    if (o.hab) {
        out.insert(out.end(), {"pass.txt", "pki/srk/SRK_table.bin",
                               "pki/keys/CSF1_1_sha256_2048_65537_v3_usr_key.pem",
                               "pki/crts/CSF1_1_sha256_2048_65537_v3_usr_crt.pem",
                               "pki/keys/IMG1_1_sha256_2048_65537_v3_usr_key.pem",
                               "pki/crts/IMG1_1_sha256_2048_65537_v3_usr_crt.pem"});
    }
    if (o.encrypt)
        out.push_back("keys/dek.bin");
    if (o.bee)
        out.push_back("keys/bee_key.bin");
    if (o.otfad)
        out.push_back("keys/otfad_kek.bin");
    return out;
}

}  // namespace

namespace detail {

const boot::FcbPreset* evk_preset(const device::Device& dev) {
    // Boards are named after their part: "MIMXRT1060-EVK", "MIMXRT1050-EVKB".
    std::string prefix;
    for (const char c : dev.name)
        prefix += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    prefix += "-";
    for (const auto& preset : boot::fcb_presets())
        if (preset.board.starts_with(prefix))
            return &preset;
    return nullptr;
}

}  // namespace detail

std::optional<std::string_view> default_fcb_preset(std::string_view device_name) {
    const boot::FcbPreset* p = detail::evk_preset(device::find_device(device_name));
    if (p == nullptr)
        return std::nullopt;
    return p->name;
}

std::optional<AppFacts> read_app_facts(const std::filesystem::path& path,
                                       std::optional<std::uint32_t> address) {
    if (!path_exists(path))
        return std::nullopt;
    const input::MemoryImage app = input::load_file(path, input::Format::Auto, address);
    if (app.empty())
        throw Error(ErrorCode::BadInput, fmt::format("{}: the app holds no data", path.string()));
    const std::uint64_t size = app.end() - app.start();
    if (size > UINT32_MAX)
        throw Error(ErrorCode::BadInput,
                    fmt::format("{}: the app spans over 4 GiB", path.string()));
    return AppFacts{app.start(), static_cast<std::uint32_t>(size)};
}

ProjectTemplate make_project_template(const TemplateOptions& options,
                                      std::string_view project_name) {
    detail::TemplatePlan p;
    p.options = options;
    p.device = &device::find_device(options.device);
    p.boot_device = checked_boot_device(*p.device, options.boot_device);
    p.preset = checked_preset(p);
    place_app(p);
    check_features(p);
    p.board_data_address = board_data_address(p);
    p.project_name = std::string(project_name);
    const std::filesystem::path stem = std::filesystem::path(p.project_name).stem();
    p.output = (stem.empty() ? std::string("image") : stem.string()) + ".bin";

    ProjectTemplate t;
    t.device = std::string(p.device->name);
    t.boot_device = std::string(device::boot_device_name(p.boot_device));
    if (p.preset)
        t.fcb_preset = std::string(p.preset->name);
    t.features = features_of(options);
    t.inputs = inputs_of(p);
    t.next_steps = detail::next_steps(p);
    t.text = detail::template_text(p, t.next_steps);
    return t;
}

}  // namespace rtprov::project
