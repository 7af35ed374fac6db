// rtprov init: start a project without copying an example. Writes a commented project file for
// a part, a boot device and the features asked for (lib/project/project_template.cpp).

#include <fmt/format.h>

#include "command.hpp"
#include "rtprov/project/project_template.hpp"
#include "rtprov/util/error.hpp"
#include "rtprov/util/file.hpp"
#include "rtprov/util/parse.hpp"

namespace rtprov::cli {

namespace {

namespace fs = std::filesystem;

// `app` as the project names it: relative to the project's folder (given absolute or relative to
// the current folder), so that the project and its app can move together (a clone, CI).
std::string app_in_project(const std::string& app, const fs::path& project) {
    const fs::path base = fs::absolute(project).parent_path().lexically_normal();
    const fs::path full = fs::absolute(app).lexically_normal();
    const fs::path relative = full.lexically_relative(base);
    return relative.empty() ? full.generic_string() : relative.generic_string();
}

class InitCommand : public Command {
  public:
    void setup(CLI::App& app) override {
        app.add_option("-o,--output", output_, "Project file to write (YAML)")->required();
        app.add_option("--device", options_.device, "Part, e.g. mimxrt1060 (`rtprov devices`)")
            ->required();
        app.add_option("--boot-device", options_.boot_device,
                       "Boot device (default flexspi-nor): flexspi-nor, flexspi-nand, semc-nor, "
                       "semc-nand, sd, mmc, serial-downloader, recovery-spi");
        app.add_option("--fcb", options_.fcb_preset,
                       "FCB preset (`rtprov fcb --list`; default: the part's EVK's)");
        app.add_flag("--hab", options_.hab,
                     "Sign with HAB4: a hab: section naming the keys of `rtprov keys -o pki`");
        app.add_flag("--encrypt", options_.encrypt,
                     "HAB-encrypt too (with --hab; the app must be linked into RAM)");
        app.add_flag("--bee", options_.bee, "Encrypted XIP with the BEE (every part but RT1010)");
        app.add_flag("--otfad", options_.otfad, "Encrypted XIP with the OTFAD (RT1010)");
        app.add_flag("--per-board", options_.per_board,
                     "Add per_board: values (serial counter) and a production quota");
        app.add_option("--app", app_,
                       "The application (default app.elf beside the project); read when it "
                       "exists, to check and fill in its address and size");
        app.add_option("--app-address", app_address_,
                       "Load address of a raw binary app (written as app.address)");
        app.add_flag("--force", force_, "Replace an existing project file");
        app.footer(
            "Every optional key the project does not set is written as a comment explaining it.\n"
            "Examples:\n"
            "  rtprov init -o project.yaml --device mimxrt1060\n"
            "  rtprov init -o signed/project.yaml --device rt1020 --hab --app build/blinky.elf\n"
            "  rtprov init -o ram.yaml --device mimxrt1050 --hab --encrypt --app app_ram.srec\n"
            "  rtprov init -o xip.yaml --device mimxrt1010 --hab --otfad --per-board\n"
            "  rtprov init -o sd.yaml --device mimxrt1020 --boot-device sd --app ram_app.hex");
    }

    int run(Output& out) override {
        const fs::path project(output_);
        if (!app_address_.empty())
            options_.app_address = parse_u32(app_address_, "--app-address");
        if (!app_.empty()) {
            options_.app = app_in_project(app_, project);
            options_.app_name = app_;
            options_.app_facts = project::read_app_facts(app_, options_.app_address);
        } else {
            options_.app_facts = project::read_app_facts(
                fs::absolute(project).parent_path() / options_.app, options_.app_address);
        }
        const project::ProjectTemplate t =
            project::make_project_template(options_, project.filename().string());
        std::error_code ec;
        if (!force_ && fs::exists(fs::symlink_status(project, ec))) {
            throw Error(ErrorCode::Usage,
                        fmt::format("init: {} already exists; give --force to replace it, or "
                                    "choose another -o",
                                    output_));
        }
        if (project.has_parent_path()) {
            fs::create_directories(project.parent_path(), ec);
            if (ec) {
                throw Error(ErrorCode::Io,
                            fmt::format("{}: cannot create the folder: {}",
                                        project.parent_path().string(), ec.message()));
            }
        }
        write_file_atomic(project, t.text);
        report(out, t);
        return 0;
    }

  private:
    void report(Output& out, const project::ProjectTemplate& t) const {
        std::string what = fmt::format("{}, {}", t.device, t.boot_device);
        if (t.fcb_preset)
            what += ", fcb " + *t.fcb_preset;
        for (const std::string& f : t.features)
            what += ", " + f;
        out.text("wrote {} ({})", output_, what);
        out.text("next, in {}:", fs::path(output_).has_parent_path()
                                     ? fs::path(output_).parent_path().string()
                                     : std::string("this folder"));
        for (std::size_t i = 0; i < t.next_steps.size(); ++i)
            out.text("  {}. {}", i + 1, t.next_steps[i]);
        nlohmann::json doc = {{"output", output_},
                              {"device", t.device},
                              {"boot_device", t.boot_device},
                              {"fcb", t.fcb_preset ? nlohmann::json(*t.fcb_preset) : nullptr},
                              {"features", t.features},
                              {"app", options_.app},
                              {"app_exists", options_.app_facts.has_value()},
                              {"inputs", t.inputs},
                              {"next_steps", t.next_steps}};
        out.result(doc);
    }

    project::TemplateOptions options_;
    std::string output_, app_, app_address_;
    bool force_ = false;
};

}  // namespace

std::unique_ptr<Command> make_init_command() {
    return std::make_unique<InitCommand>();
}

}  // namespace rtprov::cli
