#pragma once
// The project file's `hab:` section: how `rtprov build` signs (and optionally encrypts) the image
// it builds. Paths are absolute once parsed (anchored at the project file's folder). resolve_hab()
// turns it into the signer's settings.

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "rtprov/hab/csf.hpp"
#include "rtprov/hab/sign.hpp"

namespace rtprov::project {

struct HabEncryptSpec {
    std::filesystem::path dek;         // 16, 24 or 32 raw bytes
    std::optional<std::string> nonce;  // hex; default random
};

struct HabSpec {
    std::optional<std::filesystem::path> srk_table;  // a ready SRK table, or:
    std::vector<std::filesystem::path> srk_certs;    // 1..4 SRK CA certificates
    std::uint32_t srk_index = 0;                     // 0-based
    std::filesystem::path csf_key, csf_cert, img_key, img_cert;
    bool nocak = false;  // fast authentication: csf_key/csf_cert are an SRK's; no img_*
    std::optional<std::filesystem::path> key_password_file;  // else RTPROV_KEY_PASSWORD
    std::optional<std::string> signature_time;               // "YYYY-MM-DDTHH:MM:SSZ"; default now
    std::uint8_t csf_version = hab::kCsfVersion;
    hab::Engine engine = hab::Engine::Dcp;
    std::uint8_t engine_config = 0;
    std::optional<hab::SetEngine> set_engine;
    std::vector<hab::Unlock> unlocks;  // Unlock commands, in order
    std::optional<HabEncryptSpec> encrypt;
};

// Engine names as the project file and NXP's configurations spell them ("dcp", "DCP", "any",
// "snvs", ...; case-insensitive). nullopt for an unknown name.
std::optional<hab::Engine> parse_engine(std::string_view name);
// Lower-case name of an engine ("dcp").
std::string engine_name(hab::Engine engine);
// Known engine names, for error messages ("any, scc, rtic, ...").
std::string engine_names();

// One unlock feature of `engine` ("zmk-write", "ZMK WRITE", "lp_swr", "mid", "field-return",
// ...; case, spaces, '_' and '-' are equivalent) as its bit. nullopt when unknown for the engine.
std::optional<std::uint32_t> parse_unlock_feature(hab::Engine engine, std::string_view name);
// The names of the bits set in `features` ("zmk-write"); unknown bits as "0x..".
std::vector<std::string> unlock_feature_names(hab::Engine engine, std::uint32_t features);
// Known feature names of an engine, for error messages.
std::string unlock_feature_list(hab::Engine engine);

// Hash algorithm names of Set Engine ("sha256", "sha1", "sha512", "any").
std::optional<hab::Algorithm> parse_hash_algorithm(std::string_view name);
std::string hash_algorithm_name(hab::Algorithm algorithm);

// The signer's settings: reads the password file (or takes `env_password`, the value of
// RTPROV_KEY_PASSWORD, when no file is named), the DEK and the signature time. `padding` is the
// build's padding setting. Throws Error naming the file or value at fault.
hab::SignSettings resolve_hab(const HabSpec& spec, bool padding,
                              const std::optional<std::string>& env_password);

}  // namespace rtprov::project
