#include "flash_plan.hpp"

#include <fmt/format.h>

#include "rtprov/boot/fcb.hpp"
#include "rtprov/boot/flash_option.hpp"
#include "rtprov/boot/image.hpp"
#include "rtprov/util/error.hpp"

namespace rtprov::pkg {

namespace {

struct OptionChoice {
    std::uint32_t word = boot::kDefaultFlexspiNorOption;
    std::string said_by;  // for messages: "flash_option 0x... (project.yaml:7:15)"
    bool stated = false;  // by flash_option: or the FCB preset, not the default
};

OptionChoice choose_option(const project::BuildSpec& spec) {
    OptionChoice c;
    if (spec.flash_option) {
        c.word = *spec.flash_option;
        c.said_by = fmt::format("flash_option 0x{:08X} ({})", c.word, spec.flash_option_where);
        c.stated = true;
    } else if (spec.fcb && spec.fcb->preset) {
        c.word = boot::fcb_preset_flash_option(*spec.fcb->preset);
        c.said_by = fmt::format("FCB preset {}'s option 0x{:08X}", *spec.fcb->preset, c.word);
        c.stated = true;
    } else {
        c.said_by = fmt::format("the default flash option 0x{:08X}", c.word);
    }
    return c;
}

// The FCB as the project names it (an rtprov image carries only the project's FCB).
std::string fcb_source(const project::BuildSpec& spec, const std::string& image) {
    if (spec.fcb && spec.fcb->preset)
        return "FCB preset " + *spec.fcb->preset;
    if (spec.fcb && spec.fcb->file)
        return "FCB file " + spec.fcb->file->string();
    return "the FCB of " + image;
}

}  // namespace

NorFlashDecision decide_nor_flash(const project::BuildSpec& spec,
                                  const std::filesystem::path& project,
                                  const device::Device& device, const ImageEntry& entry,
                                  ByteView image, const std::optional<Bytes>& project_fcb) {
    NorFlashDecision out;
    if (entry.memory_id != boot_device_memory_id(device::BootDevice::FlexspiNor))
        return out;
    const boot::ParsedImage parsed = boot::parse_boot_image(image, entry.file);
    const OptionChoice option = choose_option(spec);
    const std::optional<Bytes>& fcb = parsed.fcb ? parsed.fcb : project_fcb;
    // The default option only counts where the plan uses it: an image without an FCB.
    if (fcb && (option.stated || !parsed.fcb)) {
        const boot::Fcb f = boot::parse_fcb(*fcb, entry.file);
        if (auto why = boot::option_fcb_conflict(option.word, f)) {
            throw Error(ErrorCode::BadInput,
                        fmt::format("{}: {} and {} disagree: {}{}", project.string(),
                                    option.said_by, fcb_source(spec, entry.file), *why,
                                    option.stated ? "" : "; give the flash's flash_option"));
        }
    }
    if (parsed.fcb)
        return out;
    const std::uint32_t fcb_address = flexspi_fcb_address(device, entry.address);
    const std::uint64_t end = std::uint64_t{entry.address} + image.size();
    if (entry.address < fcb_address + boot::kFcbSize && fcb_address < end) {
        const std::uint32_t at = fcb_address - entry.address;
        throw Error(ErrorCode::BadInput,
                    fmt::format("{}: {} has no FCB, and its own bytes 0x{:X}..0x{:X} cover the "
                                "FCB area at 0x{:08X} (zero-filled: padding without fcb:): the "
                                "board would not boot. Give fcb: (a preset or a file), or "
                                "padding: false so that `rtprov write` has the flashloader "
                                "program an FCB from {}",
                                project.string(), entry.file, at, at + boot::kFcbSize - 1,
                                fcb_address, option.said_by));
    }
    out.nor_fcb = NorFcbPlan{option.word, project_fcb ? std::string(kFcbPackagePath) : ""};
    out.fcb_file = project_fcb;
    return out;
}

}  // namespace rtprov::pkg
