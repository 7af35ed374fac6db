// rtprov convert: an NXP HAB configuration (BD file or SPSDK YAML) -> an rtprov project file.

#include <fmt/format.h>

#include "command.hpp"
#include "rtprov/convert/convert.hpp"
#include "rtprov/util/error.hpp"
#include "rtprov/util/file.hpp"

namespace rtprov::cli {

namespace {

class ConvertCommand : public Command {
  public:
    void setup(CLI::App& app) override {
        app.add_option("--from", from_,
                       "Configuration format: bd (elftosb / MCUXpresso Secure "
                       "Provisioning) or spsdk (nxpimage hab YAML)")
            ->required()
            ->check(CLI::IsMember({"bd", "spsdk"}));
        app.add_option("config", config_, "The configuration file")->required();
        app.add_option("--input", input_,
                       "Application (ELF/HEX/SREC/BIN): required for BD files (extern(0)); "
                       "overrides SPSDK's inputImageFile");
        app.add_option("-o,--output", output_, "Project file to write (YAML, written atomically)")
            ->required();
        app.footer(
            "Examples:\n"
            "  rtprov convert --from bd config.bd --input app.srec -o project.yaml\n"
            "  rtprov convert --from spsdk config_pk.yaml -o project.yaml\n"
            "  rtprov build -c project.yaml -o signed.bin\n"
            "Paths in the project are relative to it; keys are referenced, not copied.");
    }

    int run(Output& out) override {
        const convert::VendorConfig config =
            from_ == "bd" ? convert::read_bd_config(config_) : convert::read_spsdk_config(config_);
        convert::ConvertOptions options;
        if (!input_.empty())
            options.input = input_;
        // Errors already name the configuration file (and line), so no extra context here.
        const convert::Conversion conversion = convert::convert_config(config, options);
        write_file_atomic(output_, convert::project_text(conversion, config, output_));
        for (const auto& note : conversion.notes)
            out.detail("{}", note);
        const auto& spec = conversion.spec;
        out.text("wrote {}: {} {}, app {}{}", output_, spec.device, spec.boot_device,
                 spec.app.string(), spec.hab ? ", signed (hab)" : ", unsigned");
        out.result({{"output", output_},
                    {"device", spec.device},
                    {"boot_device", spec.boot_device},
                    {"app", spec.app.string()},
                    {"signed", spec.hab.has_value()},
                    {"notes", conversion.notes}});
        return 0;
    }

  private:
    std::string from_, config_, input_, output_;
};

}  // namespace

std::unique_ptr<Command> make_convert_command() {
    return std::make_unique<ConvertCommand>();
}

}  // namespace rtprov::cli
