// rtprov fcb: FlexSPI NOR config block presets.

#include <fmt/format.h>

#include "command.hpp"
#include "rtprov/boot/fcb.hpp"
#include "rtprov/project/build_spec.hpp"
#include "rtprov/util/error.hpp"
#include "rtprov/util/file.hpp"
#include "rtprov/util/parse.hpp"

namespace rtprov::cli {

namespace {

class FcbCommand : public Command {
  public:
    void setup(CLI::App& app) override {
        app.add_flag("--list", list_, "List the presets");
        app.add_option("preset", preset_, "Preset name or 512-byte FCB file to start from");
        app.add_option("--field", fields_, "Override a field: NAME=VALUE (repeatable)");
        app.add_option("-o,--output", output_, "Write the 512-byte FCB here");
        app.footer("Example: rtprov fcb rt1060-evk --field serialClkFreq=7 -o flash.fcb");
    }

    int run(Output& out) override {
        if (list_ || preset_.empty()) {
            nlohmann::json list = nlohmann::json::array();
            for (const auto& p : boot::fcb_presets()) {
                out.text("{:<14} flash option 0x{:08X}  {}", p.name, p.flash_option, p.description);
                list.push_back({{"name", p.name},
                                {"description", p.description},
                                {"flash_option", fmt::format("0x{:08x}", p.flash_option)}});
            }
            out.result({{"presets", list}});
            return 0;
        }
        project::FcbSpec spec = project::fcb_spec_from_argument(preset_);
        for (const auto& f : fields_) {
            const auto eq = f.find('=');
            if (eq == std::string::npos) {
                throw Error(ErrorCode::Usage, fmt::format("--field '{}': expected NAME=VALUE", f));
            }
            spec.fields.emplace_back(f.substr(0, eq), parse_u32(f.substr(eq + 1), "--field " + f));
        }
        const Bytes fcb = project::resolve_fcb(spec);
        if (output_.empty())
            throw Error(ErrorCode::Usage, "fcb: give -o FILE to write the FCB");
        write_file_atomic(output_, fcb);
        out.text("wrote {} (512 bytes)", output_);
        out.result({{"output", output_}, {"size", fcb.size()}});
        return 0;
    }

  private:
    bool list_ = false;
    std::string preset_, output_;
    std::vector<std::string> fields_;
};

}  // namespace

std::unique_ptr<Command> make_fcb_command() {
    return std::make_unique<FcbCommand>();
}

}  // namespace rtprov::cli
