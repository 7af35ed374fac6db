#pragma once
// NXP's HAB image configurations, read into one neutral form: the BD file of elftosb / the
// provisioning tool (`options`, `sources`, `section(...)`) and SPSDK's `nxpimage hab export` YAML
// (`options:`, `inputImageFile:`, `sections:`). Values stay text; convert.hpp interprets them.

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace rtprov::convert {

struct VendorEntry {
    std::string key;    // "flags", "InstallSRK_Table", ...
    std::string value;  // as written ("0x08", "gen_hab_certs/SRK_hash.bin", "ZMK WRITE")
    std::string where;  // "config.bd:3:5" for error messages
};

struct VendorSection {
    std::string name;  // SPSDK section name: Header, InstallSRK, InstallCSFK, AuthenticateCSF, ...
    std::vector<VendorEntry> entries;
    std::string where;
};

struct VendorConfig {
    std::filesystem::path source;                      // the configuration file
    std::string format;                                // "bd" or "spsdk"
    std::vector<VendorEntry> options;                  // options block / options: mapping
    std::optional<std::filesystem::path> input_image;  // SPSDK inputImageFile (absolute)
    std::vector<VendorSection> sections;               // in file order
};

// The SPSDK name of a BD section id (20 Header ... 33 Unlock), or nullopt.
std::optional<std::string_view> bd_section_name(std::uint64_t id);

// Reads a BD file. Errors: syntax (bd_parser.hpp), "FILE:L:C: unknown section id 99; ..."
// Sources other than extern(0) are errors (the app comes from --input).
VendorConfig read_bd_config(const std::filesystem::path& path);
VendorConfig parse_bd_config(std::string_view text, const std::filesystem::path& path);

// Reads an SPSDK HAB YAML configuration. Errors name FILE:L:C: unknown top-level keys, a section
// item that is not a one-key mapping, non-scalar values.
VendorConfig read_spsdk_config(const std::filesystem::path& path);
VendorConfig parse_spsdk_config(std::string_view text, const std::filesystem::path& path);

}  // namespace rtprov::convert
