// Reading manifest.json: types, schema versions (and the migration of 1.0), required features
// and unknown fields; the cross-references are checked by manifest_references.cpp.

#include "rtprov/pkg/manifest.hpp"

#include <algorithm>
#include <charconv>
#include <set>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <nlohmann/json.hpp>

#include "manifest_references.hpp"
#include "rtprov/util/error.hpp"
#include "rtprov/util/text.hpp"

namespace rtprov::pkg {

namespace {

using Json = nlohmann::ordered_json;

[[noreturn]] void fail(const std::string& where, const std::string& what) {
    throw Error(ErrorCode::BadInput, fmt::format("manifest.json: {}: {}", where, what));
}

// Reads manifest fields with errors naming the field path ("files[2].size") and the wrong type.
class Reader {
  public:
    Reader(const Json& object, std::string path) : object_(object), path_(std::move(path)) {
        if (!object_.is_object())
            fail(path_.empty() ? "top level" : path_,
                 fmt::format("expected an object, got {}", object_.type_name()));
    }

    const Json& get(std::string_view key) {
        seen_.insert(std::string(key));
        const auto it = object_.find(key);
        if (it == object_.end())
            fail(field(key), "missing");
        return *it;
    }
    bool has(std::string_view key) const { return object_.contains(key); }

    std::string string(std::string_view key) {
        const Json& v = get(key);
        if (!v.is_string())
            fail(field(key), fmt::format("expected a string, got {}", v.type_name()));
        return v.get<std::string>();
    }
    std::uint64_t unsigned_number(std::string_view key) {
        const Json& v = get(key);
        if (!v.is_number_unsigned())
            fail(field(key), fmt::format("expected an unsigned integer, got {}", type_of(v)));
        return v.get<std::uint64_t>();
    }
    bool boolean(std::string_view key) {
        const Json& v = get(key);
        if (!v.is_boolean())
            fail(field(key), fmt::format("expected a boolean, got {}", v.type_name()));
        return v.get<bool>();
    }
    // A 32-bit address or word written "0x" + 1..8 hex digits.
    std::uint32_t hex32(std::string_view key) {
        const std::string text = string(key);
        std::uint32_t value = 0;
        const char* end = text.data() + text.size();
        if (text.size() < 3 || text.size() > 10 || !text.starts_with("0x") ||
            std::from_chars(text.data() + 2, end, value, 16).ptr != end) {
            fail(field(key), fmt::format("'{}' is not a 32-bit value written 0x...", text));
        }
        return value;
    }
    std::uint32_t u32(std::string_view key) {
        const std::uint64_t v = unsigned_number(key);
        if (v > 0xFFFFFFFFu)
            fail(field(key), fmt::format("{} does not fit 32 bits", v));
        return static_cast<std::uint32_t>(v);
    }
    std::vector<std::string> strings(std::string_view key) {
        std::vector<std::string> out;
        const Json& a = array(key);
        for (std::size_t i = 0; i < a.size(); ++i) {
            if (!a[i].is_string())
                fail(fmt::format("{}[{}]", field(key), i),
                     fmt::format("expected a string, got {}", a[i].type_name()));
            out.push_back(a[i].get<std::string>());
        }
        return out;
    }
    const Json& array(std::string_view key) {
        const Json& v = get(key);
        if (!v.is_array())
            fail(field(key), fmt::format("expected an array, got {}", v.type_name()));
        return v;
    }
    std::string field(std::string_view key) const {
        return path_.empty() ? std::string(key) : fmt::format("{}.{}", path_, key);
    }
    // Keys present but never asked for.
    std::vector<std::string> unknown_keys() const {
        std::vector<std::string> out;
        for (const auto& [k, v] : object_.items())
            if (!seen_.count(k))
                out.push_back(field(k));
        return out;
    }

