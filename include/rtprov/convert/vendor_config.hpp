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
    std::string input_image_text;                      // as written, for has_windows_separators
    std::vector<VendorSection> sections;               // in file order
};

// A file named in a configuration, read as NXP's tools read it on every OS (SPSDK turns each '\'
// into '/'): '\' and '/' both separate folders, and a relative path is relative to `base` (the
// configuration's folder). Throws Error(BadInput) naming the entry for an empty value and for a
// Windows absolute path (C:\keys\..., \\server\...), which names no file on this machine.
std::filesystem::path vendor_path(const VendorEntry& e, const std::filesystem::path& base);
std::filesystem::path vendor_path(std::string_view text, const std::filesystem::path& base,
                                  const std::string& where, std::string_view key);

// True when a value of the configuration holds a '\' (paths written the Windows way; for the
// note `convert` prints).
bool has_windows_separators(const VendorConfig& config);

// The SPSDK name of a BD section id (20 Header ... 33 Unlock), or nullopt.
std::optional<std::string_view> bd_section_name(std::uint64_t id);

// Which format a configuration is in, from its first tokens: "bd" (`options {`, `sources {`,
// `constants {`, `section (`, after comments), "spsdk" (`options:`, `---`, a YAML key), or nullopt
// when neither fits.
std::optional<std::string> detect_config_format(std::string_view text);

// Reads a BD file. Errors: syntax (bd_parser.hpp), "FILE:L:C: unknown section id 99; ..."
// Sources other than extern(0) are errors (the app comes from --input).
VendorConfig read_bd_config(const std::filesystem::path& path);
VendorConfig parse_bd_config(std::string_view text, const std::filesystem::path& path);

// Reads an SPSDK HAB YAML configuration. Errors name FILE:L:C: unknown top-level keys, a section
// item that is not a one-key mapping, non-scalar values.
VendorConfig read_spsdk_config(const std::filesystem::path& path);
VendorConfig parse_spsdk_config(std::string_view text, const std::filesystem::path& path);

}  // namespace rtprov::convert
