#pragma once
// Internal to lib/project: reading typed values from yaml-cpp nodes with errors that name
// file:line:column. Not part of the public API.

#include <filesystem>
#include <initializer_list>
#include <string>
#include <string_view>

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include "rtprov/project/bee_spec.hpp"
#include "rtprov/project/build_spec.hpp"
#include "rtprov/project/hab_spec.hpp"
#include "rtprov/util/error.hpp"
#include "rtprov/util/file.hpp"
#include "rtprov/util/parse.hpp"

namespace rtprov::project::detail {

class Reader {
  public:
    explicit Reader(std::filesystem::path path) : path_(std::move(path)) {}

    [[noreturn]] void fail(const YAML::Node& node, const std::string& what) const {
        const YAML::Mark m = node.Mark();
        if (m.is_null())
            throw Error(ErrorCode::BadInput, fmt::format("{}: {}", path_.string(), what));
        throw Error(ErrorCode::BadInput,
                    fmt::format("{}:{}:{}: {}", path_.string(), m.line + 1, m.column + 1, what));
    }

    void expect_keys(const YAML::Node& map, std::string_view where,
                     std::initializer_list<std::string_view> allowed) const {
        if (!map.IsMap())
            fail(map, fmt::format("'{}' must be a mapping", where));
        for (const auto& kv : map) {
            const std::string key = this->key(kv.first, where);
            bool ok = false;
            for (auto a : allowed)
                ok = ok || key == a;
            if (!ok) {
                fail(kv.first, fmt::format("unknown key '{}' in {}; known keys: {}", key, where,
                                           fmt::join(allowed, ", ")));
            }
        }
    }

    // A mapping key. A mapping or list as a key ({[a]: 1}) is the file's fault; as<std::string>()
    // would throw a YAML exception instead (found by fuzzing).
    std::string key(const YAML::Node& node, std::string_view where) const {
        if (!node.IsScalar())
            fail(node, fmt::format("keys in {} must be plain names", where));
        return node.Scalar();
    }

    std::string string(const YAML::Node& node, std::string_view key) const {
        if (!node.IsScalar())
            fail(node, fmt::format("'{}' must be a text value", key));
        return node.as<std::string>();
    }

    std::uint64_t number(const YAML::Node& node, std::string_view key) const {
        if (!node.IsScalar())
            fail(node, fmt::format("'{}' must be a number", key));
        auto v = parse_uint(node.Scalar());
        if (!v)
            fail(node, fmt::format("'{}': '{}' is not a number", key, node.Scalar()));
        return *v;
    }

    std::uint32_t u32(const YAML::Node& node, std::string_view key) const {
        const std::uint64_t v = number(node, key);
        if (v > UINT32_MAX)
            fail(node, fmt::format("'{}': {} does not fit in 32 bits", key, v));
        return static_cast<std::uint32_t>(v);
    }

    bool boolean(const YAML::Node& node, std::string_view key) const {
        bool value = false;
        if (!node.IsScalar() || !YAML::convert<bool>::decode(node, value)) {
            fail(node, fmt::format("'{}' must be true or false", key));
        }
        return value;
    }

    // "project.yaml:12:3": where `node` is, for errors found after parsing.
    std::string where(const YAML::Node& node) const {
        const YAML::Mark m = node.Mark();
        if (m.is_null())
            return path_.string();
        return fmt::format("{}:{}:{}", path_.string(), m.line + 1, m.column + 1);
    }

    std::filesystem::path file(const YAML::Node& node, std::string_view key) const {
        std::filesystem::path p = string(node, key);
        return p.is_absolute() ? p : path_.parent_path() / p;
    }

    FcbSpec fcb(const YAML::Node& node) const {
        if (node.IsScalar()) {
            // Shorthand: a file relative to the project, else a preset name.
            const auto as_file = file(node, "fcb");
            if (path_exists(as_file))
                return FcbSpec{std::nullopt, as_file, {}};
            return FcbSpec{node.as<std::string>(), std::nullopt, {}};
        }
        expect_keys(node, "fcb", {"preset", "file", "fields"});
        FcbSpec spec;
        if (node["preset"])
            spec.preset = string(node["preset"], "fcb.preset");
        if (node["file"])
            spec.file = file(node["file"], "fcb.file");
        if (spec.preset && spec.file)
            fail(node, "fcb: give either 'preset' or 'file', not both");
        if (const auto& fields = node["fields"]) {
            if (!fields.IsMap())
                fail(fields, "'fcb.fields' must map field names to values");
            for (const auto& kv : fields) {
                const std::string name = key(kv.first, "'fcb.fields'");
                spec.fields.emplace_back(name, number(kv.second, name));
            }
        }
        return spec;
    }

  private:
    std::filesystem::path path_;
};

// Parses the `hab:` mapping (hab_section.cpp).
HabSpec parse_hab_section(const Reader& r, const YAML::Node& node);
// Parses a `bee:` mapping; `where` names it in errors ("bee") (bee_section.cpp).
BeeSpec parse_bee_section(const Reader& r, const YAML::Node& node, const std::string& where);
// Parses the `otfad:` mapping (otfad_section.cpp).
OtfadSpec parse_otfad_section(const Reader& r, const YAML::Node& node);

// Parses the `per_board:` list and the `production:` mapping (production_section.cpp).
std::vector<BoardDataSpec> parse_per_board_section(const Reader& r, const YAML::Node& node);
std::uint64_t parse_production_section(const Reader& r, const YAML::Node& node);

}  // namespace rtprov::project::detail
