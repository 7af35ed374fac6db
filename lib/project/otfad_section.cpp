// The `otfad:` section of a project file (schema: otfad_spec.hpp).

#include <fmt/format.h>

#include "rtprov/project/otfad_spec.hpp"
#include "rtprov/util/file.hpp"
#include "rtprov/util/parse.hpp"
#include "yaml_reader.hpp"

namespace rtprov::project {

namespace detail {

namespace {

OtfadRegionSpec region(const Reader& r, const YAML::Node& node, const std::string& where) {
    r.expect_keys(node, where, {"start", "length", "key_file", "counter", "read_only"});
    if (!node["start"] || !node["length"])
        r.fail(node, fmt::format("'{}' needs 'start' and 'length'", where));
    OtfadRegionSpec s;
    s.start = r.u32(node["start"], where + ".start");
    s.length = r.u32(node["length"], where + ".length");
    if (node["key_file"])
        s.key_file = r.file(node["key_file"], where + ".key_file");
    if (const YAML::Node c = node["counter"]) {
        Bytes b;
        try {
            b = parse_hex(r.string(c, where + ".counter"), where + ".counter");
        } catch (const Error& e) {
            r.fail(c, e.message());
        }
        if (b.size() != 8)
            r.fail(c, fmt::format("'{}.counter' is {} bytes; expected 8", where, b.size()));
        s.counter.emplace();
        std::copy(b.begin(), b.end(), s.counter->begin());
    }
    if (node["read_only"])
        s.read_only = r.boolean(node["read_only"], where + ".read_only");
    return s;
}

}  // namespace

OtfadSpec parse_otfad_section(const Reader& r, const YAML::Node& node) {
    r.expect_keys(node, "otfad",
                  {"kek_source", "kek_file", "scramble", "lock_kek", "regions", "kek", "key"});
    for (const char* inline_key : {"kek", "key"}) {
        if (node[inline_key]) {
            r.fail(node[inline_key],
                   fmt::format("'otfad.{}': keys are read from files only (kek_file)", inline_key));
        }
    }
    OtfadSpec spec;
    if (const YAML::Node s = node["kek_source"]) {
        const std::string v = r.string(s, "otfad.kek_source");
        if (v == "sw-gp2")
            spec.kek_source = otfad::KekSource::SwGp2;
        else if (v == "otpmk-low")
            spec.kek_source = otfad::KekSource::OtpmkLow;
        else if (v == "otpmk-high")
            spec.kek_source = otfad::KekSource::OtpmkHigh;
        else
            r.fail(s, fmt::format("'otfad.kek_source': '{}'; use sw-gp2, otpmk-low or otpmk-high",
                                  v));
    }
    if (node["kek_file"])
        spec.kek_file = r.file(node["kek_file"], "otfad.kek_file");
    if (spec.kek_source == otfad::KekSource::SwGp2 && !spec.kek_file) {
        r.fail(node, "'otfad' with kek_source sw-gp2 needs 'kek_file' (the 16-byte key burned "
                     "into SW_GP2)");
    }
    if (const YAML::Node s = node["scramble"]) {
        r.expect_keys(s, "otfad.scramble", {"mask", "align"});
        if (!s["mask"] || !s["align"])
            r.fail(s, "'otfad.scramble' needs 'mask' and 'align'");
        const std::uint32_t align = r.u32(s["align"], "otfad.scramble.align");
        if (align > 0xFF)
            r.fail(s["align"], "'otfad.scramble.align' is 8 bits (4 x 2-bit word selectors)");
        spec.scramble = otfad::Scramble{r.u32(s["mask"], "otfad.scramble.mask"),
                                        static_cast<std::uint8_t>(align)};
    }
    if (node["lock_kek"])
        spec.lock_kek = r.boolean(node["lock_kek"], "otfad.lock_kek");
    if (const YAML::Node regions = node["regions"]) {
        if (!regions.IsSequence() || regions.size() > otfad::kContexts)
            r.fail(regions, "'otfad.regions' must list at most 4 regions");
        for (std::size_t i = 0; i < regions.size(); ++i)
            spec.regions.push_back(region(r, regions[i], fmt::format("otfad.regions[{}]", i)));
    }
    return spec;
}

}  // namespace detail

namespace {

otfad::Key key_file(const std::filesystem::path& path) {
    const Bytes k = read_file_limited(path, kMaxKeyFile);
    if (k.size() != 16) {
        throw Error(ErrorCode::BadInput,
                    fmt::format("{}: {} bytes; an OTFAD key file holds 16", path.string(),
                                k.size()));
    }
    otfad::Key key{};
    std::copy(k.begin(), k.end(), key.begin());
    return key;
}

}  // namespace

otfad::Config resolve_otfad(const OtfadSpec& spec) {
    otfad::Config c;
    c.kek_source = spec.kek_source;
    if (spec.kek_file)
        c.kek = key_file(*spec.kek_file);
    c.scramble = spec.scramble;
    c.lock_kek = spec.lock_kek;
    for (const OtfadRegionSpec& s : spec.regions) {
        otfad::RegionConfig r;
        r.start = s.start;
        r.length = s.length;
        if (s.key_file)
            r.key = key_file(*s.key_file);
        r.counter = s.counter;
        r.read_only = s.read_only;
        c.regions.push_back(r);
    }
    return c;
}

}  // namespace rtprov::project
