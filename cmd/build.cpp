// rtprov build: a bootable image from an application file, by options or a project file.

#include <fmt/format.h>

#include <cstdlib>
#include "bee_display.hpp"
#include "cli_errors.hpp"
#include "command.hpp"
#include "image_json.hpp"
#include "otfad_display.hpp"

#include "rtprov/boot/image.hpp"
#include "rtprov/project/build_outputs.hpp"
#include "rtprov/project/project_file.hpp"
#include "rtprov/util/error.hpp"
#include "rtprov/util/file.hpp"
#include "rtprov/util/parse.hpp"

namespace rtprov::cli {

namespace {

class BuildCommand : public Command {
  public:
    void setup(CLI::App& app) override {
        app.footer(
            "Examples:\n"
            "  rtprov build --device mimxrt1020 --boot-device flexspi-nor --app blinky.elf "
            "--fcb rt1020-evk -o blinky.bin\n"
            "  rtprov build --device mimxrt1050 --app app.bin --app-address 0x80002000 "
            "--dcd dcd_sdram.bin -o app_sdram.bin\n"
            "  rtprov build -c examples/rt1020-evk/project.yaml\n"
            "Layouts: flexspi-nor puts the FCB at 0, the IVT at 0x1000 and the app at 0x2000;\n"
            "sd/mmc/nand put the IVT at 0x400 and the app at 0x1000; serial-downloader puts the "
            "IVT\nat 0 and the app at 0x400. RAM apps are linked above that header.");
        app.add_option("-c,--config", project_, "Project file (YAML) holding the build settings")
            ->check(existing_file());
        app.add_option("--device", spec_.device, "Part, e.g. mimxrt1020 (see `rtprov devices`)");
        app.add_option("--boot-device", boot_device_,
                       "flexspi-nor (default), flexspi-nand, semc-nor, semc-nand, sd, mmc, "
                       "serial-downloader, recovery-spi");
        app.add_option("--app", app_file_, "Application: ELF, Intel HEX, S-record or raw binary");
        app.add_option("--app-format", app_format_, "auto (default), elf, hex, srec, bin");
        app.add_option("--app-address", app_address_,
                       "Load address of a raw binary (checked against other formats)");
        app.add_option("--entry", entry_, "Entry point (default: the app's reset vector)");
        app.add_option("--fcb", fcb_,
                       "FlexSPI NOR config block: a 512-byte file or a preset "
                       "(`rtprov fcb --list`)");
        app.add_option("--fcb-field", fcb_fields_,
                       "Override an FCB field: NAME=VALUE (repeatable)");
        app.add_option("--dcd", dcd_, "DCD: binary, or text with WriteValue/CheckAllSet/... lines");
        app.add_flag("--no-padding", no_padding_,
                     "Start the output at the IVT (omit the FCB area / boot-device padding)");
        app.add_option("--ivt-offset", ivt_offset_,
                       "Free layout: the IVT's offset from the image start, instead of the boot "
                       "device's (with --initial-load-size; nxpimage's ivtOffset)");
        app.add_option("--initial-load-size", initial_load_size_,
                       "Free layout: the app's offset from the image start (nxpimage's "
                       "initialLoadSize)");
        app.add_option("--bee", bee_,
                       "BEE-encrypt the image: a file with the keys of a project's bee: section")
            ->check(existing_file());
        app.add_flag("--show-keys", show_keys_, kShowKeysHelp);
        app.add_option("-o,--output", output_, "Output file (written atomically)");
    }

