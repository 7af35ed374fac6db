// SPSDK `nxpimage hab export` YAML -> VendorConfig.

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include "rtprov/convert/vendor_config.hpp"
#include "rtprov/project/yaml_document.hpp"
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

    // A mapping key: a plain name ({[a]: 1} or `? {a: 1}` is the file's fault).
    std::string key(const YAML::Node& node, std::string_view what) const {
        if (!node.IsScalar())
            fail(node, fmt::format("keys in {} must be plain names", what));
        return node.Scalar();
    }

    // Entries of a mapping whose values are scalars.
    std::vector<VendorEntry> entries(const YAML::Node& map, std::string_view what) const {
        if (!map.IsMap())
            fail(map, fmt::format("'{}' must be a mapping", what));
        std::vector<VendorEntry> out;
        for (const auto& kv : map) {
            const std::string key = this->key(kv.first, what);
            out.push_back(VendorEntry{key, value(kv.second, what, key), where(kv.first)});
        }
        return out;
    }

  private:
    // A scalar as written. SPSDK takes `Unlock_Features: [JTAG, SCS]` and `Unlock_UID: [0x01,
    // ...]` as well as comma-separated text: for those a list of scalars is joined with ", ".
    std::string value(const YAML::Node& node, std::string_view what, const std::string& key) const {
        if (node.IsScalar())
            return node.Scalar();
        if (!node.IsSequence() || (key != "Unlock_Features" && key != "Unlock_UID"))
            fail(node, fmt::format("'{}.{}' must be a single value", what, key));
        std::string joined;
        for (const auto& item : node) {
            if (!item.IsScalar())
                fail(item, fmt::format("'{}.{}': each item of the list must be a single value",
                                       what, key));
            joined += (joined.empty() ? "" : ", ") + item.Scalar();
        }
        return joined;
    }

    std::string file_;
};

VendorConfig read_spsdk_mapping(const YAML::Node& root, const std::filesystem::path& path) {
    const YamlSource src(path);
    VendorConfig c;
    c.source = path;
    c.format = "spsdk";
    for (const auto& kv : root) {
        const std::string key = src.key(kv.first, "an SPSDK HAB configuration");
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
        c.input_image_text = in.Scalar();
        c.input_image = vendor_path(in.Scalar(), path.parent_path(), src.where(in), "inputImageFile");
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
            const std::string name = src.key(kv.first, "'sections'");
            c.sections.push_back(
                VendorSection{name, src.entries(kv.second, name), src.where(kv.first)});
        }
    }
    return c;
}

}  // namespace

VendorConfig parse_spsdk_config(std::string_view text, const std::filesystem::path& path) {
    return project::read_yaml_mapping(
        text, path, [&](const YAML::Node& root) { return read_spsdk_mapping(root, path); });
}

VendorConfig read_spsdk_config(const std::filesystem::path& path) {
    return parse_spsdk_config(read_text_file(path), path);
}

}  // namespace rtprov::convert
