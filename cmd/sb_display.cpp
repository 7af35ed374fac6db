#include "sb_display.hpp"

#include <cstring>

#include <fmt/format.h>

namespace rtprov::cli {

namespace {

// The command in BD-file words ("load 0x60001000, 16912 bytes (CRC 0xF76E34E0)").
std::string describe(const sb::Command& c) {
    const std::uint32_t mem = sb::memory_id(c.flags);
    const std::string on = mem != 0 ? fmt::format(" ({})", sb::memory_name(mem)) : "";
    switch (c.tag) {
        case sb::Tag::Nop:
            return "nop";
        case sb::Tag::Load:
            return fmt::format("load 0x{:08X}, {} bytes (CRC-32 0x{:08X}){}", c.address, c.count,
                               c.data, on);
        case sb::Tag::Fill:
            return fmt::format("fill 0x{:08X}, {} bytes of pattern 0x{:08X}", c.address, c.count,
                               c.data);
        case sb::Tag::Jump:
            return fmt::format(
                "jump 0x{:08X}, argument 0x{:X}{}{}", c.address, c.data,
                (c.flags & sb::kFlagJumpSp) ? fmt::format(", stack pointer 0x{:08X}", c.count) : "",
                (c.flags & sb::kFlagHabExec) ? ", HAB" : "");
        case sb::Tag::Call:
            return fmt::format("call 0x{:08X}, argument 0x{:X}{}", c.address, c.data,
                               (c.flags & sb::kFlagHabExec) ? ", HAB" : "");
        case sb::Tag::Mode:
            return fmt::format("mode 0x{:X}", c.data);
        case sb::Tag::Erase:
            if (c.flags & sb::kFlagEraseAllUnsecure)
                return "erase all unsecure";
            if (c.flags & sb::kFlagEraseAll)
                return "erase all" + on;
            return fmt::format("erase 0x{:08X}..0x{:08X}{}", c.address,
                               static_cast<std::uint64_t>(c.address) + c.count, on);
        case sb::Tag::Reset:
            return "reset";
        case sb::Tag::MemEnable:
            return fmt::format("enable {} with the {}-byte option block at 0x{:08X}",
                               sb::memory_name(mem), c.count, c.address);
        case sb::Tag::Prog:
            return fmt::format(
                "program fuse 0x{:X} = 0x{:08X}{}{}", c.address, c.count,
                (c.flags & sb::kFlagProg8Bytes) ? fmt::format(", 0x{:08X}", c.data) : "", on);
        case sb::Tag::Tag:
            break;
    }
    return sb::tag_name(static_cast<std::uint8_t>(c.tag));
}

}  // namespace

bool looks_like_sb(ByteView file) {
    return file.size() >= sb::kHeaderSize && std::memcmp(&file[0x14], "STMP", 4) == 0;
}

nlohmann::json sb_json(const sb::SbFile& f, std::size_t size) {
    nlohmann::json sections = nlohmann::json::array();
    for (const auto& s : f.sections) {
        nlohmann::json cmds = nlohmann::json::array();
        for (const auto& c : s.commands) {
            cmds.push_back({{"tag", sb::tag_name(static_cast<std::uint8_t>(c.tag))},
                            {"flags", c.flags},
                            {"address", c.address},
                            {"count", c.count},
                            {"data", c.data},
                            {"text", describe(c)}});
        }
        sections.push_back({{"id", s.id},
                            {"flags", s.flags},
                            {"bootable", (s.flags & sb::kSectionBootable) != 0},
                            {"last", (s.tag_flags & sb::kFlagLastTag) != 0},
                            {"table_offset", s.table_offset},
                            {"commands", cmds}});
    }
    return {{"format", "sb1"},
            {"size", size},
            {"version", fmt::format("{}.{}", f.major, f.minor)},
            {"flags", f.flags},
            {"timestamp", sb::timestamp_text(f.timestamp)},
            {"product_version", sb::version_text(f.product_version)},
            {"component_version", sb::version_text(f.component_version)},
            {"drive_tag", f.drive_tag},
            {"first_boot_section", f.first_boot_section},
            {"sections", sections}};
}

void print_sb(Output& out, const sb::SbFile& f, std::size_t size, const std::string& name) {
    out.text("{}: SB {}.{} file, {} bytes, {} section{}, created {}", name, f.major, f.minor, size,
             f.sections.size(), f.sections.size() == 1 ? "" : "s", sb::timestamp_text(f.timestamp));
    out.text("  product {}, component {}, drive tag {}, flags 0x{:X}, first boot section {}",
             sb::version_text(f.product_version), sb::version_text(f.component_version),
             f.drive_tag, f.flags, f.first_boot_section);
    for (const auto& s : f.sections) {
        const bool runs = (s.flags & sb::kSectionBootable) && s.id == f.first_boot_section;
        out.text("Section {} ({}{}{}), {} commands:", s.id,
                 (s.flags & sb::kSectionBootable) ? "bootable" : "not bootable",
                 (s.tag_flags & sb::kFlagLastTag) ? ", last" : "",
                 runs ? ", the flashloader runs it" : "", s.commands.size());
        for (std::size_t i = 0; i < s.commands.size(); ++i)
            out.text("  {:>3}  {}", i, describe(s.commands[i]));
    }
    if (f.sections.size() > 1) {
        out.text(
            "Note: receive-sb-file runs the first boot section only (id {}); the others are "
            "skipped",
            f.first_boot_section);
    }
}

}  // namespace rtprov::cli