  private:
    static std::string type_of(const Json& v) {
        return v.is_number_integer() ? "a negative integer" : std::string(v.type_name());
    }
    const Json& object_;
    std::string path_;
    std::set<std::string> seen_;
};

SchemaVersion parse_schema(const std::string& text) {
    SchemaVersion v;
    const auto dot = text.find('.');
    const auto number = [&](std::string_view part, unsigned& out) {
        const auto r = std::from_chars(part.data(), part.data() + part.size(), out);
        return !part.empty() && r.ec == std::errc() && r.ptr == part.data() + part.size();
    };
    if (dot == std::string::npos || !number(std::string_view(text).substr(0, dot), v.major) ||
        !number(std::string_view(text).substr(dot + 1), v.minor)) {
        fail("schema_version", fmt::format("'{}' is not MAJOR.MINOR", text));
    }
    return v;
}

std::uint32_t parse_word_value(const std::string& where, const std::string& text) {
    std::uint32_t value = 0;
    const char* end = text.data() + text.size();
    if (text.size() != 10 || !text.starts_with("0x") ||
        std::from_chars(text.data() + 2, end, value, 16).ptr != end) {
        fail(where, fmt::format("'{}' is not a 32-bit word written 0xXXXXXXXX", text));
    }
    return value;
}

bool is_sha256_hex(const std::string& s) {
    return s.size() == 64 && s.find_first_not_of("0123456789abcdef") == std::string::npos;
}

// Schema 1.0 kept the image facts in its files[] entry.
struct ImageFacts10 {
    std::string path;
    std::string boot_device;
    bool is_signed = false;
};

FileEntry parse_file(const Json& j, std::size_t i, std::vector<std::string>& unknown,
                     std::vector<ImageFacts10>* images_10) {
    Reader r(j, fmt::format("files[{}]", i));
    FileEntry f;
    f.path = r.string("path");
    f.sha256 = r.string("sha256");
    if (!is_sha256_hex(f.sha256))
        fail(r.field("sha256"), "expected 64 lower-case hex digits");
    f.size = r.unsigned_number("size");
    const std::string role = r.string("role");
    const auto parsed = parse_file_role(role);
    if (!parsed)
        fail(r.field("role"), fmt::format("unknown role '{}'", role));
    f.role = *parsed;
    if (images_10 != nullptr && f.role == FileRole::Image) {
        const std::string boot_device = r.string("boot_device");
        images_10->push_back({f.path, boot_device, r.boolean("signed")});
    }
    for (auto& k : r.unknown_keys())
        unknown.push_back(std::move(k));
    return f;
}

FuseWordPlan parse_fuse(const Json& j, std::size_t i, std::vector<std::string>& unknown) {
    Reader r(j, fmt::format("fuses[{}]", i));
    FuseWordPlan w;
    w.word = r.string("word");
    const std::uint64_t index = r.unsigned_number("index");
    if (index > 0xFFFF)
        fail(r.field("index"), fmt::format("{} is not an OTP word index", index));
    w.index = static_cast<std::uint32_t>(index);
    w.value = parse_word_value(r.field("value"), r.string("value"));
    const std::string lock = r.string("lock");
    const auto policy = parse_lock_policy(lock);
    if (!policy)
        fail(r.field("lock"), fmt::format("unknown lock policy '{}' (none, after-verify)", lock));
    w.lock = *policy;
    if (w.lock != LockPolicy::None)
        w.lock_field = r.string("lock_field");
    if (r.has("mask")) {
        w.mask = parse_word_value(r.field("mask"), r.string("mask"));
        if (w.mask == 0)
            fail(r.field("mask"), "0x00000000 owns no bit of the word");
        if ((w.value & ~w.mask) != 0)
            fail(r.field("value"), fmt::format("0x{:08x} has bits outside the mask 0x{:08x}",
                                               w.value, w.mask));
    }
    if (r.has("secret")) {
        w.secret = r.string("secret");
        if (w.value != 0)
            fail(r.field("value"), "a word whose value is a secret is written as 0x00000000");
    }
    for (auto& k : r.unknown_keys())
        unknown.push_back(std::move(k));
    return w;
}

ImageEntry parse_image(const Json& j, std::size_t i, std::vector<std::string>& unknown) {
    Reader r(j, fmt::format("images[{}]", i));
    ImageEntry e;
    e.boot_device = r.string("boot_device");
    e.file = r.string("file");
    e.is_signed = r.boolean("signed");
    e.memory_id = r.u32("memory_id");
    e.address = r.hex32("address");
    for (auto& k : r.unknown_keys())
        unknown.push_back(std::move(k));
    return e;
}

FlashloaderEntry parse_flashloader(const Json& j, std::size_t i,
                                   std::vector<std::string>& unknown) {
    Reader r(j, fmt::format("flashloaders[{}]", i));
    FlashloaderEntry e;
    e.file = r.string("file");
    e.is_signed = r.boolean("signed");
    e.load_address = r.hex32("load_address");
    e.ivt_address = r.hex32("ivt_address");
    for (auto& k : r.unknown_keys())
        unknown.push_back(std::move(k));
    return e;
}

BoardData parse_board_data(Reader& r) {
    BoardData d;
    d.name = r.string("name");
    const std::string source = r.string("source");
    const auto parsed_source = parse_board_data_source(source);
    if (!parsed_source)
        fail(r.field("source"), fmt::format("unknown source '{}' (counter, csv, uid)", source));
    d.source = *parsed_source;
    if (d.source == BoardDataSource::Counter)
        d.start = r.unsigned_number("start");
    if (d.source == BoardDataSource::Csv)
        d.column = r.string("column");
    const std::string format = r.string("format");
    const auto parsed_format = parse_board_data_format(format);
    if (!parsed_format)
        fail(r.field("format"), fmt::format("unknown format '{}' (le32, le64, hex, text)", format));
    d.format = *parsed_format;
    d.size = r.u32("size");
    if (r.has("fuses")) {
        d.fuses = r.strings("fuses");
    } else {
        d.memory_id = r.u32("memory_id");
        d.address = r.hex32("address");
    }
    if (auto why = board_data_problem(d))
        fail(r.field("name"), *why);
    return d;
}

WriteStep parse_step(const Json& j, std::size_t i, std::vector<std::string>& unknown) {
    Reader r(j, fmt::format("write_plan[{}]", i));
    WriteStep s;
    const std::string op = r.string("op");
    const auto parsed = parse_step_op(op);
    if (!parsed)
        fail(r.field("op"), fmt::format("unknown step '{}'", op));
    s.op = *parsed;
    switch (s.op) {
        case StepOp::ConfigureMemory:
            s.memory_id = r.u32("memory_id");
            if (r.has("fcb_file")) {
                s.fcb_file = r.string("fcb_file");
                s.fcb_offset = r.u32("fcb_offset");
            } else {
                for (const auto& w : r.strings("option_words"))
                    s.option_words.push_back(parse_word_value(r.field("option_words"), w));
                if (s.option_words.empty())
                    fail(r.field("option_words"), "empty (give fcb_file or option words)");
            }
            break;
        case StepOp::Erase:
            s.memory_id = r.u32("memory_id");
            s.address = r.hex32("address");
            s.length = r.unsigned_number("length");
            break;
        case StepOp::Write:
        case StepOp::Verify:
            s.memory_id = r.u32("memory_id");
            s.address = r.hex32("address");
            s.file = r.string("file");
            break;
        case StepOp::ProgramFuses:
            s.words = r.strings("words");
            break;
        case StepOp::LockFuses:
            s.field = r.string("field");
            break;
        case StepOp::PerBoardData:
            s.data = parse_board_data(r);
            break;
        case StepOp::KeyBlob:
            s.memory_id = r.u32("memory_id");
            s.address = r.hex32("address");
            s.secret = r.string("secret");
            break;
        case StepOp::LoadFlashloader:
        case StepOp::Reset:
            break;
    }
    for (auto& k : r.unknown_keys())
        unknown.push_back(std::move(k));
    return s;
}

}  // namespace

ParsedManifest parse_manifest(std::string_view text, std::string_view reader_version) {
    Json doc;
    check_json_depth(text, "manifest.json");
    try {
        doc = Json::parse(text);
    } catch (const nlohmann::json::parse_error& e) {
        throw Error(ErrorCode::BadInput,
                    fmt::format("manifest.json: malformed JSON at byte offset {}",
                                e.byte > 0 ? e.byte - 1 : 0));
    } catch (const nlohmann::json::exception& e) {
        // Not a syntax error but still the file's fault, e.g. a number beyond a double (1e999);
        // fuzzing found it escaping as a JSON library exception.
        throw Error(ErrorCode::BadInput, fmt::format("manifest.json: unusable JSON: {}", e.what()));
    }
    Reader r(doc, "");
    ParsedManifest out;
    Manifest& m = out.manifest;
    const std::string schema_text = r.string("schema_version");
    m.schema = parse_schema(schema_text);
    if (m.schema.major > kSchemaMajor) {
        throw Error(ErrorCode::BadInput,
                    fmt::format("manifest.json: schema {} is newer than this rtprov {} reads "
                                "({}.x); use a newer rtprov",
                                schema_text, reader_version, kSchemaMajor));
    }
    if (m.schema.major < kOldestSchemaMajor) {
        throw Error(ErrorCode::BadInput,
                    fmt::format("manifest.json: schema {} is not known to this rtprov {}",
                                schema_text, reader_version));
    }
    const bool v1 = m.schema.major == 1;
    // Features before anything else: a package needing what we lack is refused as such, not for
    // a field it may have added.
    const Json& req = r.array("requires");
    std::vector<std::string> unknown;
    for (std::size_t i = 0; i < req.size(); ++i) {
        Reader f(req[i], fmt::format("requires[{}]", i));
        RequiredFeature feature{f.string("feature"), f.string("added_in")};
        if (!find_feature(feature.name)) {
            throw Error(ErrorCode::BadInput,
                        fmt::format("package requires feature '{}' (added in rtprov {}), which "
                                    "this rtprov {} does not know",
                                    feature.name, feature.added_in, reader_version));
        }
        for (auto& k : f.unknown_keys())
            unknown.push_back(std::move(k));
        m.required.push_back(std::move(feature));
    }
    m.writer = r.string("writer");
    m.device = r.string("device");
    std::vector<ImageFacts10> images_10;
    std::string boot_device_10;
    if (v1)
        boot_device_10 = r.string("boot_device");
    const Json& files = r.array("files");
    for (std::size_t i = 0; i < files.size(); ++i)
        m.files.push_back(parse_file(files[i], i, unknown, v1 ? &images_10 : nullptr));
    if (!v1) {
        const Json& images = r.array("images");
        for (std::size_t i = 0; i < images.size(); ++i)
            m.images.push_back(parse_image(images[i], i, unknown));
        const Json& loaders = r.array("flashloaders");
        for (std::size_t i = 0; i < loaders.size(); ++i)
            m.flashloaders.push_back(parse_flashloader(loaders[i], i, unknown));
    }
    const Json& fuses = r.array("fuses");
    for (std::size_t i = 0; i < fuses.size(); ++i)
        m.fuses.push_back(parse_fuse(fuses[i], i, unknown));
    if (!v1) {
        const Json& plan = r.array("write_plan");
        for (std::size_t i = 0; i < plan.size(); ++i)
            m.write_plan.push_back(parse_step(plan[i], i, unknown));
        if (r.has("production")) {
            Reader p(r.get("production"), "production");
            if (p.has("quota")) {
                m.production.quota = p.unsigned_number("quota");
                if (*m.production.quota == 0)
                    fail(p.field("quota"), "0 boards: give at least 1");
            }
            for (auto& k : p.unknown_keys())
                unknown.push_back(std::move(k));
        }
        if (r.has("secrets")) {
            Reader p(r.get("secrets"), "secrets");
            SecretsRef ref;
            ref.file = p.string("file");
            ref.sealed = p.boolean("sealed");
            ref.names = p.strings("names");
            for (auto& k : p.unknown_keys())
                unknown.push_back(std::move(k));
            m.secrets = std::move(ref);
        }
    }
    for (auto& k : r.unknown_keys())
        unknown.push_back(std::move(k));
    const unsigned known_minor = v1 ? 0 : kSchemaMinor;
    if (!unknown.empty()) {
        if (m.schema.minor <= known_minor)
            fail(unknown.front(), "unknown field");
        out.warnings.push_back(fmt::format(
            "manifest.json: schema {} is newer than this rtprov {} reads ({}.{}); ignoring {}",
            schema_text, reader_version, m.schema.major, known_minor, fmt::join(unknown, ", ")));
    } else if (m.schema.minor > known_minor) {
        out.warnings.push_back(
            fmt::format("manifest.json: schema {} is newer than this rtprov {} reads ({}.{})",
                        schema_text, reader_version, m.schema.major, known_minor));
    }
    if (v1) {
        // Schema 1.0: the image facts move to images[]; where the image goes and the write
        // plan need the image bytes (verify_package completes them after the hashes check).
        for (const auto& img : images_10) {
            if (img.boot_device != boot_device_10) {
                fail("boot_device", fmt::format("'{}' but image '{}' is for '{}'", boot_device_10,
                                                img.path, img.boot_device));
            }
            m.images.push_back({img.boot_device, img.path, img.is_signed, 0, 0});
        }
        m.migrated_from = m.schema;
        m.schema = SchemaVersion{};
    }
    detail::check_references(m);
    return out;
}

}  // namespace rtprov::pkg
