#include "csf_sections.hpp"

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <initializer_list>
#include <map>

#include <fmt/format.h>

#include "rtprov/util/error.hpp"
#include "rtprov/util/file.hpp"
#include "rtprov/util/parse.hpp"

namespace rtprov::convert::detail {

namespace {

[[noreturn]] void fail(const std::string& where, const std::string& what) {
    throw Error(ErrorCode::BadInput, fmt::format("{}: {}", where, what));
}

// SPSDK's Unlock_UID: numbers separated by commas, folded a byte apart, most significant first
// ("0x01, 0x23, 0x45, 0x67, 0x89, 0xAB, 0xCD, 0xEF", or one 64-bit number "0x0123456789ABCDEF").
std::uint64_t unlock_uid(const VendorEntry& e) {
    std::uint64_t uid = 0;
    std::string_view rest = e.value;
    if (rest.find_first_not_of(" ,") == std::string_view::npos)
        fail(e.where, fmt::format("'{}' is empty", e.key));
    while (!rest.empty()) {
        const auto comma = rest.find(',');
        std::string_view item = rest.substr(0, comma);
        rest = comma == std::string_view::npos ? "" : rest.substr(comma + 1);
        item.remove_prefix(std::min(item.find_first_not_of(' '), item.size()));
        item.remove_suffix(item.size() - std::min(item.find_last_not_of(' ') + 1, item.size()));
        const auto v = parse_uint(item);
        if (!v)
            fail(e.where, fmt::format("'{}': '{}' is not a number", e.key, item));
        if (uid > (UINT64_MAX >> 8))
            fail(e.where, fmt::format("'{}': '{}' is longer than 8 bytes", e.key, e.value));
        uid = (uid << 8) | *v;
    }
    return uid;
}

std::string lower(std::string_view s) {
    std::string out;
    for (char c : s)
        out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

// One section's entries by key, with the known keys checked.
class Section {
  public:
    Section(const VendorSection& s, std::initializer_list<std::string_view> known) : s_(s) {
        for (const auto& e : s.entries) {
            bool ok = false;
            for (auto k : known)
                ok = ok || e.key == k;
            if (!ok) {
                fail(e.where, fmt::format("unknown key '{}' in section {}; known keys: {}", e.key,
                                          s.name, fmt::join(known, ", ")));
            }
        }
    }

    const VendorEntry* find(std::string_view key) const {
        for (const auto& e : s_.entries) {
            if (e.key == key)
                return &e;
        }
        return nullptr;
    }

    const VendorEntry& need(std::string_view key) const {
        const VendorEntry* e = find(key);
        if (!e)
            fail(s_.where, fmt::format("section {}: '{}' is missing", s_.name, key));
        return *e;
    }

    std::uint64_t number(const VendorEntry& e, std::uint64_t max) const {
        const auto v = parse_uint(e.value);
        if (!v)
            fail(e.where, fmt::format("'{}': '{}' is not a number", e.key, e.value));
        if (*v > max)
            fail(e.where, fmt::format("'{}': {} is larger than {}", e.key, *v, max));
        return *v;
    }

    // Requires an exact (case-insensitive) value when the key is present.
    void expect_value(std::string_view key, std::string_view wanted, std::string_view why) const {
        if (const VendorEntry* e = find(key); e && lower(e->value) != lower(wanted))
            fail(e->where, fmt::format("'{}': '{}' is not supported; {}", e->key, e->value, why));
    }

    hab::Engine engine(const VendorEntry& e) const {
        const auto eng = project::parse_engine(e.value);
        if (!eng) {
            fail(e.where, fmt::format("'{}': unknown engine '{}'; use {}", e.key, e.value,
                                      project::engine_names()));
        }
        return *eng;
    }

    std::filesystem::path file(const VendorEntry& e, const std::filesystem::path& base) const {
        std::string text = e.value;
        // SPSDK signature provider "type=file;file_path=KEY.pem[;password=...]". The password
        // is not copied into the project: the build takes it from key_password_file or
        // $RTPROV_KEY_PASSWORD.
        if (text.find('=') != std::string::npos) {
            std::map<std::string, std::string> params;
            std::string_view rest = text;
            while (!rest.empty()) {
                const auto semi = rest.find(';');
                const std::string_view item = rest.substr(0, semi);
                rest = semi == std::string_view::npos ? "" : rest.substr(semi + 1);
                const auto eq = item.find('=');
                if (eq != std::string_view::npos)
                    params[lower(item.substr(0, eq))] = std::string(item.substr(eq + 1));
                else if (!item.empty())
                    params["?"] = std::string(item);
            }
            bool ok = params.count("type") && lower(params["type"]) == "file" &&
                      params.count("file_path");
            for (const auto& [k, v] : params)
                ok = ok && (k == "type" || k == "file_path" || k == "password");
            if (!ok) {
                fail(e.where, fmt::format("'{}': signature provider '{}' is not supported; use a "
                                          "key file (or type=file;file_path=KEY[;password=...])",
                                          e.key, e.value));
            }
            text = params["file_path"];
        }
        return vendor_path(text, base, e.where, e.key);
    }

  private:
    const VendorSection& s_;
};

}  // namespace

project::HabSpec hab_from_sections(const VendorConfig& config) {
    const std::filesystem::path base = config.source.parent_path();
    project::HabSpec h;
    std::map<std::string, const VendorSection*> seen;
    std::optional<hab::Engine> header_engine, data_engine, csf_engine, decrypt_engine;
    std::optional<std::uint8_t> header_config, data_config;
    std::uint64_t img_slot = 2;
    for (const auto& sec : config.sections) {
        if (sec.name != "Unlock" && sec.name != "SetEngine" && seen.count(sec.name)) {
            fail(sec.where, fmt::format("section {} appears twice (first at {})", sec.name,
                                        seen[sec.name]->where));
        }
        seen[sec.name] = &sec;
        if (sec.name == "Header") {
            const Section s(sec, {"Header_Version", "Header_HashAlgorithm", "Header_Engine",
                                  "Header_EngineConfiguration", "Header_CertificateFormat",
                                  "Header_SignatureFormat"});
            const VendorEntry& v = s.need("Header_Version");
            static const std::map<std::string, std::uint8_t> versions = {
                {"4.0", 0x40}, {"4.1", 0x41}, {"4.2", 0x42}, {"4.3", 0x43}};
            if (!versions.count(v.value))
                fail(v.where, fmt::format("'Header_Version': '{}' is not 4.0 .. 4.3", v.value));
            h.csf_version = versions.at(v.value);
            s.expect_value("Header_HashAlgorithm", "sha256", "rtprov signs with sha256");
            s.expect_value("Header_CertificateFormat", "x509", "rtprov uses X.509 certificates");
            s.expect_value("Header_SignatureFormat", "CMS", "rtprov writes CMS signatures");
            if (const auto* e = s.find("Header_Engine"))
                header_engine = s.engine(*e);
            if (const auto* e = s.find("Header_EngineConfiguration"))
                header_config = static_cast<std::uint8_t>(s.number(*e, 0xFF));
        } else if (sec.name == "InstallSRK") {
            const Section s(sec, {"InstallSRK_Table", "InstallSRK_SourceIndex"});
            h.srk_table = s.file(s.need("InstallSRK_Table"), base);
            if (const auto* e = s.find("InstallSRK_SourceIndex"))
                h.srk_index = static_cast<std::uint32_t>(s.number(*e, 3));
        } else if (sec.name == "InstallNOCAK") {
            // fast authentication: an SRK's certificate in the CSFK slot, no image key
            const Section s(sec, {"InstallNOCAK_File", "InstallNOCAK_CertificateFormat"});
            h.csf_cert = s.file(s.need("InstallNOCAK_File"), base);
            s.expect_value("InstallNOCAK_CertificateFormat", "x509", "rtprov uses X.509");
            h.nocak = true;
            img_slot = 0;
        } else if (sec.name == "InstallCSFK") {
            const Section s(sec, {"InstallCSFK_File", "InstallCSFK_CertificateFormat"});
            h.csf_cert = s.file(s.need("InstallCSFK_File"), base);
            s.expect_value("InstallCSFK_CertificateFormat", "x509", "rtprov uses X.509");
        } else if (sec.name == "AuthenticateCSF") {
            const Section s(
                sec, {"Signer", "AuthenticateCsf_PrivateKeyFile", "AuthenticateCsf_Engine",
                      "AuthenticateCsf_EngineConfiguration", "AuthenticateCsf_SignatureFormat"});
            const VendorEntry* key = s.find("Signer");
            h.csf_key = s.file(key ? *key : s.need("AuthenticateCsf_PrivateKeyFile"), base);
            if (const auto* e = s.find("AuthenticateCsf_Engine"))
                csf_engine = s.engine(*e);
            s.expect_value("AuthenticateCsf_SignatureFormat", "CMS", "rtprov writes CMS");
        } else if (sec.name == "InstallKey") {
            const Section s(
                sec, {"InstallKey_File", "InstallKey_VerificationIndex", "InstallKey_TargetIndex",
                      "InstallKey_CertificateFormat", "InstallKey_HashAlgorithm"});
            h.img_cert = s.file(s.need("InstallKey_File"), base);
            if (const auto* e = s.find("InstallKey_VerificationIndex"); e && s.number(*e, 4) != 0)
                fail(e->where,
                     "'InstallKey_VerificationIndex': rtprov verifies the image key "
                     "with the SRK (index 0)");
            if (const auto* e = s.find("InstallKey_TargetIndex")) {
                img_slot = s.number(*e, 4);
                if (img_slot != 2)
                    fail(e->where,
                         "'InstallKey_TargetIndex': rtprov installs the image key in "
                         "slot 2");
            }
            s.expect_value("InstallKey_CertificateFormat", "x509", "rtprov uses X.509");
        } else if (sec.name == "AuthenticateData") {
            const Section s(
                sec, {"AuthenticateData_VerificationIndex", "AuthenticateData_Engine",
                      "AuthenticateData_EngineConfiguration", "Signer",
                      "AuthenticateData_PrivateKeyFile", "AuthenticateData_SignatureFormat"});
            const VendorEntry* key = s.find("Signer");
            h.img_key = s.file(key ? *key : s.need("AuthenticateData_PrivateKeyFile"), base);
            if (const auto* e = s.find("AuthenticateData_VerificationIndex");
                e && s.number(*e, 4) != img_slot) {
                fail(e->where, fmt::format("'AuthenticateData_VerificationIndex': must be the "
                                           "image key's slot ({})",
                                           img_slot));
            }
            if (const auto* e = s.find("AuthenticateData_Engine"))
                data_engine = s.engine(*e);
            if (const auto* e = s.find("AuthenticateData_EngineConfiguration"))
                data_config = static_cast<std::uint8_t>(s.number(*e, 0xFF));
            s.expect_value("AuthenticateData_SignatureFormat", "CMS", "rtprov writes CMS");
        } else if (sec.name == "SetEngine") {
            const Section s(sec, {"SetEngine_HashAlgorithm", "SetEngine_Engine",
                                  "SetEngine_EngineConfiguration"});
            hab::SetEngine se;
            se.hash_algorithm = hab::Algorithm::Sha256;
            if (const auto* e = s.find("SetEngine_HashAlgorithm")) {
                const auto alg = project::parse_hash_algorithm(e->value);
                if (!alg)
                    fail(e->where, fmt::format("'{}': unknown hash '{}'", e->key, e->value));
                se.hash_algorithm = *alg;
            }
            se.engine = s.engine(s.need("SetEngine_Engine"));
            if (const auto* e = s.find("SetEngine_EngineConfiguration"))
                se.engine_config = static_cast<std::uint8_t>(s.number(*e, 0xFF));
            if (h.set_engine)
                fail(sec.where, "rtprov supports one SetEngine section");
            h.set_engine = se;
        } else if (sec.name == "SecretKey") {
            // SPSDK draws a fresh DEK unless told to reuse the file: only that is reproducible.
            const Section s(sec, {"SecretKey_Name", "SecretKey_Length", "SecretKey_VerifyIndex",
                                  "SecretKey_TargetIndex", "SecretKey_ReuseDek"});
            const VendorEntry& reuse = s.need("SecretKey_ReuseDek");
            if (lower(reuse.value) != "true" && reuse.value != "1")
                fail(reuse.where,
                     "'SecretKey_ReuseDek': rtprov encrypts with the given DEK file; "
                     "set it to true");
            if (const auto* e = s.find("SecretKey_VerifyIndex"); e && s.number(*e, 3) != 0)
                fail(e->where, "'SecretKey_VerifyIndex': rtprov uses 0");
            if (const auto* e = s.find("SecretKey_TargetIndex"); e && s.number(*e, 3) != 0)
                fail(e->where, "'SecretKey_TargetIndex': rtprov uses 0");
            if (!h.encrypt)
                h.encrypt.emplace();
            h.encrypt->dek = s.file(s.need("SecretKey_Name"), base);
            if (const auto* e = s.find("SecretKey_Length")) {
                const auto bits = s.number(*e, 256);
                if (bits != 128 && bits != 192 && bits != 256)
                    fail(e->where, "'SecretKey_Length': use 128, 192 or 256");
            }
        } else if (sec.name == "Decrypt") {
            const Section s(sec,
                            {"Decrypt_VerifyIndex", "Decrypt_Engine", "Decrypt_EngineConfiguration",
                             "Decrypt_MacBytes", "Decrypt_Nonce"});
            if (const auto* e = s.find("Decrypt_VerifyIndex"); e && s.number(*e, 4) != 0)
                fail(e->where, "'Decrypt_VerifyIndex': rtprov uses 0 (the DEK slot)");
            if (const auto* e = s.find("Decrypt_MacBytes"); e && s.number(*e, 16) != 16)
                fail(e->where, "'Decrypt_MacBytes': rtprov writes 16-byte MACs");
            if (const auto* e = s.find("Decrypt_Engine"))
                decrypt_engine = s.engine(*e);
            if (const auto* e = s.find("Decrypt_EngineConfiguration"); e && s.number(*e, 0xFF))
                fail(e->where, "'Decrypt_EngineConfiguration': rtprov uses 0");
            if (!h.encrypt)
                h.encrypt.emplace();
            // the nonce file's bytes (default: random, as SPSDK derives its own)
            if (const auto* e = s.find("Decrypt_Nonce")) {
                const Bytes nonce = read_file(s.file(*e, base));
                std::string hex;
                for (auto b : nonce)
                    hex += fmt::format("{:02x}", b);
                h.encrypt->nonce = hex;
            }
        } else if (sec.name == "Unlock") {
            const Section s(sec, {"Unlock_Engine", "Unlock_Features", "Unlock_UID"});
            hab::Unlock u;
            u.engine = s.engine(s.need("Unlock_Engine"));
            if (const auto* e = s.find("Unlock_Features")) {
                std::string_view rest = e->value;
                while (!rest.empty()) {
                    const auto comma = rest.find(',');
                    std::string name(rest.substr(0, comma));
                    rest = comma == std::string_view::npos ? "" : rest.substr(comma + 1);
                    name.erase(0, name.find_first_not_of(' '));
                    name.erase(name.find_last_not_of(' ') + 1);
                    const auto bit = project::parse_unlock_feature(u.engine, name);
                    if (!bit) {
                        fail(e->where, fmt::format("'Unlock_Features': unknown feature '{}' of "
                                                   "engine {}; use {}",
                                                   name, project::engine_name(u.engine),
                                                   project::unlock_feature_list(u.engine)));
                    }
                    u.features |= *bit;
                }
            }
            if (const auto* e = s.find("Unlock_UID"))
                hab::set_unlock_uid(u, unlock_uid(*e));  // ignored unless needed, as in SPSDK
            h.unlocks.push_back(u);
        } else {
            fail(sec.where, fmt::format("section {} is not supported by rtprov convert; supported: "
                                        "Header, InstallSRK, InstallCSFK, AuthenticateCSF, "
                                        "InstallNOCAK, InstallKey, AuthenticateData, "
                                        "SetEngine, Unlock, SecretKey, Decrypt",
                                        sec.name));
        }
    }
    if (h.nocak && (seen.count("InstallCSFK") || seen.count("InstallKey"))) {
        throw Error(ErrorCode::BadInput,
                    fmt::format("{}: InstallNOCAK cannot be combined with InstallCSFK or "
                                "InstallKey",
                                config.source.string()));
    }
    for (const char* required : {"Header", "InstallSRK", "InstallCSFK", "AuthenticateCSF",
                                 "InstallKey", "AuthenticateData"}) {
        if (h.nocak && (std::string_view(required) == "InstallCSFK" ||
                        std::string_view(required) == "InstallKey"))
            continue;
        if (!seen.count(required)) {
            throw Error(ErrorCode::BadInput,
                        fmt::format("{}: a signed image (flags 0x08) needs section {}",
                                    config.source.string(), required));
        }
    }
    // rtprov's CSF uses one engine for Authenticate CSF and Authenticate Data.
    h.engine = data_engine.value_or(csf_engine.value_or(header_engine.value_or(hab::Engine::Dcp)));
    for (const auto& other : {header_engine, csf_engine}) {
        if (other && *other != h.engine && data_engine) {
            throw Error(ErrorCode::BadInput,
                        fmt::format("{}: different engines for Authenticate CSF ({}) and "
                                    "Authenticate Data ({}) are not supported",
                                    config.source.string(), project::engine_name(*other),
                                    project::engine_name(h.engine)));
        }
    }
    h.engine_config = data_config.value_or(header_config.value_or(0));
    if (h.nocak) {
        if (h.img_key != h.csf_key) {
            throw Error(ErrorCode::BadInput,
                        fmt::format("{}: with InstallNOCAK the AuthenticateData signer must be "
                                    "the AuthenticateCSF signer (the SRK key)",
                                    config.source.string()));
        }
        h.img_key.clear();
    }
    if (h.encrypt && h.encrypt->dek.empty()) {
        throw Error(ErrorCode::BadInput,
                    fmt::format("{}: section Decrypt needs section SecretKey (the DEK file)",
                                config.source.string()));
    }
    if (decrypt_engine && *decrypt_engine != h.engine) {
        throw Error(ErrorCode::BadInput,
                    fmt::format("{}: Decrypt_Engine {} differs from the engine of Authenticate "
                                "Data ({}); rtprov uses one",
                                config.source.string(), project::engine_name(*decrypt_engine),
                                project::engine_name(h.engine)));
    }
    return h;
}

}  // namespace rtprov::convert::detail
