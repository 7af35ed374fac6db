#pragma once
// Internal to lib/project: what make_project_template() decided (the checked part, boot device,
// preset and where the app is, or is expected to be) and the text written from it.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "rtprov/boot/fcb.hpp"
#include "rtprov/device/device.hpp"
#include "rtprov/project/project_template.hpp"

namespace rtprov::project::detail {

struct TemplatePlan {
    TemplateOptions options;
    const device::Device* device = nullptr;
    device::BootDevice boot_device = device::BootDevice::FlexspiNor;
    const boot::FcbPreset* preset = nullptr;  // the FCB, when the project has one
    bool app_known = false;                   // app_start/app_size are the app's own
    std::uint32_t app_start = 0;              // the app's link address, or the one to link at
    std::uint32_t app_size = 0x10000;         // its size, or a placeholder (64 KiB)
    std::string_view app_region;              // "flexspi", "dtcm", ...
    bool xip = false;                         // the app executes in place (FlexSPI)
    std::uint32_t board_data_address = 0;     // where the per_board example writes its value
    std::string project_name;                 // "project.yaml"
    std::string output;                       // "project.bin"
};

// What the user does next, in the project's folder: make the files it names, then build.
std::vector<std::string> next_steps(const TemplatePlan& plan);

// The project file text of a checked plan, `steps` in its header comment.
std::string template_text(const TemplatePlan& plan, const std::vector<std::string>& steps);

// The FlexSPI NOR FCB preset a part's EVK uses (by board name), or nullptr.
const boot::FcbPreset* evk_preset(const device::Device& dev);

}  // namespace rtprov::project::detail
