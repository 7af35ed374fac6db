#include "rtprov/project/build_outputs.hpp"

#include <fmt/format.h>

#include "rtprov/hab/sign.hpp"
#include "rtprov/util/error.hpp"
#include "rtprov/util/file.hpp"
#include "otfad_build.hpp"

namespace rtprov::project {

namespace {

// BEE goes last: HAB signs the plain image, which is what the core reads through the BEE.
void apply_bee(const BuildSpec& spec, std::uint32_t data_address, BuildOutputs& out) {
    if (!spec.bee)
        return;
    if (out.options.boot_device != device::BootDevice::FlexspiNor) {
        throw Error(ErrorCode::Usage,
                    fmt::format("bee: BEE decrypts FlexSPI NOR; the boot device is {}",
                                device::boot_device_name(out.options.boot_device)));
    }
    if (spec.hab && spec.hab->encrypt) {
        throw Error(ErrorCode::Usage,
                    "bee: an image is either BEE-encrypted or HAB-encrypted (hab.encrypt), not "
                    "both");
    }
    out.bee = with_context("bee", [&] {
        return bee::encrypt_image(out.data, data_address, *out.options.device,
                                  resolve_bee(*spec.bee));
    });
    out.data = out.bee->data;
}

}  // namespace

BuildOutputs build_outputs(const BuildSpec& spec, const std::optional<std::string>& env_password,
                           const std::string& name) {
    BuildOutputs out;
    out.options = resolve(spec);
    out.image = boot::build_image(out.options);
    if (spec.flashloader)
        out.flashloader = read_file(spec.flashloader->file);
    if (!spec.hab) {
        out.data = out.image.data;
        detail::apply_otfad(spec, out.image.address, out);
        apply_bee(spec, out.image.address, out);
        return out;
    }
    hab::SignResult signed_image = with_context("signing", [&] {
        hab::SignSettings settings = resolve_hab(*spec.hab, spec.padding, env_password);
        if (spec.layout)
            settings.initial_load_size = spec.layout->initial_load_size;
        return hab::sign_image(out.image.data, name, settings);
    });
    out.data = std::move(signed_image.data);
    out.srk_table = std::move(signed_image.srk_table);
    out.srk_hash = std::move(signed_image.srk_hash);
    out.is_signed = true;
    detail::apply_otfad(spec, signed_image.address, out);
    apply_bee(spec, signed_image.address, out);
    if (spec.flashloader && spec.flashloader->sign.value_or(true)) {
        const std::string fl_name = spec.flashloader->file.string();
        hab::SignResult fl = with_context("signing", [&] {
            hab::SignSettings settings = resolve_hab(*spec.hab, true, env_password);
            settings.encrypt.reset();  // the ROM cannot decrypt what it loads over SDP
            settings.image_address = spec.flashloader->image_address;
            return hab::sign_image(*out.flashloader, fl_name, settings);
        });
        out.flashloader_signed = std::move(fl.data);
    }
    return out;
}

}  // namespace rtprov::project
