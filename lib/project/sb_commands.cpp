// SB command files (schema: sb_commands.hpp).

#include "rtprov/project/sb_commands.hpp"

#include <chrono>

#include <fmt/format.h>

#include "rtprov/project/yaml_document.hpp"
#include "rtprov/util/file.hpp"
#include "yaml_reader.hpp"

namespace rtprov::project {

namespace {

using detail::Reader;

Bytes hex_bytes(const Reader& r, const YAML::Node& node, std::string_view key) {
    try {
        return parse_hex(r.string(node, key), key);
    } catch (const Error& e) {
        r.fail(node, e.message());
    }
}

std::uint32_t memory(const Reader& r, const YAML::Node& node, std::string_view key) {
    if (!node)
        return 0;
    if (auto id = sb::parse_memory_name(r.string(node, key)))
        return *id;
    if (parse_uint(node.Scalar()))
        return r.u32(node, key);
    r.fail(node, fmt::format("'{}': unknown memory '{}'; use flexspi-nor, semc-nor, semc-nand, "
                             "spi-nand, spi-nor, sd, mmc, internal, fuse or a number",
                             key, node.Scalar()));
}

std::uint32_t required(const Reader& r, const YAML::Node& args, std::string_view name,
                       const std::string& where) {
    if (!args[std::string(name)])
        r.fail(args, fmt::format("'{}' needs '{}'", where, name));
    return r.u32(args[std::string(name)], fmt::format("{}.{}", where, name));
}

sb::Command load(const Reader& r, const YAML::Node& a, const std::string& where) {
    r.expect_keys(a, where, {"address", "file", "data", "memory", "padding"});
    const std::uint32_t address = required(r, a, "address", where);
    if (!a["file"] == !a["data"])
        r.fail(a, fmt::format("'{}' needs either 'file' or 'data'", where));
    Bytes data = a["file"] ? read_file(r.file(a["file"], where + ".file"))
                           : hex_bytes(r, a["data"], where + ".data");
    const std::size_t missing = align_up(data.size(), sb::kBlockSize) - data.size();
    if (a["padding"]) {
        const Bytes pad = hex_bytes(r, a["padding"], where + ".padding");
        if ((data.size() + pad.size()) % sb::kBlockSize != 0) {
            r.fail(a["padding"],
                   fmt::format("'{}.padding': {} bytes; the {} bytes loaded need {} more (mod 16)",
                               where, pad.size(), data.size(), missing));
        }
        data.insert(data.end(), pad.begin(), pad.end());
    } else {
        data.resize(data.size() + missing, 0);
    }
    return sb::load(address, std::move(data), memory(r, a["memory"], where + ".memory"));
}

sb::Command command(const Reader& r, const YAML::Node& item, const std::string& where) {
    if (item.IsScalar()) {
        if (item.Scalar() == "reset")
            return sb::reset();
        if (item.Scalar() == "nop")
            return sb::Command{};
        r.fail(item, fmt::format("'{}': '{}' needs arguments ({{...}}); only reset and nop "
                                 "stand alone",
                                 where, item.Scalar()));
    }
    if (!item.IsMap() || item.size() != 1) {
        r.fail(item, fmt::format("'{}' must be one command: fill, enable, erase, load, jump, "
                                 "call, prog, mode, reset or nop",
                                 where));
    }
    const std::string name = r.key(item.begin()->first, where);
    const YAML::Node a = item.begin()->second;
    const std::string w = fmt::format("{} ({})", where, name);
    if (name == "mode")
        return sb::mode(r.u32(a, w));
    if (name == "reset" || name == "nop") {
        if (!a.IsNull() && !(a.IsMap() && a.size() == 0))
            r.fail(a, fmt::format("'{}' takes no arguments", w));
        return name == "reset" ? sb::reset() : sb::Command{};
    }
    if (name == "fill") {
        r.expect_keys(a, w, {"address", "pattern", "length"});
        return sb::fill(required(r, a, "address", w), required(r, a, "pattern", w),
                        a["length"] ? r.u32(a["length"], w + ".length") : 4);
    }
    if (name == "enable") {
        r.expect_keys(a, w, {"memory", "address", "size"});
        if (!a["memory"])
            r.fail(a, fmt::format("'{}' needs 'memory'", w));
        return sb::enable(memory(r, a["memory"], w + ".memory"), required(r, a, "address", w),
                          a["size"] ? r.u32(a["size"], w + ".size") : 4);
    }
    if (name == "erase") {
        r.expect_keys(a, w, {"address", "length", "memory", "all"});
        const std::uint32_t mem = memory(r, a["memory"], w + ".memory");
        if (a["all"] && r.boolean(a["all"], w + ".all")) {
            if (a["address"] || a["length"])
                r.fail(a, fmt::format("'{}': 'all' erases the whole memory; no address/length", w));
            return sb::erase_all(mem);
        }
        return sb::erase(required(r, a, "address", w), required(r, a, "length", w), mem);
    }
    if (name == "load")
        return load(r, a, w);
    if (name == "jump" || name == "call") {
        r.expect_keys(a, w, {"address", "argument", "stack_pointer"});
        const std::uint32_t address = required(r, a, "address", w);
        const std::uint32_t arg = a["argument"] ? r.u32(a["argument"], w + ".argument") : 0;
        if (name == "call") {
            if (a["stack_pointer"])
                r.fail(a["stack_pointer"], fmt::format("'{}': only jump sets a stack pointer", w));
            return sb::call(address, arg);
        }
        std::optional<std::uint32_t> sp;
        if (a["stack_pointer"])
            sp = r.u32(a["stack_pointer"], w + ".stack_pointer");
        return sb::jump(address, arg, sp);
    }
    if (name == "prog") {
        r.expect_keys(a, w, {"index", "value", "value2", "memory"});
        std::optional<std::uint32_t> v2;
        if (a["value2"])
            v2 = r.u32(a["value2"], w + ".value2");
        return sb::prog(required(r, a, "index", w), required(r, a, "value", w), v2,
                        a["memory"] ? memory(r, a["memory"], w + ".memory") : 0x200);
    }
    r.fail(item.begin()->first,
           fmt::format("'{}': unknown command '{}'; use fill, enable, erase, load, jump, call, "
                       "prog, mode, reset or nop",
                       where, name));
}

template <std::size_t N>
void padding(const Reader& r, const YAML::Node& node, std::string_view key,
             std::array<std::uint8_t, N>& out) {
    if (!node)
        return;
    const Bytes b = hex_bytes(r, node, key);
    if (b.size() != N)
        r.fail(node, fmt::format("'{}' is {} bytes; expected {}", key, b.size(), N));
    std::copy(b.begin(), b.end(), out.begin());
}

}  // namespace

std::uint64_t sb_now() {
    using namespace std::chrono;
    const auto since = system_clock::now() - sys_days{year{2000} / 1 / 1};
    return static_cast<std::uint64_t>(duration_cast<seconds>(since).count()) * 1000000u;
}

namespace {

sb::SbFile read_sb_commands(const YAML::Node& root, const std::filesystem::path& path,
                            std::uint64_t now_us) {
    const Reader r(path);
    r.expect_keys(root, "the SB command file",
                  {"timestamp", "product_version", "component_version", "flags", "drive_tag",
                   "first_boot_section", "header_padding", "trailer_padding", "sections"});
    sb::SbFile f;
    f.timestamp = now_us;
    auto rethrow_at = [&](const YAML::Node& node, auto fn) {
        try {
            fn();
        } catch (const Error& e) {
            r.fail(node, e.message());
        }
    };
    if (const YAML::Node t = root["timestamp"]) {
        const std::string text = r.string(t, "timestamp");
        rethrow_at(t, [&] { f.timestamp = sb::parse_timestamp(text, "timestamp"); });
    }
    for (auto [key, field] : {std::pair{"product_version", &f.product_version},
                              std::pair{"component_version", &f.component_version}}) {
        if (const YAML::Node v = root[key]) {
            const std::string text = r.string(v, key);
            // Captured by name: clang 14 cannot capture structured bindings.
            rethrow_at(v,
                       [&text, out = field, name = key] { *out = sb::parse_version(text, name); });
        }
    }
    if (root["flags"])
        f.flags = static_cast<std::uint16_t>(r.u32(root["flags"], "flags"));
    if (root["drive_tag"])
        f.drive_tag = static_cast<std::uint16_t>(r.u32(root["drive_tag"], "drive_tag"));
    if (root["first_boot_section"])
        f.first_boot_section = r.u32(root["first_boot_section"], "first_boot_section");
    padding(r, root["header_padding"], "header_padding", f.header_padding);
    padding(r, root["trailer_padding"], "trailer_padding", f.trailer_padding);
    const YAML::Node sections = root["sections"];
    if (!sections || !sections.IsSequence() || sections.size() == 0)
        r.fail(sections ? sections : root, "'sections' must list at least one section");
    for (std::size_t i = 0; i < sections.size(); ++i) {
        const std::string where = fmt::format("sections[{}]", i);
        const YAML::Node s = sections[i];
        r.expect_keys(s, where, {"id", "bootable", "commands"});
        sb::Section sec;
        sec.id = s["id"] ? r.u32(s["id"], where + ".id") : static_cast<std::uint32_t>(i);
        if (s["bootable"] && !r.boolean(s["bootable"], where + ".bootable"))
            sec.flags = 0;
        const YAML::Node cmds = s["commands"];
        if (!cmds || !cmds.IsSequence())
            r.fail(cmds ? cmds : s, fmt::format("'{}.commands' must be a list", where));
        for (std::size_t j = 0; j < cmds.size(); ++j)
            sec.commands.push_back(command(r, cmds[j], fmt::format("{}.commands[{}]", where, j)));
        f.sections.push_back(std::move(sec));
    }
    rethrow_at(root, [&] { sb::serialize(f); });  // the file's own checks (first boot section)
    return f;
}

}  // namespace

sb::SbFile parse_sb_commands(std::string_view yaml_text, const std::filesystem::path& path,
                             std::uint64_t now_us) {
    return read_yaml_mapping(yaml_text, path, [&](const YAML::Node& root) {
        return read_sb_commands(root, path, now_us);
    });
}

sb::SbFile load_sb_commands(const std::filesystem::path& path, std::uint64_t now_us) {
    return parse_sb_commands(read_text_file(path), path, now_us);
}

}  // namespace rtprov::project
