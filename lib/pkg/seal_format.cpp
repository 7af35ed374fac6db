// secrets/sealed.json as rtprov writes and reads it. Hex is lowercase and of exact length, and
// unknown fields are refused, so that every change to the file's text is either refused here or
// changes what is authenticated.

#include "seal_format.hpp"

#include <algorithm>
#include <set>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "rtprov/util/error.hpp"
#include "rtprov/util/text.hpp"
#include "seal_internal.hpp"

namespace rtprov::pkg::seal_detail {

namespace {

using Json = nlohmann::ordered_json;

constexpr std::string_view kPlainWarning =
    "NOT SEALED: these secrets are in the clear (export-pkg --insecure-plain-secrets); anyone "
    "holding this package holds the keys";

// Reads one object's fields with errors "WHERE: PATH.FIELD: ..." and refuses unknown fields.
class Fields {
  public:
    Fields(const Json& object, std::string where, std::string path)
        : object_(object), where_(std::move(where)), path_(std::move(path)) {
        if (!object_.is_object())
            fail(path_.empty() ? "top level" : path_,
                 fmt::format("expected an object, got {}", object_.type_name()));
    }

    [[noreturn]] void fail(const std::string& field, const std::string& what) const {
        throw Error(ErrorCode::BadInput, fmt::format("{}: {}: {}", where_, field, what));
    }
    std::string field(std::string_view key) const {
        return path_.empty() ? std::string(key) : fmt::format("{}.{}", path_, key);
    }
    const Json& get(std::string_view key) {
        seen_.insert(std::string(key));
        const auto it = object_.find(key);
        if (it == object_.end())
            fail(field(key), "missing");
        return *it;
    }
    std::string string(std::string_view key) {
        const Json& v = get(key);
        if (!v.is_string())
            fail(field(key), fmt::format("expected a string, got {}", v.type_name()));
        return v.get<std::string>();
    }
    const Json& array(std::string_view key) {
        const Json& v = get(key);
        if (!v.is_array())
            fail(field(key), fmt::format("expected an array, got {}", v.type_name()));
        return v;
    }
    // Lowercase hex of `min`..`max` bytes.
    Bytes hex(std::string_view key, std::size_t min, std::size_t max) {
        const std::string text = string(key);
        const auto bad = std::find_if(text.begin(), text.end(), [](char c) {
            return !((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'));
        });
        if (bad != text.end())
            fail(field(key),
                 fmt::format("'{}' at character {} is not a lowercase hex digit",
                             printable(std::string_view(&*bad, 1)), bad - text.begin()));
        if (text.size() % 2 != 0 || text.size() < 2 * min || text.size() > 2 * max) {
            const std::string want =
                min == max ? fmt::format("{}", 2 * min) : fmt::format("{} to {}", 2 * min, 2 * max);
            fail(field(key), fmt::format("expected {} hex digits, got {}", want, text.size()));
        }
        Bytes out(text.size() / 2);
        const auto nibble = [](char c) { return c <= '9' ? c - '0' : c - 'a' + 10; };
        for (std::size_t i = 0; i < out.size(); ++i)
            out[i] = static_cast<std::uint8_t>(nibble(text[2 * i]) << 4 | nibble(text[2 * i + 1]));
        return out;
    }
    void no_unknown() const {
        for (const auto& [key, value] : object_.items()) {
            if (!seen_.contains(key))
                fail(field(key), "unknown field");
        }
    }

  private:
    const Json& object_;
    std::string where_;
    std::string path_;
    std::set<std::string> seen_;
};

std::string name_problem(std::string_view name) {
    if (name.empty())
        return "empty";
    if (name.size() > kMaxNameSize)
        return fmt::format("longer than {} bytes", kMaxNameSize);
    for (std::size_t i = 0; i < name.size(); ++i) {
        const auto u = static_cast<unsigned char>(name[i]);
        if (u < 0x20 || u == 0x7F)
            return fmt::format("control character 0x{:02x} at byte {}", u, i);
    }
    return {};
}

std::string value_problem(std::size_t size) {
    if (size == 0)
        return "empty";
    if (size > kMaxValueSize)
        return fmt::format("{} bytes, more than {}", size, kMaxValueSize);
    return {};
}

// Checks a list of names (problems, duplicates) with `fail(index, what)` reporting.
template <typename Names, typename Fail>
void check_names(const Names& names, Fail&& fail) {
    std::set<std::string_view> seen;
    for (std::size_t i = 0; i < names.size(); ++i) {
        const std::string_view name = names[i];
        if (const std::string problem = name_problem(name); !problem.empty())
            fail(i, problem);
        if (!seen.insert(name).second)
            fail(i, fmt::format("'{}' given twice", name));
    }
}

Json recipients_json(const SealedFile& file) {
    Json out = Json::array();
    for (const auto& r : file.recipients)
        out.push_back({{"id", r.id},
                       {"label", r.label},
                       {"ephemeral_public_key", to_hex(r.ephemeral_public_key)},
                       {"nonce", to_hex(r.nonce)},
                       {"wrapped_key", to_hex(r.wrapped_key)}});
    return out;
}

std::vector<std::string> names_of(const Json& names, Fields& top) {
    if (names.size() > kMaxSecrets)
        top.fail("names", fmt::format("more than {} secrets", kMaxSecrets));
    std::vector<std::string> out;
    for (std::size_t i = 0; i < names.size(); ++i) {
        if (!names[i].is_string())
            top.fail(fmt::format("names[{}]", i),
                     fmt::format("expected a string, got {}", names[i].type_name()));
        out.push_back(names[i].get<std::string>());
    }
    check_names(out, [&](std::size_t i, const std::string& what) {
        top.fail(fmt::format("names[{}]", i), what);
    });
    return out;
}

SealedFile parse_sealed(Fields& top, const std::string& where) {
    SealedFile file;
    const Json& recipients = top.array("recipients");
    if (recipients.empty())
        top.fail("recipients", "empty: a sealed file names at least one station");
    if (recipients.size() > kMaxRecipients)
        top.fail("recipients", fmt::format("more than {} stations", kMaxRecipients));
    for (std::size_t i = 0; i < recipients.size(); ++i) {
        Fields f(recipients[i], where, fmt::format("recipients[{}]", i));
        SealedFile::Recipient r;
        r.id = f.string("id");
        if (r.id.size() != 16 || !std::all_of(r.id.begin(), r.id.end(), [](char c) {
                return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
            }))
            f.fail(f.field("id"),
                   fmt::format("'{}' is not 16 lowercase hex digits", printable(r.id)));
        r.label = f.string("label");
        try {
            check_label(r.label, f.field("label"), ErrorCode::BadInput);
        } catch (const Error& e) {
            throw Error(ErrorCode::BadInput, fmt::format("{}: {}", where, e.message()));
        }
        r.ephemeral_public_key = f.hex("ephemeral_public_key", kPointSize, kPointSize);
        r.nonce = f.hex("nonce", kNonceSize, kNonceSize);
        r.wrapped_key = f.hex("wrapped_key", 32 + kTagSize, 32 + kTagSize);
        f.no_unknown();
        const bool twice = std::any_of(file.recipients.begin(), file.recipients.end(),
                                       [&](const auto& o) { return o.id == r.id; });
        if (twice)
            f.fail(f.field("id"), fmt::format("station {} is named twice", r.id));
        file.recipients.push_back(std::move(r));
    }
    file.nonce = top.hex("nonce", kNonceSize, kNonceSize);
    file.ciphertext = top.hex("ciphertext", 4 + kTagSize,
                              kTagSize + 4 + kMaxSecrets * (6 + kMaxNameSize + kMaxValueSize));
    file.names = names_of(top.array("names"), top);
    return file;
}

std::vector<Secret> parse_plain(Fields& top, const std::string& where) {
    (void)top.string("warning");
    const Json& list = top.array("secrets");
    if (list.size() > kMaxSecrets)
        top.fail("secrets", fmt::format("more than {} secrets", kMaxSecrets));
    std::vector<Secret> out;
    std::vector<std::string> names;
    for (std::size_t i = 0; i < list.size(); ++i) {
        Fields f(list[i], where, fmt::format("secrets[{}]", i));
        Secret s;
        s.name = f.string("name");
        s.value = f.hex("value", 1, kMaxValueSize);
        f.no_unknown();
        names.push_back(s.name);
        out.push_back(std::move(s));
    }
    check_names(names, [&](std::size_t i, const std::string& what) {
        top.fail(fmt::format("secrets[{}].name", i), what);
    });
    return out;
}

}  // namespace

void check_secrets(std::span<const Secret> secrets) {
    if (secrets.empty())
        throw Error(ErrorCode::BadInput, "secrets: none to seal");
    if (secrets.size() > kMaxSecrets)
        throw Error(ErrorCode::BadInput,
                    fmt::format("secrets: {}, more than {}", secrets.size(), kMaxSecrets));
    std::vector<std::string_view> names;
    for (const Secret& s : secrets)
        names.push_back(s.name);
    check_names(names, [](std::size_t i, const std::string& what) {
        throw Error(ErrorCode::BadInput, fmt::format("secrets[{}].name: {}", i, what));
    });
    for (std::size_t i = 0; i < secrets.size(); ++i) {
        if (const std::string problem = value_problem(secrets[i].value.size()); !problem.empty())
            throw Error(ErrorCode::BadInput,
                        fmt::format("secrets[{}] ('{}'): value {}", i, secrets[i].name, problem));
    }
}

Bytes serialize_secrets(std::span<const Secret> secrets) {
    Bytes out;
    append_be32(out, static_cast<std::uint32_t>(secrets.size()));
    for (const Secret& s : secrets) {
        append_be16(out, static_cast<std::uint16_t>(s.name.size()));
        out.insert(out.end(), s.name.begin(), s.name.end());
        append_be32(out, static_cast<std::uint32_t>(s.value.size()));
        out.insert(out.end(), s.value.begin(), s.value.end());
    }
    return out;
}

std::vector<Secret> parse_serialized_secrets(ByteView data, const std::string& where) {
    std::size_t pos = 0;
    const auto need = [&](std::size_t n) {
        if (data.size() - pos < n)
            throw Error(ErrorCode::Verification,
                        fmt::format("{}: the sealed secrets end at byte {} inside a field", where,
                                    data.size()));
    };
    need(4);
    const std::uint32_t count = load_be32(data.data());
    pos = 4;
    if (count > kMaxSecrets)
        throw Error(ErrorCode::Verification,
                    fmt::format("{}: the sealed secrets count {} secrets", where, count));
    std::vector<Secret> out;
    for (std::uint32_t i = 0; i < count; ++i) {
        Secret s;
        need(2);
        const std::size_t name_size = load_be16(data.data() + pos);
        pos += 2;
        need(name_size);
        s.name.assign(reinterpret_cast<const char*>(data.data() + pos), name_size);
        pos += name_size;
        need(4);
        const std::size_t value_size = load_be32(data.data() + pos);
        pos += 4;
        need(value_size);
        s.value.assign(data.begin() + static_cast<std::ptrdiff_t>(pos),
                       data.begin() + static_cast<std::ptrdiff_t>(pos + value_size));
        pos += value_size;
        out.push_back(std::move(s));
    }
    if (pos != data.size())
        throw Error(ErrorCode::Verification,
                    fmt::format("{}: {} bytes after the sealed secrets", where, data.size() - pos));
    return out;
}

std::string content_aad(const SealedFile& file) {
    const Json aad = {
        {"scheme", kSealScheme}, {"names", file.names}, {"recipients", recipients_json(file)}};
    return aad.dump();
}

std::string format_sealed(const SealedFile& file) {
    const Json doc = {{"scheme", kSealScheme},
                      {"recipients", recipients_json(file)},
                      {"nonce", to_hex(file.nonce)},
                      {"ciphertext", to_hex(file.ciphertext)},
                      {"names", file.names}};
    return doc.dump(2) + "\n";
}

std::string format_plain(std::span<const Secret> secrets) {
    Json list = Json::array();
    for (const Secret& s : secrets)
        list.push_back({{"name", s.name}, {"value", to_hex(s.value)}});
    const Json doc = {{"scheme", kPlainScheme}, {"warning", kPlainWarning}, {"secrets", list}};
    return doc.dump(2) + "\n";
}

ParsedSecrets parse_secrets_file(std::string_view text, const std::string& where) {
    check_json_depth(text, where);
    Json doc;
    try {
        doc = Json::parse(text);
    } catch (const nlohmann::json::parse_error& e) {
        throw Error(ErrorCode::BadInput, fmt::format("{}: malformed JSON at byte offset {}", where,
                                                     e.byte > 0 ? e.byte - 1 : 0));
    } catch (const nlohmann::json::exception& e) {
        throw Error(ErrorCode::BadInput, fmt::format("{}: unusable JSON: {}", where, e.what()));
    }
    Fields top(doc, where, "");
    const std::string scheme = top.string("scheme");
    ParsedSecrets out;
    if (scheme == kPlainScheme) {
        out.plain = true;
        out.plain_secrets = parse_plain(top, where);
    } else if (scheme == kSealScheme) {
        out.sealed = parse_sealed(top, where);
    } else {
        top.fail("scheme", fmt::format("'{}' is not known to this rtprov (it knows {} and {})",
                                       printable(scheme), kSealScheme, kPlainScheme));
    }
    top.no_unknown();
    return out;
}

}  // namespace rtprov::pkg::seal_detail
