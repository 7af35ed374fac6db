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
                       "Provisioning) or spsdk (nxpimage hab YAML); default: told from the "
                       "file's first tokens")
            ->check(CLI::IsMember({"bd", "spsdk"}));
        app.add_option("config", config_, "The configuration file")->required();
        app.add_option("--input", input_,
                       "Application (ELF/HEX/SREC/BIN): required for BD files (extern(0)); "
                       "overrides SPSDK's inputImageFile");
        app.add_option("-o,--output", output_, "Project file to write (YAML, written atomically)")
            ->required();
        app.footer(
            "Examples:\n"
            "  rtprov convert config.bd --input app.srec -o project.yaml\n"
            "  rtprov convert config_pk.yaml -o project.yaml\n"
            "  rtprov build -c project.yaml -o signed.bin\n"
            "Paths in the project are relative to it; keys are referenced, not copied.\n"
            "Paths in the configuration may use '\\' (Windows): it separates folders, as in NXP's "
            "tools.");
    }

    int run(Output& out) override {
        const std::string text = read_text_file(config_);
        std::string from = from_;
        if (from.empty()) {
            const auto detected = convert::detect_config_format(text);
            if (!detected) {
                throw Error(ErrorCode::BadInput,
                            fmt::format("{}: neither a BD file (options {{ ... }}) nor an SPSDK "
                                        "YAML (options: ...); give --from bd or --from spsdk",
                                        config_));
            }
            from = *detected;
        }
        const convert::VendorConfig config = from == "bd"
                                                 ? convert::parse_bd_config(text, config_)
                                                 : convert::parse_spsdk_config(text, config_);
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
