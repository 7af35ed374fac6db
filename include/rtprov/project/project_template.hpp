#pragma once
// `rtprov init`: a commented project file for a part, a boot device and the features asked for
// (HAB signing, HAB encryption, BEE or OTFAD encrypted XIP, per-board values), checked against the
// device database before a line is written. Every optional key it does not set is written as a
// comment explaining it, so the file teaches the format; the text parses with parse_project().

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace rtprov::project {

// What is known of the application when its file already exists: where it is linked, how many
// bytes it spans (from its first to its last byte).
struct AppFacts {
    std::uint32_t start = 0;
    std::uint32_t size = 0;
};

struct TemplateOptions {
    std::string device;           // a name find_device() accepts ("mimxrt1060", "rt1060")
    std::string boot_device;      // empty: flexspi-nor
    std::string fcb_preset;       // empty: the preset of the part's EVK, when there is one
    bool hab = false;             // a hab: section (keys as `rtprov keys -o pki` writes them)
    bool encrypt = false;         // hab.encrypt (needs hab; a RAM-linked app)
    bool bee = false;             // a bee: section (parts with a BEE; XIP from FlexSPI)
    bool otfad = false;           // an otfad: section (RT1010; XIP from FlexSPI)
    bool per_board = false;       // a per_board: list
    std::string app = "app.elf";  // as written into the file (relative to it)
    std::string app_name;         // as the user named it, for errors; empty: app
    std::optional<std::uint32_t> app_address;  // written as app.address (a raw binary needs it)
    std::optional<AppFacts> app_facts;         // the app's link address and size, when known
};

struct ProjectTemplate {
    std::string text;         // the project file
    std::string device;       // canonical part name ("mimxrt1060")
    std::string boot_device;  // canonical boot device name ("flexspi-nor")
    std::optional<std::string> fcb_preset;
    std::vector<std::string> features;    // "hab", "encrypt", "bee", "otfad", "per-board"
    std::vector<std::string> inputs;      // files the project names, relative to it
    std::vector<std::string> next_steps;  // in the project's folder: "put the app at …", commands
};

// The FCB preset for the flash of the part's NXP EVK ("rt1060-evk"), or nullopt (RT1040..1046).
std::optional<std::string_view> default_fcb_preset(std::string_view device_name);

// The link address and size of the app at `path` when that file exists (nullopt when it does
// not). `address` is the load address of a raw binary. Throws Error(BadInput) when it exists but
// cannot be read as an app.
std::optional<AppFacts> read_app_facts(const std::filesystem::path& path,
                                       std::optional<std::uint32_t> address);

// The project file for `options`, named `project_name` in its comments ("project.yaml"). Throws
// Error(Usage) for an unknown part, boot device or preset (listing the valid ones) and for a
// combination the part or the build refuses, saying why.
ProjectTemplate make_project_template(const TemplateOptions& options,
                                      std::string_view project_name);

}  // namespace rtprov::project
