// The `hab:` section of a project file (schema in README.md, "Project files").

#include <fmt/format.h>

#include "rtprov/hab/sign.hpp"
#include "rtprov/p11/token.hpp"
#include "yaml_reader.hpp"

namespace rtprov::project::detail {

namespace {

// A key or certificate: a file relative to the project, or a PKCS#11 URI kept as written. A URI
// with its PIN in it (pin-value) is refused: project files go into git and into packages.
std::filesystem::path key_or_file(const Reader& r, const YAML::Node& node, const std::string& key) {
    const std::string text = r.string(node, key);
    if (!p11::is_uri(text))
        return r.file(node, key);
    if (p11::uri_has_pin_value(text)) {
        r.fail(node, fmt::format("'{}': a PIN does not belong in a project file (it goes into git "
                                 "and packages): use pin-source=FILE in the URI or set {}",
                                 key, p11::kPinEnv));
    }
    return text;
}

std::uint8_t u8(const Reader& r, const YAML::Node& node, std::string_view key) {
    const std::uint64_t v = r.number(node, key);
    if (v > 0xFF)
        r.fail(node, fmt::format("'{}': {} does not fit in 8 bits", key, v));
    return static_cast<std::uint8_t>(v);
}

hab::Engine engine(const Reader& r, const YAML::Node& node, std::string_view key) {
    const auto e = parse_engine(r.string(node, key));
    if (!e) {
        r.fail(node, fmt::format("'{}': unknown engine '{}'; use {}", key, node.Scalar(),
                                 engine_names()));
    }
    return *e;
}

hab::SetEngine set_engine(const Reader& r, const YAML::Node& node) {
    r.expect_keys(node, "hab.set_engine", {"hash", "engine", "engine_config"});
    hab::SetEngine s;
    s.hash_algorithm = hab::Algorithm::Sha256;
    if (node["hash"]) {
        const auto alg = parse_hash_algorithm(r.string(node["hash"], "hab.set_engine.hash"));
        if (!alg) {
            r.fail(node["hash"], fmt::format("'hab.set_engine.hash': unknown hash '{}'; use any, "
                                             "sha1, sha256 or sha512",
                                             node["hash"].Scalar()));
        }
        s.hash_algorithm = *alg;
    }
    if (!node["engine"])
        r.fail(node, "'hab.set_engine.engine' is missing");
    s.engine = engine(r, node["engine"], "hab.set_engine.engine");
    if (node["engine_config"])
        s.engine_config = u8(r, node["engine_config"], "hab.set_engine.engine_config");
    return s;
}

hab::Unlock unlock(const Reader& r, const YAML::Node& node) {
    r.expect_keys(node, "hab.unlock", {"engine", "features", "uid"});
    hab::Unlock u;
    if (!node["engine"])
        r.fail(node, "'hab.unlock.engine' is missing");
    u.engine = engine(r, node["engine"], "hab.unlock.engine");
    if (const YAML::Node features = node["features"]) {
        if (!features.IsSequence())
            r.fail(features, "'hab.unlock.features' must be a list, e.g. [zmk-write]");
        for (const auto& f : features) {
            const auto bit = parse_unlock_feature(u.engine, r.string(f, "hab.unlock.features"));
            if (!bit) {
                r.fail(f, fmt::format("'hab.unlock.features': unknown feature '{}' of engine {}; "
                                      "use {}",
                                      f.Scalar(), engine_name(u.engine),
                                      unlock_feature_list(u.engine)));
            }
            u.features |= *bit;
        }
    }
    if (const YAML::Node uid = node["uid"]) {
        if (!hab::set_unlock_uid(u, r.number(uid, "hab.unlock.uid"))) {
            r.fail(uid,
                   "'hab.unlock.uid': only an ocotp unlock of field-return, scs or jtag "
                   "carries the part's UID");
        }
    }
    return u;
}

}  // namespace

HabSpec parse_hab_section(const Reader& r, const YAML::Node& node) {
    r.expect_keys(node, "hab",
                  {"srk_table", "srk_certs", "srk_index", "csf_key", "csf_cert", "img_key",
                   "img_cert", "key_password_file", "signature_time", "csf_version", "engine",
                   "engine_config", "set_engine", "unlock", "encrypt", "nocak"});
    HabSpec h;
    if (node["srk_table"])
        h.srk_table = r.file(node["srk_table"], "hab.srk_table");
    if (const YAML::Node certs = node["srk_certs"]) {
        if (!certs.IsSequence() || certs.size() < 1 || certs.size() > 4)
            r.fail(certs, "'hab.srk_certs' must be a list of 1 to 4 certificate files");
        for (const auto& c : certs)
            h.srk_certs.push_back(r.file(c, "hab.srk_certs"));
    }
    if (h.srk_table && !h.srk_certs.empty())
        r.fail(node, "hab: give either 'srk_table' or 'srk_certs', not both");
    if (!h.srk_table && h.srk_certs.empty())
        r.fail(node, "hab: 'srk_table' or 'srk_certs' is missing");
    if (node["srk_index"]) {
        h.srk_index = r.u32(node["srk_index"], "hab.srk_index");
        if (h.srk_index > 3)
            r.fail(node["srk_index"], "'hab.srk_index' must be 0, 1, 2 or 3");
    }
    if (const YAML::Node n = node["nocak"]) {
        if (!n.IsScalar() || (n.Scalar() != "true" && n.Scalar() != "false"))
            r.fail(n, "'hab.nocak' must be true or false");
        h.nocak = n.Scalar() == "true";
    }
    for (auto [key, field] :
         {std::pair{"csf_key", &h.csf_key}, std::pair{"csf_cert", &h.csf_cert},
          std::pair{"img_key", &h.img_key}, std::pair{"img_cert", &h.img_cert}}) {
        if (h.nocak && (field == &h.img_key || field == &h.img_cert)) {
            if (node[key])
                r.fail(node[key], fmt::format("'hab.{}': not used with 'nocak: true'", key));
            continue;
        }
        if (!node[key])
            r.fail(node, fmt::format("'hab.{}' is missing", key));
        *field = key_or_file(r, node[key], fmt::format("hab.{}", key));
    }
    if (node["key_password_file"])
        h.key_password_file = r.file(node["key_password_file"], "hab.key_password_file");
    if (const YAML::Node t = node["signature_time"]) {
        h.signature_time = r.string(t, "hab.signature_time");
        try {
            hab::parse_signature_time(*h.signature_time);
        } catch (const Error& e) {
            r.fail(t, e.message());
        }
    }
    if (node["csf_version"]) {
        const std::uint64_t v = r.number(node["csf_version"], "hab.csf_version");
        if (!hab::is_hab4_csf_version(v)) {
            r.fail(node["csf_version"],
                   fmt::format("'hab.csf_version': 0x{:X} is not a HAB4 CSF header version "
                               "(0x40 .. 0x4F)",
                               v));
        }
        h.csf_version = static_cast<std::uint8_t>(v);
    }
    if (node["engine"])
        h.engine = engine(r, node["engine"], "hab.engine");
    if (node["engine_config"])
        h.engine_config = u8(r, node["engine_config"], "hab.engine_config");
    if (node["set_engine"])
        h.set_engine = set_engine(r, node["set_engine"]);
    if (const YAML::Node u = node["unlock"]) {
        if (u.IsSequence()) {
            for (const auto& item : u)
                h.unlocks.push_back(unlock(r, item));
        } else {
            h.unlocks.push_back(unlock(r, u));
        }
    }
    if (const YAML::Node enc = node["encrypt"]) {
        r.expect_keys(enc, "hab.encrypt", {"dek", "nonce"});
        if (!enc["dek"])
            r.fail(enc, "'hab.encrypt.dek' is missing");
        HabEncryptSpec e;
        e.dek = r.file(enc["dek"], "hab.encrypt.dek");
        if (enc["nonce"])
            e.nonce = r.string(enc["nonce"], "hab.encrypt.nonce");
        h.encrypt = e;
    }
    return h;
}

}  // namespace rtprov::project::detail
