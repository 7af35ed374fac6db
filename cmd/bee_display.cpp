#include "bee_display.hpp"

#include <filesystem>

#include <fmt/format.h>

#include "rtprov/util/error.hpp"
#include "rtprov/util/file.hpp"
#include "rtprov/util/parse.hpp"

namespace rtprov::cli {

namespace {

std::string facs_text(const std::vector<bee::Fac>& facs) {
    std::string s;
    for (const auto& f : facs) {
        s += fmt::format("{}0x{:08X}..0x{:08X}", s.empty() ? "" : ", ", f.start,
                         static_cast<std::uint32_t>(f.end() - 1));
        if (f.protection != 0)
            s += fmt::format(" (level {})", f.protection);
    }
    return s;
}

}  // namespace

bool is_key_fuse(const bee::FuseSetting& f) {
    return f.name.starts_with("SW_GP2");
}

nlohmann::json bee_regions_json(const std::vector<bee::Region>& regions, bool with_keys,
                                bool show_keys) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& r : regions) {
        nlohmann::json facs = nlohmann::json::array();
        for (const auto& f : r.header.prdb.facs)
            facs.push_back({{"start", f.start}, {"length", f.length}, {"level", f.protection}});
        nlohmann::json doc = {{"region", r.slot},
                              {"header_offset", bee::kHeaderOffsets[r.slot]},
                              {"facs", facs},
                              {"lock", r.header.prdb.lock},
                              {"mode", r.header.prdb.mode}};
        if (with_keys) {
            doc["start"] = r.header.prdb.start;
            doc["end"] = r.header.prdb.end;
            if (show_keys) {
                doc["nonce"] = bee::key_hex(r.header.prdb.nonce);
                doc["kib_key"] = bee::key_hex(r.header.kib.key);
                doc["kib_iv"] = bee::key_hex(r.header.kib.iv);
            } else {
                doc["keys_hidden"] = true;
            }
        }
        out.push_back(doc);
    }
    return out;
}

nlohmann::json bee_result_json(const bee::Result& r, bee::KeySource mode, bool show_keys) {
    nlohmann::json fuses = nlohmann::json::array();
    for (const auto& f : r.fuses) {
        nlohmann::json fuse = {{"name", f.name},   {"word", f.word},
                               {"index", f.index}, {"mask", f.mask},
                               {"value", f.value}, {"description", f.description}};
        if (is_key_fuse(f) && !show_keys) {
            fuse.erase("value");
            fuse["keys_hidden"] = true;
        }
        fuses.push_back(fuse);
    }
    const bool by_device = !r.flashloader_option.empty();
    nlohmann::json doc = {{"mode", mode == bee::KeySource::Otpmk ? "otpmk" : "user-key"},
                          {"encrypted_by", by_device ? "flashloader" : "rtprov"},
                          {"regions", bee_regions_json(r.regions, !by_device, show_keys)},
                          {"fuses", fuses}};
    if (by_device)
        doc["flashloader_option"] = r.flashloader_option;
    return doc;
}

void print_bee_regions(Output& out, const std::vector<bee::Region>& regions, bool show_keys) {
    for (const auto& r : regions) {
        const auto& p = r.header.prdb;
        out.text("BEE region {}: header at 0x{:X}, 0x{:08X}..0x{:08X}, AES-CTR, lock 0x{:X}",
                 r.slot, bee::kHeaderOffsets[r.slot], p.start, p.end - 1, p.lock);
        out.text("  protected  {}", facs_text(p.facs));
        if (!show_keys) {
            out.text("  KIB, nonce {}", kKeysHidden);
            continue;
        }
        out.text("  KIB key    {}", bee::key_hex(r.header.kib.key));
        out.text("  KIB IV     {}", bee::key_hex(r.header.kib.iv));
        out.text("  nonce      {}", bee::key_hex(p.nonce));
    }
}

void print_bee_result(Output& out, const bee::Result& r, bool show_keys) {
    for (const auto& w : r.warnings)
        out.warning(w);
    if (!r.flashloader_option.empty()) {
        out.text(
            "BEE (OTPMK): the flashloader encrypts {} while writing; before the image: "
            "fill RAM with these words, then configure-memory 9 there:",
            facs_text(r.regions[0].header.prdb.facs));
        std::string words;
        for (auto w : r.flashloader_option)
            words += fmt::format(" 0x{:08X}", w);
        out.text(" {}", words);
    } else {
        print_bee_regions(out, r.regions, show_keys);
    }
    for (const auto& f : r.fuses) {
        if (is_key_fuse(f) && !show_keys) {
            out.text("fuse {:<13} word {} (0x{:02X}) mask 0x{:08X} value ({})  {}", f.name, f.word,
                     f.index, f.mask, kKeysHidden, f.description);
            continue;
        }
        out.text("fuse {:<13} word {} (0x{:02X}) mask 0x{:08X} value 0x{:08X}  {}", f.name, f.word,
                 f.index, f.mask, f.value, f.description);
    }
}

std::vector<bee::Key> parse_bee_keys(const std::vector<std::string>& values) {
    std::vector<bee::Key> keys;
    for (const auto& v : values) {
        Bytes b;
        if (is_file(v)) {
            b = read_file(v);
        } else {
            try {
                b = parse_hex(v, "--bee-key");
            } catch (const Error&) {
                throw Error(ErrorCode::Usage,
                            fmt::format("--bee-key '{}': neither a key file nor 32 hex digits", v));
            }
        }
        if (b.size() != 16) {
            throw Error(ErrorCode::Usage,
                        fmt::format("--bee-key '{}': {} bytes; a BEE key is 16", v, b.size()));
        }
        bee::Key k{};
        std::copy(b.begin(), b.end(), k.begin());
        keys.push_back(k);
    }
    return keys;
}

}  // namespace rtprov::cli
