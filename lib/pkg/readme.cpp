#include "readme.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "rtprov/pkg/write_plan.hpp"

namespace rtprov::pkg {

namespace {

// Whether a HAB-encrypted package carries the plaintext application (export-pkg
// --include-sources): said from the manifest, so a README regenerated from it says the same.
std::string encrypted_app_note(const Manifest& m) {
    const bool encrypted = std::any_of(m.required.begin(), m.required.end(),
                                       [](const auto& f) { return f.name == "hab-encrypted"; });
    if (!encrypted)
        return "";
    const auto app = std::find_if(m.files.begin(), m.files.end(),
                                  [](const FileEntry& f) { return f.role == FileRole::App; });
    if (app == m.files.end()) {
        return "The image is HAB-encrypted: its plaintext application is not in this package\n"
               "(the project file names it, but it stays with whoever built the image).\n";
    }
    return fmt::format(
        "WARNING: the image is HAB-encrypted, yet this package also carries its plaintext\n"
        "application, {} (exported with --include-sources): whoever has the package can\n"
        "read the firmware.\n",
        app->path);
}

}  // namespace

std::string format_readme(const Manifest& m) {
    std::string out = fmt::format(
        "rtprov manufacturing package\n"
        "============================\n\n"
        "Device:       {}\n"
        "Schema:       {}.{} (written by {})\n",
        m.device, m.schema.major, m.schema.minor, m.writer);
    for (const auto& f : m.required) {
        const Feature* known = find_feature(f.name);
        out += fmt::format("Requires:     {}{}{}\n", f.name, known ? " - " : "",
                           known ? known->meaning : "");
    }
    const auto file = [&](const std::string& path) {
        const auto it = std::find_if(m.files.begin(), m.files.end(),
                                     [&](const FileEntry& f) { return f.path == path; });
        return it == m.files.end() ? FileEntry{} : *it;
    };
    out += "\nImages to write\n";
    for (const auto& img : m.images) {
        const FileEntry f = file(img.file);
        out += fmt::format("  {}  to {} at 0x{:08X}, {} bytes, {}\n    sha256 {}\n", img.file,
                           img.boot_device, img.address, f.size,
                           img.is_signed ? "HAB-signed" : "unsigned", f.sha256);
    }
    out += "\nFlashloader (loaded over the boot ROM's serial downloader)\n";
    if (m.flashloaders.empty())
        out += "  none in this package: give one to `rtprov write --flashloader FILE`.\n";
    for (const auto& fl : m.flashloaders) {
        out += fmt::format("  {}  {}, load 0x{:08X}, IVT 0x{:08X}\n", fl.file,
                           fl.is_signed ? "HAB-signed (closed parts)" : "unsigned (open parts)",
                           fl.load_address, fl.ivt_address);
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
    out += "\nWrite plan (what `rtprov write` does, in order)\n";
    for (std::size_t i = 0; i < m.write_plan.size(); ++i) {
        const WriteStep& s = m.write_plan[i];
        std::string what(step_op_name(s.op));
        switch (s.op) {
            case StepOp::ConfigureMemory:
                what += " " + describe_configuration(s);
                break;
            case StepOp::Erase:
                what += fmt::format(" 0x{:08X}, {} bytes", s.address, s.length);
                break;
            case StepOp::Write:
            case StepOp::Verify:
                what += fmt::format(" {} at 0x{:08X}", s.file, s.address);
                break;
            case StepOp::ProgramFuses:
                what += fmt::format(" {} words (needs --burn-srk)", s.words.size());
                break;
            case StepOp::LockFuses:
                what += " " + s.field;
                break;
            case StepOp::PerBoardData:
                what += " " + describe_board_data(s.data);
                break;
            case StepOp::LoadFlashloader:
            case StepOp::Reset:
                break;
        }
        out += fmt::format("  {:>2}. {}\n", i + 1, what);
    }
    if (m.production.quota) {
        out += fmt::format(
            "\nProduction quota: {} boards per station (kept in the station's records; a\n"
            "station-side limit, not a cryptographic one)\n",
            *m.production.quota);
    }
    out +=
        "\nBefore use\n"
        "  rtprov import-pkg PACKAGE.zip            checks every file against manifest.json\n"
        "  rtprov import-pkg PACKAGE.zip --to DIR   then extracts it into the new folder DIR\n"
        "\nThe project file the image was built from and its public inputs are in project/;\n"
        "private keys, key passwords and DEKs are never packaged.\n";
    out += encrypted_app_note(m);
    return out;
}

}  // namespace rtprov::pkg
