#include "readme.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "rtprov/pkg/plan_view.hpp"
#include "rtprov/util/error.hpp"

namespace rtprov::pkg {

namespace {

// How the package's image is encrypted on the host ("HAB-encrypted"), or "" when it is plain
// in the package (OTPMK modes: the flashloader encrypts on the part).
std::string_view image_encryption(const Manifest& m) {
    const auto has = [&](std::string_view name) {
        return std::any_of(m.required.begin(), m.required.end(),
                           [&](const auto& f) { return f.name == name; });
    };
    if (has("hab-encrypted"))
        return "HAB-encrypted";
    if (has("bee-user-key"))
        return "BEE-encrypted";
    if (has("otfad-user-key"))
        return "OTFAD-encrypted";
    return "";
}

// Whether a package whose image is encrypted on the host carries the plaintext application
// (export-pkg --include-sources): said from the manifest, so a README regenerated from it says
// the same.
std::string encrypted_app_note(const Manifest& m) {
    const std::string_view how = image_encryption(m);
    if (how.empty())
        return "";
    const auto app = std::find_if(m.files.begin(), m.files.end(),
                                  [](const FileEntry& f) { return f.role == FileRole::App; });
    if (app == m.files.end()) {
        return fmt::format(
            "The image is {}: its plaintext application is not in this package\n"
            "(the project file names it, but it stays with whoever built the image).\n",
            how);
    }
    return fmt::format(
        "WARNING: the image is {}, yet this package also carries its plaintext\n"
        "application, {} (exported with --include-sources): whoever has the package can\n"
        "read the firmware.\n",
        how, app->path);
}

std::string header(const Manifest& m, const SchemaVersion& schema) {
    std::string out = fmt::format(
        "rtprov manufacturing package\n"
        "============================\n\n"
        "Device:       {}\n"
        "Schema:       {}.{} (written by {})\n",
        m.device, schema.major, schema.minor, m.writer);
    for (const auto& f : m.required) {
        const Feature* known = find_feature(f.name);
        out += fmt::format("Requires:     {}{}{}\n", f.name, known ? " - " : "",
                           known ? known->meaning : "");
    }
    return out;
}

std::vector<std::string_view> lines_of(std::string_view text) {
    std::vector<std::string_view> out;
    while (!text.empty()) {
        const auto nl = text.find('\n');
        out.push_back(text.substr(0, nl));
        text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
    }
    return out;
}

// A line of the packaged README for an error message: control characters escaped, cut short.
std::string quoted(std::string_view line) {
    std::string out;
    for (const char c : line.substr(0, 200)) {
        const auto u = static_cast<unsigned char>(c);
        out += u < 0x20 || u == 0x7F ? fmt::format("\\x{:02x}", u) : std::string(1, c);
    }
    return fmt::format("\"{}{}\"", out, line.size() > 200 ? "..." : "");
}

// "line 21: \"...\" where the manifest means \"...\"" for the first line that differs.
std::string first_difference(std::string_view packaged, std::string_view expected) {
    const auto a = lines_of(packaged);
    const auto b = lines_of(expected);
    std::size_t i = 0;
    while (i < a.size() && i < b.size() && a[i] == b[i])
        ++i;
    const std::string got = i < a.size() ? quoted(a[i]) : "the end of the file";
    const std::string want = i < b.size() ? quoted(b[i]) : "the end of the file";
    return fmt::format("line {}: {}, where the manifest means {}", i + 1, got, want);
}

}  // namespace

std::string format_readme(const Manifest& m) {
    std::string out = header(m, m.schema) + "\n";
    for (const std::string& line : plan_lines(describe_plan(m)))
        out += line + "\n";
    if (m.production.quota) {
        out += fmt::format(
            "\nProduction quota: {} boards per station (kept in the station's records; a\n"
            "station-side limit, not a cryptographic one)\n",
            *m.production.quota);
    }
    out +=
        "\nBefore use\n"
        "  rtprov import-pkg PACKAGE.zip            checks every file against manifest.json and\n"
        "                                           this README.txt against what it means\n"
        "  rtprov import-pkg PACKAGE.zip --to DIR   then extracts it into the new folder DIR\n"
        "  rtprov write PACKAGE.zip -p PORT --dry-run   shows this plan and a board's fuses\n"
        "\nThe project file the image was built from and its public inputs are in project/;\n"
        "private keys, key passwords and DEKs are never packaged.\n";
    out += encrypted_app_note(m);
    return out;
}

std::string legacy_readme_warning(std::string_view release) {
    return fmt::format(
        "README.txt is in the format of rtprov {}, which does not list every memory range and "
        "fuse word: `rtprov import-pkg` shows what `rtprov write` runs, `rtprov pkg migrate` "
        "rewrites the README",
        release);
}

void check_readme(Package& p) {
    const Manifest& m = p.manifest;
    const FileEntry* readme = nullptr;
    for (const FileEntry& f : m.files) {
        if (f.path != kReadmeName && f.role != FileRole::Readme)
            continue;
        if (f.path != kReadmeName || f.role != FileRole::Readme) {
            throw Error(ErrorCode::BadInput,
                        fmt::format("manifest.json: file '{}' has role {}: README.txt, and only "
                                    "it, has role readme",
                                    f.path, file_role_name(f.role)));
        }
        readme = &f;
    }
    if (readme == nullptr)
        throw Error(ErrorCode::BadInput, "no README.txt in the package");
    if (!m.migrated_from && m.schema.minor > kSchemaMinor) {
        p.warnings.push_back(fmt::format(
            "README.txt is not checked against the manifest: schema {}.{} is newer than this "
            "rtprov reads; `rtprov import-pkg` shows what `rtprov write` runs",
            m.schema.major, m.schema.minor));
        return;
    }
    const Bytes& data = p.files.at(readme->path);
    const std::string_view text(reinterpret_cast<const char*>(data.data()), data.size());
    const std::string expected = format_readme(m);
    if (text == expected)
        return;
    for (const auto& [release, legacy] :
         {std::pair{"0.1.0", format_readme_0_1(m)}, std::pair{"0.2.0", format_readme_0_2(m)}}) {
        if (legacy && text == *legacy) {
            p.warnings.push_back(legacy_readme_warning(release));
            return;
        }
    }
    throw Error(ErrorCode::Verification,
                fmt::format("README.txt does not say what manifest.json means ({}): it was "
                            "edited after export; refused",
                            first_difference(text, expected)));
}

}  // namespace rtprov::pkg
