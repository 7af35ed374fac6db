#include "rtprov/project/hab_spec.hpp"

#include <array>
#include <cctype>
#include <utility>

#include <fmt/format.h>

#include "rtprov/hab/key_io.hpp"
#include "rtprov/util/error.hpp"
#include "rtprov/util/file.hpp"
#include "rtprov/util/parse.hpp"

namespace rtprov::project {

namespace {

struct EngineName {
    hab::Engine engine;
    std::string_view name;
};

constexpr std::array<EngineName, 14> kEngines = {{
    {hab::Engine::Any, "any"},
    {hab::Engine::Scc, "scc"},
    {hab::Engine::Rtic, "rtic"},
    {hab::Engine::Sahara, "sahara"},
    {hab::Engine::Csu, "csu"},
    {hab::Engine::Srtc, "srtc"},
    {hab::Engine::Dcp, "dcp"},
    {hab::Engine::Caam, "caam"},
    {hab::Engine::Snvs, "snvs"},
    {hab::Engine::Ocotp, "ocotp"},
    {hab::Engine::Dtcp, "dtcp"},
    {hab::Engine::Hdcp, "hdcp"},
    {hab::Engine::Rom, "rom"},
    {hab::Engine::Sw, "sw"},
}};

struct FeatureName {
    hab::Engine engine;
    std::string_view name;
    std::uint32_t bit;
};

// SPSDK cmd_unlock.py / the CST manual's Unlock command.
constexpr std::array<FeatureName, 9> kFeatures = {{
    {hab::Engine::Snvs, "lp-swr", 0x1},
    {hab::Engine::Snvs, "zmk-write", 0x2},
    {hab::Engine::Caam, "mid", 0x1},
    {hab::Engine::Caam, "rng", 0x2},
    {hab::Engine::Caam, "mfg", 0x4},
    {hab::Engine::Ocotp, "field-return", 0x1},
    {hab::Engine::Ocotp, "srk-revoke", 0x2},
    {hab::Engine::Ocotp, "scs", 0x4},
    {hab::Engine::Ocotp, "jtag", 0x8},
}};

constexpr std::array<std::pair<hab::Algorithm, std::string_view>, 4> kHashes = {{
    {hab::Algorithm::Any, "any"},
    {hab::Algorithm::Sha1, "sha1"},
    {hab::Algorithm::Sha256, "sha256"},
    {hab::Algorithm::Sha512, "sha512"},
}};

// "ZMK WRITE", "zmk_write", "Zmk-Write" -> "zmk-write".
std::string normalize(std::string_view text) {
    std::string out;
    for (char c : text) {
        if (c == ' ' || c == '_')
            c = '-';
        out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    return out;
}

}  // namespace

std::optional<hab::Engine> parse_engine(std::string_view name) {
    const std::string n = normalize(name);
    for (const auto& e : kEngines) {
        if (e.name == n)
            return e.engine;
    }
    return std::nullopt;
}

std::string engine_name(hab::Engine engine) {
    for (const auto& e : kEngines) {
        if (e.engine == engine)
            return std::string(e.name);
    }
    return fmt::format("0x{:02X}", static_cast<unsigned>(engine));
}

std::string engine_names() {
    std::vector<std::string_view> names;
    for (const auto& e : kEngines)
        names.push_back(e.name);
    return fmt::format("{}", fmt::join(names, ", "));
}

std::optional<std::uint32_t> parse_unlock_feature(hab::Engine engine, std::string_view name) {
    const std::string n = normalize(name);
    for (const auto& f : kFeatures) {
        if (f.engine == engine && f.name == n)
            return f.bit;
    }
    return std::nullopt;
}

std::vector<std::string> unlock_feature_names(hab::Engine engine, std::uint32_t features) {
    std::vector<std::string> out;
    for (const auto& f : kFeatures) {
        if (f.engine == engine && (features & f.bit) != 0) {
            out.emplace_back(f.name);
            features &= ~f.bit;
        }
    }
    for (std::uint32_t bit = 1; bit != 0; bit <<= 1) {
        if ((features & bit) != 0)
            out.push_back(fmt::format("0x{:X}", bit));
    }
    return out;
}

std::string unlock_feature_list(hab::Engine engine) {
    std::vector<std::string_view> names;
    for (const auto& f : kFeatures) {
        if (f.engine == engine)
            names.push_back(f.name);
    }
    if (names.empty())
        return "none";
    return fmt::format("{}", fmt::join(names, ", "));
}

std::optional<hab::Algorithm> parse_hash_algorithm(std::string_view name) {
    const std::string n = normalize(name);
    for (const auto& [alg, text] : kHashes) {
        if (text == n)
            return alg;
    }
    return std::nullopt;
}

std::string hash_algorithm_name(hab::Algorithm algorithm) {
    for (const auto& [alg, text] : kHashes) {
        if (alg == algorithm)
            return std::string(text);
    }
    return fmt::format("0x{:02X}", static_cast<unsigned>(algorithm));
}

hab::SignSettings resolve_hab(const HabSpec& spec, bool padding,
                              const std::optional<std::string>& env_password) {
    hab::SignSettings s;
    s.srk_table = spec.srk_table;
    s.srk_certs = spec.srk_certs;
    s.srk_index = spec.srk_index;
    s.csf_key = spec.csf_key;
    s.csf_cert = spec.csf_cert;
    s.img_key = spec.img_key;
    s.img_cert = spec.img_cert;
    s.nocak = spec.nocak;
    if (spec.key_password_file)
        s.key_password = hab::read_password_file(*spec.key_password_file);
    else
        s.key_password = env_password;
    if (spec.signature_time)
        s.signature_time = hab::parse_signature_time(*spec.signature_time);
    s.csf_version = spec.csf_version;
    s.engine = spec.engine;
    s.engine_config = spec.engine_config;
    s.set_engine = spec.set_engine;
    s.unlocks = spec.unlocks;
    if (spec.encrypt) {
        hab::EncryptSettings e;
        e.dek = read_file_limited(spec.encrypt->dek, kMaxKeyFile);
        if (spec.encrypt->nonce)
            e.nonce = parse_hex(*spec.encrypt->nonce, "hab.encrypt.nonce");
        s.encrypt = std::move(e);
    }
    s.padding = padding;
    return s;
}

}  // namespace rtprov::project
