#include "rtprov/project/project_file.hpp"

#include <set>

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include "rtprov/util/error.hpp"
#include "rtprov/util/file.hpp"
#include "rtprov/util/parse.hpp"

namespace rtprov::project {

namespace {

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
            const auto key = kv.first.as<std::string>();
            bool ok = false;
            for (auto a : allowed)
                ok = ok || key == a;
            if (!ok) {
                fail(kv.first, fmt::format("unknown key '{}' in {}; known keys: {}", key, where,
                                           fmt::join(allowed, ", ")));
            }
        }
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

    std::filesystem::path file(const YAML::Node& node, std::string_view key) const {
        std::filesystem::path p = string(node, key);
        return p.is_absolute() ? p : path_.parent_path() / p;
    }

    FcbSpec fcb(const YAML::Node& node) const {
        if (node.IsScalar()) {
            // Shorthand: a file relative to the project, else a preset name.
            const auto as_file = file(node, "fcb");
            if (std::filesystem::exists(as_file))
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
                spec.fields.emplace_back(kv.first.as<std::string>(),
                                         number(kv.second, kv.first.as<std::string>()));
            }
        }
        return spec;
    }

  private:
    std::filesystem::path path_;
};

}  // namespace

BuildSpec parse_project(std::string_view yaml_text, const std::filesystem::path& path) {
    Reader r(path);
    YAML::Node root;
    try {
        root = YAML::Load(std::string(yaml_text));
    } catch (const YAML::Exception& e) {
        throw Error(ErrorCode::BadInput, fmt::format("{}:{}:{}: {}", path.string(), e.mark.line + 1,
                                                     e.mark.column + 1, e.msg));
    }
    if (!root.IsMap())
        throw Error(ErrorCode::BadInput, fmt::format("{}: not a YAML mapping", path.string()));
    r.expect_keys(root, "the project",
                  {"version", "device", "boot_device", "app", "fcb", "dcd", "padding", "output"});
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
    if (root["dcd"])
        spec.dcd = r.file(root["dcd"], "dcd");
    if (root["padding"])
        spec.padding = r.boolean(root["padding"], "padding");
    if (root["output"])
        spec.output = r.file(root["output"], "output");
    return spec;
}

BuildSpec load_project(const std::filesystem::path& path) {
    return parse_project(read_text_file(path), path);
}

}  // namespace rtprov::project