    int run(Output& out) override {
        project::BuildSpec spec = project_.empty() ? from_options() : from_project();
        if (!output_.empty())
            spec.output = output_;
        if (no_padding_)
            spec.padding = false;
        if (!bee_.empty())
            spec.bee = project::load_bee_file(bee_);  // replaces a project's bee: section
        if (!spec.output)
            throw Error(ErrorCode::Usage, "no output file: give -o FILE or 'output:'");

        std::optional<std::string> env_password;
        if (const char* p = std::getenv("RTPROV_KEY_PASSWORD"))
            env_password = p;
        const project::BuildOutputs built = with_context(
            project_.empty() ? "build" : project_,
            [&] { return project::build_outputs(spec, env_password, spec.output->string()); });
        const boot::BuildOptions& options = built.options;
        const boot::BootImage& image = built.image;
        for (const auto& w : image.warnings)
            out.warning(w);
        const Bytes& data = built.data;
        write_file_atomic(*spec.output, data);

        out.text(
            "wrote {} ({} bytes): {} {}, image 0x{:08X}..0x{:08X}, IVT 0x{:08X}, entry "
            "0x{:08X}, app 0x{:08X} ({} bytes){}{}{}{}",
            spec.output->string(), data.size(), options.device->name,
            device::boot_device_name(options.boot_device), image.address,
            image.address + image.data.size() - 1, image.ivt.self, image.ivt.entry,
            image.app_address, image.app_size, image.dcd_size ? ", DCD" : "",
            image.has_fcb ? ", FCB" : "", spec.hab ? ", signed" : "",
            built.bee && built.bee->flashloader_option.empty() ? ", BEE-encrypted" : "");
        if (built.bee)
            print_bee_result(out, *built.bee, show_keys_);
        if (built.otfad)
            print_otfad_result(out, *built.otfad, show_keys_);
        nlohmann::json doc = build_result_json(image, *options.device, options.boot_device);
        doc["output"] = spec.output->string();
        doc["signed"] = spec.hab.has_value();
        doc["file"]["size"] = data.size();  // the IVT/boot data shown are before signing
        if (built.bee)
            doc["bee"] = bee_result_json(*built.bee, spec.bee->mode, show_keys_);
        if (built.otfad)
            doc["otfad"] = otfad_result_json(*built.otfad, spec.otfad->kek_source, show_keys_);
        out.result(doc);
        return 0;
    }

  private:
    project::BuildSpec from_options() {
        if (spec_.device.empty() || app_file_.empty()) {
            throw Error(ErrorCode::Usage,
                        "build needs --device and --app (or a project file with -c); see "
                        "`rtprov build --help`");
        }
        project::BuildSpec spec = spec_;
        spec.app = app_file_;
        if (!boot_device_.empty())
            spec.boot_device = boot_device_;
        if (!app_format_.empty())
            spec.app_format = app_format_;
        if (!app_address_.empty())
            spec.app_address = parse_u32(app_address_, "--app-address");
        if (!entry_.empty())
            spec.entry = parse_u32(entry_, "--entry");
        if (!dcd_.empty())
            spec.dcd = dcd_;
        if (!fcb_.empty())
            spec.fcb = project::fcb_spec_from_argument(fcb_);
        add_fcb_fields(spec);
        if (ivt_offset_.empty() != initial_load_size_.empty())
            throw Error(ErrorCode::Usage, "a free layout needs both --ivt-offset and "
                                          "--initial-load-size");
        if (!ivt_offset_.empty()) {
            spec.layout = project::LayoutSpec{parse_u32(ivt_offset_, "--ivt-offset"),
                                              parse_u32(initial_load_size_, "--initial-load-size"),
                                              "--ivt-offset/--initial-load-size"};
        }
        return spec;
    }

    project::BuildSpec from_project() {
        if (!spec_.device.empty() || !app_file_.empty() || !boot_device_.empty() ||
            !app_format_.empty() || !app_address_.empty() || !entry_.empty() || !dcd_.empty() ||
            !fcb_.empty() || !ivt_offset_.empty() || !initial_load_size_.empty()) {
            throw Error(ErrorCode::Usage,
                        "give the build settings either in the project file (-c) or as options, "
                        "not both (only -o, --no-padding, --fcb-field and --bee combine with -c)");
        }
        project::BuildSpec spec = project::load_project(project_);
        add_fcb_fields(spec);
        return spec;
    }

    void add_fcb_fields(project::BuildSpec& spec) {
        for (const auto& f : fcb_fields_) {
            const auto eq = f.find('=');
            if (eq == std::string::npos) {
                throw Error(ErrorCode::Usage,
                            fmt::format("--fcb-field '{}': expected NAME=VALUE", f));
            }
            if (!spec.fcb)
                throw Error(ErrorCode::Usage, "--fcb-field needs an FCB (--fcb)");
            spec.fcb->fields.emplace_back(f.substr(0, eq),
                                          parse_u32(f.substr(eq + 1), "--fcb-field " + f));
        }
    }

    project::BuildSpec spec_;
    std::string project_, boot_device_, app_file_, app_format_, app_address_, entry_, fcb_, dcd_,
        output_;
    std::vector<std::string> fcb_fields_;
    std::string bee_, ivt_offset_, initial_load_size_;
    bool show_keys_ = false;
    bool no_padding_ = false;
};

}  // namespace

std::unique_ptr<Command> make_build_command() {
    return std::make_unique<BuildCommand>();
}

}  // namespace rtprov::cli
