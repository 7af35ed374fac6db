#include "otfad_build.hpp"

#include <fmt/format.h>

#include "rtprov/util/error.hpp"

namespace rtprov::project::detail {

void apply_otfad(const BuildSpec& spec, std::uint32_t data_address, BuildOutputs& out) {
    const device::Device& dev = *out.options.device;
    const bool has_otfad = dev.fuse_field("OTFAD_ENABLE") != nullptr;
    if (spec.bee && has_otfad) {
        throw Error(ErrorCode::Usage,
                    fmt::format("bee: {} has no BEE; its encrypted XIP is the OTFAD: use an "
                                "otfad: section",
                                dev.name));
    }
    if (!spec.otfad)
        return;
    if (!has_otfad) {
        throw Error(ErrorCode::Usage,
                    fmt::format("otfad: {} has no OTFAD (only the RT1010 has); its encrypted XIP "
                                "is the BEE: use a bee: section",
                                dev.name));
    }
    if (spec.bee)
        throw Error(ErrorCode::Usage, "otfad: give either a bee: or an otfad: section, not both");
    if (out.options.boot_device != device::BootDevice::FlexspiNor) {
        throw Error(ErrorCode::Usage,
                    fmt::format("otfad: the OTFAD decrypts FlexSPI NOR; the boot device is {}",
                                device::boot_device_name(out.options.boot_device)));
    }
    if (spec.hab && spec.hab->encrypt) {
        throw Error(ErrorCode::Usage,
                    "otfad: an image is either OTFAD-encrypted or HAB-encrypted (hab.encrypt), "
                    "not both");
    }
    out.otfad = with_context("otfad", [&] {
        return otfad::encrypt_image(out.data, data_address, dev, resolve_otfad(*spec.otfad));
    });
    out.data = out.otfad->data;
}

}  // namespace rtprov::project::detail
