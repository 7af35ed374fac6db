// The `bee:` section of a project file and BEE configuration files (schema: bee_spec.hpp).

#include <fmt/format.h>

#include "rtprov/project/bee_spec.hpp"
#include "rtprov/project/yaml_document.hpp"
#include "rtprov/util/file.hpp"
#include "yaml_reader.hpp"

namespace rtprov::project {

namespace detail {

namespace {

bee::Key hex16(const Reader& r, const YAML::Node& node, const std::string& key,
               bool nonce = false) {
    const std::string text = r.string(node, key);
    Bytes b;
    try {
        b = parse_hex(text, key);
    } catch (const Error& e) {
        r.fail(node, e.message());
    }
    if (nonce && b.size() == 12)
        b.resize(16, 0);
    if (b.size() != 16) {
        r.fail(node, fmt::format("'{}' is {} bytes; expected 16{}", key, b.size(),
                                 nonce ? " (or 12: the counter bytes follow as zeros)" : ""));
    }
    bee::Key k{};
    std::copy(b.begin(), b.end(), k.begin());
    return k;
}

bee::Fac fac(const Reader& r, const YAML::Node& node, const std::string& where) {
    r.expect_keys(node, where, {"start", "length", "level"});
    if (!node["start"] || !node["length"])
        r.fail(node, fmt::format("'{}' needs 'start' and 'length'", where));
    bee::Fac f;
    f.start = r.u32(node["start"], where + ".start");
    f.length = r.u32(node["length"], where + ".length");
    if (node["level"])
        f.protection = r.u32(node["level"], where + ".level");
    return f;
}

BeeRegionSpec region(const Reader& r, const YAML::Node& node, const std::string& where) {
    r.expect_keys(node, where,
                  {"key", "key_file", "kib_key", "kib_key_file", "kib_iv", "nonce", "lock",
                   "protect"});
    BeeRegionSpec s;
    if (node["key"])
        s.key = hex16(r, node["key"], where + ".key");
    if (node["key_file"])
        s.key_file = r.file(node["key_file"], where + ".key_file");
    if (s.key && s.key_file)
        r.fail(node, fmt::format("{}: give either 'key' or 'key_file', not both", where));
    if (node["kib_key"])
        s.kib_key = hex16(r, node["kib_key"], where + ".kib_key");
    if (node["kib_key_file"])
        s.kib_key_file = r.file(node["kib_key_file"], where + ".kib_key_file");
    if (s.kib_key && s.kib_key_file)
        r.fail(node, fmt::format("{}: give either 'kib_key' or 'kib_key_file', not both", where));
    if (node["kib_iv"])
        s.kib_iv = hex16(r, node["kib_iv"], where + ".kib_iv");
    if (node["nonce"])
        s.nonce = hex16(r, node["nonce"], where + ".nonce", true);
    if (node["lock"])
        s.lock = r.u32(node["lock"], where + ".lock");
    const YAML::Node protect = node["protect"];
    if (!protect || !protect.IsSequence() || protect.size() == 0) {
        r.fail(protect ? protect : node,
               fmt::format("'{}.protect' must list the encrypted ranges, e.g. "
                           "[{{start: 0x60001000, length: 0x2000}}]",
                           where));
    }
    for (std::size_t i = 0; i < protect.size(); ++i)
        s.protect.push_back(fac(r, protect[i], fmt::format("{}.protect[{}]", where, i)));
    return s;
}

}  // namespace

BeeSpec parse_bee_section(const Reader& r, const YAML::Node& node, const std::string& where) {
    r.expect_keys(node, where, {"mode", "regions"});
    BeeSpec spec;
    if (node["mode"]) {
        const std::string mode = r.string(node["mode"], where + ".mode");
        if (mode == "user-key") {
            spec.mode = bee::KeySource::UserKey;
        } else if (mode == "otpmk") {
            spec.mode = bee::KeySource::Otpmk;
        } else {
            r.fail(node["mode"],
                   fmt::format("'{}.mode': '{}'; use user-key or otpmk", where, mode));
        }
    }
    const YAML::Node regions = node["regions"];
    if (!regions || !regions.IsSequence() || regions.size() < 1 || regions.size() > 2) {
        r.fail(regions ? regions : node,
               fmt::format("'{}.regions' must list 1 or 2 regions", where));
    }
    for (std::size_t i = 0; i < regions.size(); ++i) {
        const std::string w = fmt::format("{}.regions[{}]", where, i);
        BeeRegionSpec s = region(r, regions[i], w);
        if (spec.mode == bee::KeySource::UserKey && !s.key && !s.key_file) {
            r.fail(
                regions[i],
                fmt::format("'{}' needs 'key' or 'key_file' (the user key burned into SW_GP2)", w));
        }
        spec.regions.push_back(std::move(s));
    }
    return spec;
}

}  // namespace detail

namespace {

bee::Key key_file(const std::filesystem::path& path) {
    const Bytes k = read_file_limited(path, kMaxKeyFile);
    if (k.size() != 16) {
        throw Error(ErrorCode::BadInput,
                    fmt::format("{}: {} bytes; a BEE key file holds 16", path.string(), k.size()));
    }
    bee::Key key{};
    std::copy(k.begin(), k.end(), key.begin());
    return key;
}

}  // namespace

bee::Config resolve_bee(const BeeSpec& spec) {
    bee::Config c;
    c.source = spec.mode;
    for (const BeeRegionSpec& s : spec.regions) {
        bee::RegionConfig r;
        r.key = s.key;
        if (s.key_file)
            r.key = key_file(*s.key_file);
        r.kib_key = s.kib_key;
        if (s.kib_key_file)
            r.kib_key = key_file(*s.kib_key_file);
        r.kib_iv = s.kib_iv;
        r.nonce = s.nonce;
        r.lock = s.lock;
        r.facs = s.protect;
        c.regions.push_back(std::move(r));
    }
    return c;
}

BeeSpec load_bee_file(const std::filesystem::path& path) {
    return read_yaml_mapping(read_text_file(path), path, [&](const YAML::Node& root) {
        return detail::parse_bee_section(detail::Reader(path), root, "bee");
    });
}

}  // namespace rtprov::project
