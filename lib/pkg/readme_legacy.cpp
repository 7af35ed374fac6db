// README.txt as older releases wrote it, so that their packages keep importing while every
// README is still checked against its manifest (readme.cpp). Never written any more.

#include <algorithm>

#include <fmt/format.h>

#include "readme.hpp"

namespace rtprov::pkg {

namespace {

std::string requires_lines(const Manifest& m) {
    std::string out;
    for (const auto& f : m.required) {
        const Feature* known = find_feature(f.name);
        out += fmt::format("Requires:     {}{}{}\n", f.name, known ? " - " : "",
                           known ? known->meaning : "");
    }
    return out;
}

const FileEntry* file_of(const Manifest& m, const std::string& path) {
    const auto it = std::find_if(m.files.begin(), m.files.end(),
                                 [&](const FileEntry& f) { return f.path == path; });
    return it == m.files.end() ? nullptr : &*it;
}

std::string fuse_lines(const Manifest& m) {
    std::string out = "\nFuses to burn\n";
    if (m.fuses.empty())
        out += "  none: the image is not signed and the part stays open.\n";
    for (const auto& w : m.fuses)
        out += fmt::format("  {:<6} OTP index 0x{:02X}  0x{:08X}\n", w.word, w.index, w.value);
    if (!m.fuses.empty() && m.fuses.front().lock != LockPolicy::None) {
        out += fmt::format("  then set {} once every word above reads back as listed.\n",
                           m.fuses.front().lock_field);
    }
    return out;
}

constexpr std::string_view kBeforeUse =
    "\nBefore use\n"
    "  rtprov import-pkg PACKAGE.zip            checks every file against manifest.json\n"
    "  rtprov import-pkg PACKAGE.zip --to DIR   then extracts it into the new folder DIR\n"
    "\nThe project file the image was built from and its public inputs are in project/;\n"
    "private keys, key passwords and DEKs are never packaged.\n";

}  // namespace

std::optional<std::string> format_readme_0_1(const Manifest& m) {
    if (m.migrated_from != SchemaVersion{1, 0} || m.images.empty())
        return std::nullopt;
    std::string out = fmt::format(
        "rtprov manufacturing package\n"
        "============================\n\n"
        "Device:       {}\n"
        "Boot device:  {}\n"
        "Schema:       1.0 (written by {})\n",
        m.device, m.images.front().boot_device, m.writer);
    out += requires_lines(m);
    out += "\nImage to write\n";
    // 0.1.0 listed files[] with role image, in files[] order, as the migration placed them.
    for (const FileEntry& f : m.files) {
        const auto img = std::find_if(m.images.begin(), m.images.end(),
                                      [&](const ImageEntry& i) { return i.file == f.path; });
        if (f.role != FileRole::Image || img == m.images.end())
            continue;
        out += fmt::format("  {}  to {}, {} bytes, {}\n    sha256 {}\n", f.path, img->boot_device,
                           f.size, img->is_signed ? "HAB-signed" : "unsigned", f.sha256);
    }
    out += fuse_lines(m);
    out += kBeforeUse;
    return out;
}

std::optional<std::string> format_readme_0_2(const Manifest& m) {
    if (m.migrated_from || m.schema != SchemaVersion{2, 0} || m.production.quota ||
        !board_data_steps(m).empty())
        return std::nullopt;
    std::string out = fmt::format(
        "rtprov manufacturing package\n"
        "============================\n\n"
        "Device:       {}\n"
        "Schema:       2.0 (written by {})\n",
        m.device, m.writer);
    out += requires_lines(m);
    out += "\nImages to write\n";
    for (const auto& img : m.images) {
        const FileEntry* f = file_of(m, img.file);
        out +=
            fmt::format("  {}  to {} at 0x{:08X}, {} bytes, {}\n    sha256 {}\n", img.file,
                        img.boot_device, img.address, f != nullptr ? f->size : 0,
                        img.is_signed ? "HAB-signed" : "unsigned", f != nullptr ? f->sha256 : "");
    }
    out += "\nFlashloader (loaded over the boot ROM's serial downloader)\n";
    if (m.flashloaders.empty())
        out += "  none in this package: give one to `rtprov write --flashloader FILE`.\n";
    for (const auto& fl : m.flashloaders) {
        out += fmt::format("  {}  {}, load 0x{:08X}, IVT 0x{:08X}\n", fl.file,
                           fl.is_signed ? "HAB-signed (closed parts)" : "unsigned (open parts)",
                           fl.load_address, fl.ivt_address);
    }
    out += fuse_lines(m);
    out += "\nWrite plan (what `rtprov write` does, in order)\n";
    for (std::size_t i = 0; i < m.write_plan.size(); ++i) {
        const WriteStep& s = m.write_plan[i];
        std::string what(step_op_name(s.op));
        switch (s.op) {
            case StepOp::ConfigureMemory:
                if (!s.fcb_file.empty())
                    what += fmt::format(" 0x{:X} with the FCB of {}", s.memory_id, s.fcb_file);
                else if (!s.option_words.empty())
                    what += fmt::format(" 0x{:X} with option 0x{:08X}", s.memory_id,
                                        s.option_words.front());
                else
                    return std::nullopt;  // 0.2.0 never wrote such a step
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
            case StepOp::KeyBlob:
                return std::nullopt;  // not in 0.2.0
            case StepOp::LoadFlashloader:
            case StepOp::Reset:
                break;
        }
        out += fmt::format("  {:>2}. {}\n", i + 1, what);
    }
    out += kBeforeUse;
    return out;
}

}  // namespace rtprov::pkg
