// Paths in NXP configurations, which are mostly written on Windows: SPSDK replaces every '\' with
// '/' before it looks a file up (spsdk.utils.misc find_file), so `gen_hab_certs\SRK_hash.bin` and
// `..\crts\CSF1_1.pem` name the same files on Linux as on Windows. rtprov reads them the same way.

#include <cctype>

#include <fmt/format.h>

#include "rtprov/convert/vendor_config.hpp"
#include "rtprov/util/error.hpp"

namespace rtprov::convert {

namespace {

// "C:\..." / "c:/..." (a drive) or "\\server\share" (UNC): absolute on Windows only.
bool windows_absolute(std::string_view text) {
    const bool drive = text.size() >= 2 && std::isalpha(static_cast<unsigned char>(text[0])) &&
                       text[1] == ':';
    const bool unc = text.starts_with("\\\\");
    return drive || unc;
}

bool has_backslash(std::string_view text) {
    return text.find('\\') != std::string_view::npos;
}

}  // namespace

std::filesystem::path vendor_path(std::string_view text, const std::filesystem::path& base,
                                  const std::string& where, std::string_view key) {
    if (text.empty())
        throw Error(ErrorCode::BadInput, fmt::format("{}: '{}' is empty", where, key));
    if (windows_absolute(text)) {
        throw Error(ErrorCode::BadInput,
                    fmt::format("{}: '{}': '{}' is a Windows absolute path, which names no file "
                                "here; write it relative to the configuration's folder (as NXP's "
                                "tools also read it), e.g. keys\\file.pem",
                                where, key, text));
    }
    std::string generic(text);
    for (char& c : generic) {
        if (c == '\\')
            c = '/';
    }
    const std::filesystem::path p = generic;
    return p.is_absolute() ? p.lexically_normal() : (base / p).lexically_normal();
}

std::filesystem::path vendor_path(const VendorEntry& e, const std::filesystem::path& base) {
    return vendor_path(e.value, base, e.where, e.key);
}

bool has_windows_separators(const VendorConfig& config) {
    if (has_backslash(config.input_image_text))
        return true;
    for (const VendorEntry& e : config.options) {
        if (has_backslash(e.value))
            return true;
    }
    for (const VendorSection& s : config.sections) {
        for (const VendorEntry& e : s.entries) {
            if (has_backslash(e.value))
                return true;
        }
    }
    return false;
}

}  // namespace rtprov::convert
