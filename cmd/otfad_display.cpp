#include "otfad_display.hpp"

#include <fmt/format.h>

#include "rtprov/util/error.hpp"
#include "rtprov/util/file.hpp"

namespace rtprov::cli {

namespace {

template <std::size_t N>
std::string hex(const std::array<std::uint8_t, N>& a) {
    std::string s;
    for (auto b : a)
        s += fmt::format("{:02x}", b);
    return s;
}

std::string flags_text(std::uint32_t flags) {
    std::string s;
    for (auto [bit, name] : {std::pair{otfad::kFlagValid, "valid"},
                             std::pair{otfad::kFlagDecrypt, "decrypt"},
                             std::pair{otfad::kFlagReadOnly, "read-only"}}) {
        if (flags & bit)
            s += (s.empty() ? "" : ", ") + std::string(name);
    }
    return s.empty() ? "none" : s;
}

// The SW_GP2 words are the KEK.
bool secret(const otfad::FuseSetting& f) {
    return f.word.rfind("SW_GP2", 0) == 0;
}

}  // namespace

nlohmann::json otfad_contexts_json(const std::vector<otfad::Context>& contexts, bool show_keys) {
    nlohmann::json out = nlohmann::json::array();
    for (std::size_t i = 0; i < contexts.size(); ++i) {
        const otfad::Context& c = contexts[i];
        nlohmann::json doc = {
            {"context", i}, {"start", c.start}, {"end", c.end}, {"flags", c.flags}};
        if (show_keys) {
            doc["key"] = hex(c.key);
            doc["counter"] = hex(c.counter);
        }
        out.push_back(doc);
    }
    return out;
}

nlohmann::json otfad_result_json(const otfad::Result& r, otfad::KekSource source,
                                 bool show_keys) {
    nlohmann::json fuses = nlohmann::json::array();
    for (const auto& f : r.fuses) {
        nlohmann::json doc = {{"name", f.name},   {"word", f.word},
                              {"index", f.index}, {"mask", f.mask},
                              {"secret", secret(f)}, {"description", f.description}};
        if (!secret(f) || show_keys)
            doc["value"] = f.value;
        fuses.push_back(doc);
    }
    const bool by_device = !r.flashloader_option.empty();
    nlohmann::json doc = {{"kek_source", otfad::kek_source_name(source)},
                          {"encrypted_by", by_device ? "flashloader" : "rtprov"},
                          {"contexts", otfad_contexts_json(r.contexts, show_keys && !by_device)},
                          {"fuses", fuses}};
    if (by_device)
        doc["flashloader_option"] = r.flashloader_option;
    return doc;
}

void print_otfad_contexts(Output& out, const std::vector<otfad::Context>& contexts,
                          bool show_keys) {
    for (std::size_t i = 0; i < contexts.size(); ++i) {
        const otfad::Context& c = contexts[i];
        out.text("OTFAD context {}: key blob at 0x{:X}, 0x{:08X}..0x{:08X}, AES-CTR, {}", i,
                 i * otfad::kKeyBlobSize, c.start, c.end - 1, flags_text(c.flags));
        if (show_keys) {
            out.text("  key        {}", hex(c.key));
            out.text("  counter    {}", hex(c.counter));
        }
    }
}

void print_otfad_result(Output& out, const otfad::Result& r, bool show_keys) {
    for (const auto& w : r.warnings)
        out.warning(w);
    if (!r.flashloader_option.empty()) {
        std::string ranges, words;
        for (const auto& c : r.contexts)
            ranges += fmt::format("{}0x{:08X}..0x{:08X}", ranges.empty() ? "" : ", ", c.start,
                                  c.end - 1);
        for (auto w : r.flashloader_option)
            words += fmt::format(" 0x{:08X}", w);
        out.text("OTFAD (OTPMK): the flashloader makes the key blobs and encrypts {} while "
                 "writing; before the FCB and the image: fill RAM with these words, then "
                 "configure-memory 9 there:",
                 ranges);
        out.text(" {}", words);
    } else {
        out.text("OTFAD: key blobs at 0x000..0x0FF{}", show_keys ? "" : " (keys: --show-keys)");
        print_otfad_contexts(out, r.contexts, show_keys);
    }
    for (const auto& f : r.fuses) {
        const std::string value = !secret(f) || show_keys ? fmt::format("0x{:08X}", f.value)
                                                          : std::string("(secret)  ");
        out.text("fuse {:<24} word {} (0x{:02X}) mask 0x{:08X} value {}  {}", f.name, f.word,
                 f.index, f.mask, value, f.description);
    }
}

std::optional<otfad::Decrypted> decrypt_otfad_for_info(ByteView image,
                                                       const std::string& kek_file,
                                                       const std::string& name) {
    if (kek_file.empty())
        return std::nullopt;
    const Bytes k = read_file_limited(kek_file, kMaxKeyFile);
    if (k.size() != 16) {
        throw Error(ErrorCode::Usage, fmt::format("--otfad-kek {}: {} bytes; an OTFAD KEK is 16",
                                                  kek_file, k.size()));
    }
    otfad::Key kek{};
    std::copy(k.begin(), k.end(), kek.begin());
    // A scrambled KEK needs the OTFAD_KEY_SCRAMBLE fuses, which a file does not show.
    return otfad::decrypt_image(image, kek, std::nullopt, name);
}

}  // namespace rtprov::cli
