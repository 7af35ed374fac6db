// BD file -> VendorConfig: section ids become SPSDK section names so BD and YAML share one path.

#include <array>
#include <utility>

#include <fmt/format.h>

#include "rtprov/convert/bd_parser.hpp"
#include "rtprov/convert/vendor_config.hpp"
#include "rtprov/util/error.hpp"
#include "rtprov/util/file.hpp"

namespace rtprov::convert {

namespace {

// elftosb's HAB section ids (the constants block every NXP BD file repeats).
constexpr std::array<std::pair<std::uint64_t, std::string_view>, 14> kSections = {{
    {20, "Header"},
    {21, "InstallSRK"},
    {22, "InstallCSFK"},
    {23, "InstallNOCAK"},
    {24, "AuthenticateCSF"},
    {25, "InstallKey"},
    {26, "AuthenticateData"},
    {27, "InstallSecretKey"},
    {28, "DecryptData"},
    {29, "NOP"},
    {30, "SetMID"},
    {31, "SetEngine"},
    {32, "Init"},
    {33, "Unlock"},
}};

std::string where(const std::string& file, const BdLocation& at) {
    return fmt::format("{}:{}:{}", file, at.line, at.column);
}

VendorEntry entry(const std::string& file, const BdSetting& s) {
    if (s.value.kind == BdValue::Kind::Extern) {
        throw Error(ErrorCode::BadInput,
                    fmt::format("{}: '{}': extern() is only allowed in the sources block",
                                where(file, s.value.where), s.name));
    }
    return VendorEntry{s.name, s.value.text, where(file, s.where)};
}

}  // namespace

std::optional<std::string_view> bd_section_name(std::uint64_t id) {
    for (const auto& [n, name] : kSections) {
        if (n == id)
            return name;
    }
    return std::nullopt;
}

VendorConfig parse_bd_config(std::string_view text, const std::filesystem::path& path) {
    const std::string file = path.string();
    const BdFile bd = parse_bd(text, file);
    VendorConfig c;
    c.source = path;
    c.format = "bd";
    for (const auto& s : bd.options)
        c.options.push_back(entry(file, s));
    for (const auto& s : bd.sources) {
        if (s.value.kind != BdValue::Kind::Extern || s.value.number != 0) {
            throw Error(ErrorCode::BadInput,
                        fmt::format("{}: source '{}': only extern(0) is supported (the app "
                                    "given with --input)",
                                    where(file, s.value.where), s.name));
        }
    }
    for (const auto& sec : bd.sections) {
        const auto name = bd_section_name(sec.id);
        if (!name) {
            throw Error(ErrorCode::BadInput,
                        fmt::format("{}: unknown section id {} ('{}'); HAB sections are 20 "
                                    "(SEC_CSF_HEADER) to 33 (SEC_UNLOCK)",
                                    where(file, sec.where), sec.id, sec.id_text));
        }
        VendorSection v{std::string(*name), {}, where(file, sec.where)};
        for (const auto& s : sec.settings)
            v.entries.push_back(entry(file, s));
        c.sections.push_back(std::move(v));
    }
    return c;
}

VendorConfig read_bd_config(const std::filesystem::path& path) {
    return parse_bd_config(read_text_file(path), path);
}

}  // namespace rtprov::convert
