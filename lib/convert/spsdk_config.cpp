// SPSDK `nxpimage hab export` YAML -> VendorConfig.

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include "rtprov/convert/vendor_config.hpp"
#include "rtprov/util/error.hpp"
#include "rtprov/util/file.hpp"

namespace rtprov::convert {

namespace {

class YamlSource {
  public:
    explicit YamlSource(const std::filesystem::path& path) : file_(path.string()) {}

    std::string where(const YAML::Node& node) const {
        const YAML::Mark m = node.Mark();
        if (m.is_null())
            return file_;
        return fmt::format("{}:{}:{}", file_, m.line + 1, m.column + 1);
    }

    [[noreturn]] void fail(const YAML::Node& node, const std::string& what) const {
        throw Error(ErrorCode::BadInput, fmt::format("{}: {}", where(node), what));
    }

    // Entries of a mapping whose values are scalars.
    std::vector<VendorEntry> entries(const YAML::Node& map, std::string_view what) const {
        if (!map.IsMap())
            fail(map, fmt::format("'{}' must be a mapping", what));
        std::vector<VendorEntry> out;
        for (const auto& kv : map) {
            const auto key = kv.first.as<std::string>();
            if (!kv.second.IsScalar())
                fail(kv.second, fmt::format("'{}.{}' must be a single value", what, key));
            out.push_back(VendorEntry{key, kv.second.Scalar(), where(kv.first)});
        }
        return out;
    }

  private:
    std::string file_;
};

}  // namespace

VendorConfig parse_spsdk_config(std::string_view text, const std::filesystem::path& path) {
    const YamlSource src(path);
    YAML::Node root;
    try {
        root = YAML::Load(std::string(text));
    } catch (const YAML::Exception& e) {
        throw Error(ErrorCode::BadInput, fmt::format("{}:{}:{}: {}", path.string(), e.mark.line + 1,
                                                     e.mark.column + 1, e.msg));
    }
    if (!root.IsMap())
        throw Error(ErrorCode::BadInput, fmt::format("{}: not a YAML mapping", path.string()));
    VendorConfig c;
    c.source = path;
    c.format = "spsdk";
    for (const auto& kv : root) {
        const auto key = kv.first.as<std::string>();
        if (key != "options" && key != "inputImageFile" && key != "sections") {
            src.fail(kv.first, fmt::format("unknown key '{}' in an SPSDK HAB configuration; known "
                                           "keys: options, inputImageFile, sections",
                                           key));
        }
    }
    if (!root["options"])
        throw Error(ErrorCode::BadInput, fmt::format("{}: 'options' is missing", path.string()));
    c.options = src.entries(root["options"], "options");
    if (const YAML::Node in = root["inputImageFile"]) {
        if (!in.IsScalar())
            src.fail(in, "'inputImageFile' must be a file name");
        std::filesystem::path p = in.Scalar();
        c.input_image = p.is_absolute() ? p : path.parent_path() / p;
    }
    if (const YAML::Node sections = root["sections"]) {
        if (!sections.IsSequence())
            src.fail(sections, "'sections' must be a list");
        for (const auto& item : sections) {
            if (!item.IsMap() || item.size() != 1) {
                src.fail(item,
                         "each item of 'sections' must be a mapping with one section name, "
                         "e.g. 'Header:'");
            }
            const auto kv = *item.begin();
            const auto name = kv.first.as<std::string>();
            c.sections.push_back(
                VendorSection{name, src.entries(kv.second, name), src.where(kv.first)});
        }
    }
    return c;
}

VendorConfig read_spsdk_config(const std::filesystem::path& path) {
    return parse_spsdk_config(read_text_file(path), path);
}

}  // namespace rtprov::convert
