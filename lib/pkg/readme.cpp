#include "readme.hpp"

#include <fmt/format.h>

namespace rtprov::pkg {

std::string format_readme(const Manifest& m) {
    std::string out = fmt::format(
        "rtprov manufacturing package\n"
        "============================\n\n"
        "Device:       {}\n"
        "Boot device:  {}\n"
        "Schema:       {}.{} (written by {})\n",
        m.device, m.boot_device, m.schema.major, m.schema.minor, m.writer);
    for (const auto& f : m.required) {
        const Feature* known = find_feature(f.name);
        out += fmt::format("Requires:     {}{}{}\n", f.name, known ? " - " : "",
                           known ? known->meaning : "");
    }
    out += "\nImage to write\n";
    for (const auto& f : m.files) {
        if (f.role == FileRole::Image) {
            out += fmt::format("  {}  to {}, {} bytes, {}\n    sha256 {}\n", f.path,
                               f.boot_device.value_or("?"), f.size,
                               f.is_signed ? "HAB-signed" : "unsigned", f.sha256);
        }
    }
    out += "\nFuses to burn\n";
    if (m.fuses.empty())
        out += "  none: the image is not signed and the part stays open.\n";
    for (const auto& w : m.fuses)
        out += fmt::format("  {:<6} OTP index 0x{:02X}  0x{:08X}\n", w.word, w.index, w.value);
    if (!m.fuses.empty() && m.fuses.front().lock != LockPolicy::None) {
        out += fmt::format("  then set {} once every word above reads back as listed.\n",
                           m.fuses.front().lock_field);
    }
    out +=
        "\nBefore use\n"
        "  rtprov import-pkg PACKAGE.zip            checks every file against manifest.json\n"
        "  rtprov import-pkg PACKAGE.zip --to DIR   then extracts it into the new folder DIR\n"
        "\nThe project file the image was built from and its public inputs are in project/;\n"
        "private keys, key passwords and DEKs are never packaged.\n";
    return out;
}

}  // namespace rtprov::pkg
