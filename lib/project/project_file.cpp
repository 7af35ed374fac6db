#include "rtprov/project/project_file.hpp"

#include <set>

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include "rtprov/boot/flash_option.hpp"
#include "rtprov/project/yaml_document.hpp"
#include "rtprov/util/error.hpp"
#include "rtprov/util/file.hpp"
#include "rtprov/util/parse.hpp"
#include "yaml_reader.hpp"

namespace rtprov::project {

using detail::Reader;

namespace {

BuildSpec read_project(const YAML::Node& root, const std::filesystem::path& path) {
    Reader r(path);
    r.expect_keys(root, "the project",
                  {"version", "device", "boot_device", "app", "fcb", "flash_option", "dcd",
                   "padding", "layout", "output", "hab", "bee", "otfad", "flashloader", "per_board",
                   "production"});
    if (root["version"] && r.number(root["version"], "version") != 1) {
        r.fail(root["version"], "this rtprov reads project files of version 1");
    }
    BuildSpec spec;
    if (!root["device"])
        throw Error(ErrorCode::BadInput, fmt::format("{}: 'device' is missing", path.string()));
    spec.device = r.string(root["device"], "device");
    if (root["boot_device"])
        spec.boot_device = r.string(root["boot_device"], "boot_device");

    const YAML::Node app = root["app"];
    if (!app)
        throw Error(ErrorCode::BadInput, fmt::format("{}: 'app' is missing", path.string()));
    if (app.IsScalar()) {
        spec.app = r.file(app, "app");
    } else {
        r.expect_keys(app, "app", {"file", "format", "address", "entry"});
        if (!app["file"])
            r.fail(app, "'app.file' is missing");
        spec.app = r.file(app["file"], "app.file");
        if (app["format"])
            spec.app_format = r.string(app["format"], "app.format");
        if (app["address"])
            spec.app_address = r.u32(app["address"], "app.address");
        if (app["entry"])
            spec.entry = r.u32(app["entry"], "app.entry");
    }
    if (root["fcb"])
        spec.fcb = r.fcb(root["fcb"]);
    if (const YAML::Node option = root["flash_option"]) {
        spec.flash_option = r.u32(option, "flash_option");
        spec.flash_option_where = r.where(option);
        if (auto why = boot::flexspi_nor_option_problem(*spec.flash_option))
            r.fail(option, "'flash_option': " + *why);
        if (spec.boot_device != "flexspi-nor")
            r.fail(option,
                   fmt::format("'flash_option' configures FlexSPI NOR; the boot device is {}",
                               spec.boot_device));
    }
    if (root["dcd"])
        spec.dcd = r.file(root["dcd"], "dcd");
    if (root["padding"])
        spec.padding = r.boolean(root["padding"], "padding");
    if (const YAML::Node layout = root["layout"]) {
        r.expect_keys(layout, "layout", {"ivt_offset", "initial_load_size"});
        for (const char* key : {"ivt_offset", "initial_load_size"}) {
            if (!layout[key])
                r.fail(layout, fmt::format("'layout.{}' is missing (a layout gives both)", key));
        }
        spec.layout = LayoutSpec{r.u32(layout["ivt_offset"], "layout.ivt_offset"),
                                 r.u32(layout["initial_load_size"], "layout.initial_load_size"),
                                 r.where(layout)};
    }
    if (root["output"])
        spec.output = r.file(root["output"], "output");
    if (root["hab"])
        spec.hab = detail::parse_hab_section(r, root["hab"]);
    if (root["bee"])
        spec.bee = detail::parse_bee_section(r, root["bee"], "bee");
    if (root["otfad"])
        spec.otfad = detail::parse_otfad_section(r, root["otfad"]);
    if (const YAML::Node fl = root["flashloader"]) {
        FlashloaderSpec f;
        if (fl.IsScalar()) {
            f.file = r.file(fl, "flashloader");
        } else {
            r.expect_keys(fl, "flashloader", {"file", "sign", "image_address"});
            if (!fl["file"])
                r.fail(fl, "'flashloader.file' is missing");
            f.file = r.file(fl["file"], "flashloader.file");
            if (fl["sign"])
                f.sign = r.boolean(fl["sign"], "flashloader.sign");
            if (fl["image_address"])
                f.image_address = r.u32(fl["image_address"], "flashloader.image_address");
        }
        if (f.sign.value_or(false) && !spec.hab)
            r.fail(fl, "'flashloader.sign' needs a hab: section (the keys to sign with)");
        spec.flashloader = std::move(f);
    }
    if (root["per_board"])
        spec.per_board = detail::parse_per_board_section(r, root["per_board"]);
    if (root["production"])
        spec.quota = detail::parse_production_section(r, root["production"]);
    return spec;
}

}  // namespace

BuildSpec parse_project(std::string_view yaml_text, const std::filesystem::path& path) {
    return read_yaml_mapping(yaml_text, path,
                             [&](const YAML::Node& root) { return read_project(root, path); });
}

BuildSpec load_project(const std::filesystem::path& path) {
    return parse_project(read_text_file(path), path);
}

}  // namespace rtprov::project
