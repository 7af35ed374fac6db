#include "rtprov/p11/token.hpp"
#include "rtprov/project/project_writer.hpp"

#include <sstream>

#include <fmt/format.h>

namespace rtprov::project {

namespace {

// Paths sharing the project's top-level folder (/work/..., /home/...) are written relative to the
// project so the tree can move; anything else stays absolute.
std::string path_text(const std::filesystem::path& file, const std::filesystem::path& base) {
    if (p11::is_uri(file.native()))
        return file.native();  // a key or certificate on a token: the URI as it is
    const auto abs_file = std::filesystem::absolute(file).lexically_normal();
    const auto abs_base = std::filesystem::absolute(base).lexically_normal();
    auto fi = abs_file.begin(), bi = abs_base.begin();
    if (fi != abs_file.end())
        ++fi;  // root
    if (bi != abs_base.end())
        ++bi;
    if (fi == abs_file.end() || bi == abs_base.end() || *fi != *bi)
        return abs_file.generic_string();
    return abs_file.lexically_relative(abs_base).generic_string();
}

// A YAML plain scalar when safe, else single-quoted.
std::string scalar(const std::string& text) {
    bool plain = !text.empty();
    for (char c : text) {
        const bool ok = std::isalnum(static_cast<unsigned char>(c)) ||
                        std::string_view("-_./+").find(c) != std::string_view::npos;
        plain = plain && ok;
    }
    if (plain && text.front() != '-')
        return text;
    std::string q = "'";
    for (char c : text) {
        q += c;
        if (c == '\'')
            q += '\'';
    }
    return q + "'";
}

void write_hab(std::ostringstream& o, const HabSpec& h, const std::filesystem::path& base) {
    o << "\n# Sign after building (HAB4): the CSF goes on the next 4 KiB boundary after the app.\n";
    o << "hab:\n";
    if (h.srk_table) {
        o << "  srk_table: " << scalar(path_text(*h.srk_table, base))
          << "  # a ready SRK table (or srk_certs: [up to 4 CA certificates])\n";
    } else {
        o << "  srk_certs:\n";
        for (const auto& c : h.srk_certs)
            o << "    - " << scalar(path_text(c, base)) << "\n";
    }
    o << "  srk_index: " << h.srk_index << "  # 0-based key of the SRK table\n";
    o << "  csf_key: " << scalar(path_text(h.csf_key, base)) << "\n";
    o << "  csf_cert: " << scalar(path_text(h.csf_cert, base)) << "\n";
    if (h.nocak) {
        o << "  nocak: true  # fast authentication: the SRK's key signs the CSF and the image\n";
    } else {
        o << "  img_key: " << scalar(path_text(h.img_key, base)) << "\n";
        o << "  img_cert: " << scalar(path_text(h.img_cert, base)) << "\n";
    }
    if (h.key_password_file) {
        o << "  key_password_file: " << scalar(path_text(*h.key_password_file, base)) << "\n";
    } else {
        o << "  # key_password_file: key_pass.txt  # encrypted keys; else $RTPROV_KEY_PASSWORD\n";
    }
    if (h.signature_time)
        o << "  signature_time: " << scalar(*h.signature_time) << "  # CMS signing time, UTC\n";
    o << fmt::format("  csf_version: 0x{:02X}\n", h.csf_version);
    o << "  engine: " << engine_name(h.engine) << "\n";
    o << "  engine_config: " << static_cast<unsigned>(h.engine_config) << "\n";
    if (h.set_engine) {
        o << "  set_engine:\n";
        o << "    hash: " << hash_algorithm_name(h.set_engine->hash_algorithm) << "\n";
        o << "    engine: " << engine_name(h.set_engine->engine) << "\n";
        o << "    engine_config: " << static_cast<unsigned>(h.set_engine->engine_config) << "\n";
    }
    // One Unlock as a mapping, several as a list of them (in CSF order).
    if (!h.unlocks.empty())
        o << "  unlock:\n";
    for (const auto& u : h.unlocks) {
        const bool list = h.unlocks.size() > 1;
        o << (list ? "    - engine: " : "    engine: ") << engine_name(u.engine) << "\n";
        o << (list ? "      features: [" : "    features: [")
          << fmt::format("{}", fmt::join(unlock_feature_names(u.engine, u.features), ", "))
          << "]\n";
        if (u.uid.size() == 8)
            o << (list ? "      uid: " : "    uid: ")
              << fmt::format("0x{:016X}", load_be64(u.uid.data())) << "\n";
    }
    if (h.encrypt) {
        o << "  encrypt:\n";
        o << "    dek: " << scalar(path_text(h.encrypt->dek, base)) << "\n";
        if (h.encrypt->nonce)
            o << "    nonce: " << scalar(*h.encrypt->nonce) << "\n";
    }
}

}  // namespace

std::string format_project(const BuildSpec& spec, const std::filesystem::path& project_path,
                           std::string_view header) {
    const std::filesystem::path base = std::filesystem::absolute(project_path).parent_path();
    std::ostringstream o;
    std::istringstream lines{std::string(header)};
    for (std::string line; std::getline(lines, line);)
        o << (line.empty() ? "#" : "# " + line) << "\n";
    o << "version: 1\n\n";
    o << "device: " << scalar(spec.device) << "\n";
    o << "boot_device: " << scalar(spec.boot_device) << "\n\n";
    o << "app:\n";
    o << "  file: " << scalar(path_text(spec.app, base)) << "\n";
    o << "  format: " << scalar(spec.app_format) << "\n";
    if (spec.app_address)
        o << fmt::format("  address: 0x{:08X}\n", *spec.app_address);
    if (spec.entry)
        o << fmt::format("  entry: 0x{:08X}\n", *spec.entry);
    if (spec.fcb) {
        o << "\nfcb:\n";
        if (spec.fcb->preset)
            o << "  preset: " << scalar(*spec.fcb->preset) << "\n";
        if (spec.fcb->file)
            o << "  file: " << scalar(path_text(*spec.fcb->file, base)) << "\n";
        if (!spec.fcb->fields.empty()) {
            o << "  fields:\n";
            for (const auto& [name, value] : spec.fcb->fields)
                o << fmt::format("    {}: 0x{:X}\n", name, value);
        }
    }
    if (spec.flash_option)
        o << fmt::format("flash_option: 0x{:08X}\n", *spec.flash_option);
    if (spec.dcd)
        o << "dcd: " << scalar(path_text(*spec.dcd, base)) << "\n";
    o << "padding: " << (spec.padding ? "true" : "false") << "\n";
    if (spec.layout) {
        o << "# A free layout, not the boot device's: IVT offset and the app's offset from the "
             "image start.\n";
        o << fmt::format("layout: {{ivt_offset: 0x{:X}, initial_load_size: 0x{:X}}}\n",
                         spec.layout->ivt_offset, spec.layout->initial_load_size);
    }
    if (spec.output)
        o << "output: " << scalar(path_text(*spec.output, base)) << "\n";
    if (spec.hab)
        write_hab(o, *spec.hab, base);
    return o.str();
}

}  // namespace rtprov::project
