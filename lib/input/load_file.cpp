// Format names, format detection and load_file, the one entry point the commands use.

#include <algorithm>
#include <cctype>

#include <fmt/format.h>

#include "rtprov/input/formats.hpp"
#include "rtprov/util/error.hpp"
#include "rtprov/util/file.hpp"

namespace rtprov::input {

namespace {

bool is_blank(std::uint8_t c) {
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

// The first line of a text record file: ':' or 'S' + digit, then printable ASCII up to the line
// end. Checking the whole line keeps a raw binary that happens to start with ':' or 'S' out.
std::optional<Format> detect_text_format(ByteView content) {
    auto it = std::find_if_not(content.begin(), content.end(), is_blank);
    const auto line_end =
        std::find_if(it, content.end(), [](std::uint8_t c) { return c == '\r' || c == '\n'; });
    if (it == line_end)
        return std::nullopt;
    const bool printable = std::all_of(
        it, line_end, [](std::uint8_t c) { return (c >= 0x20 && c < 0x7F) || c == '\t'; });
    if (!printable)
        return std::nullopt;
    if (*it == ':')
        return Format::IntelHex;
    if (*it == 'S' && line_end - it >= 2 && std::isdigit(it[1]))
        return Format::Srec;
    return std::nullopt;
}

std::optional<Format> format_from_extension(const std::filesystem::path& path) {
    std::string ext = path.extension().string();
    std::transform(ext.begin(), ext.end(), ext.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (ext == ".hex" || ext == ".ihex")
        return Format::IntelHex;
    if (ext == ".srec" || ext == ".s19" || ext == ".s28" || ext == ".s37" || ext == ".mot") {
        return Format::Srec;
    }
    if (ext == ".elf" || ext == ".axf" || ext == ".out")
        return Format::Elf;
    if (ext == ".bin")
        return Format::Binary;
    return std::nullopt;
}

}  // namespace

std::optional<Format> parse_format(std::string_view name) {
    for (Format f : {Format::Auto, Format::Elf, Format::IntelHex, Format::Srec, Format::Binary}) {
        if (name == format_name(f))
            return f;
    }
    return std::nullopt;
}

std::string_view format_name(Format format) {
    switch (format) {
        case Format::Auto:
            return "auto";
        case Format::Elf:
            return "elf";
        case Format::IntelHex:
            return "hex";
        case Format::Srec:
            return "srec";
        case Format::Binary:
            return "bin";
    }
    return "unknown";
}

Format detect_format(const std::filesystem::path& path, ByteView content) {
    if (content.size() >= 4 && content[0] == 0x7F && content[1] == 'E' && content[2] == 'L' &&
        content[3] == 'F') {
        return Format::Elf;
    }
    if (auto format = detect_text_format(content))
        return *format;
    return format_from_extension(path).value_or(Format::Binary);
}

MemoryImage load_file(const std::filesystem::path& path, Format format,
                      std::optional<std::uint32_t> base_address) {
    const std::string name = path.string();
    const Bytes content = read_file(path);
    if (format == Format::Auto)
        format = detect_format(path, content);
    if (format == Format::Binary) {
        if (!base_address) {
            throw Error(ErrorCode::Usage,
                        fmt::format("{}: a raw binary needs a base address (--app-address)", name));
        }
        return read_binary(content, *base_address, name);
    }
    const std::string_view text(reinterpret_cast<const char*>(content.data()), content.size());
    MemoryImage image = format == Format::Elf        ? read_elf(content, name)
                        : format == Format::IntelHex ? read_ihex(text, name)
                                                     : read_srec(text, name);
    if (image.empty()) {
        throw Error(ErrorCode::BadInput, fmt::format("{}: the {} file holds no data to load", name,
                                                     format_name(format)));
    }
    if (base_address && *base_address != image.start()) {
        throw Error(
            ErrorCode::Usage,
            fmt::format("{}: base address 0x{:08X} (--app-address) differs from 0x{:08X}, "
                        "where the {} file places its first byte; omit it or give "
                        "0x{:08X}",
                        name, *base_address, image.start(), format_name(format), image.start()));
    }
    return image;
}

}  // namespace rtprov::input
