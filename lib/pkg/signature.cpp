#include "rtprov/pkg/signature.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "rtprov/hab/srk.hpp"
#include "rtprov/util/error.hpp"
#include "rtprov/util/parse.hpp"
#include "rtprov/util/text.hpp"

namespace rtprov::pkg {

namespace {

[[noreturn]] void fail(std::string_view field, std::string_view what) {
    throw Error(ErrorCode::BadInput, fmt::format("{}: {}: {}", kSignatureName, field, what));
}

}  // namespace

std::string key_fingerprint(ByteView public_key_der) {
    return hab::hash_hex(hab::sha256(public_key_der));
}

std::string sign_manifest(std::string_view manifest_text, const hab::PrivateKey& key) {
    const ByteView data(reinterpret_cast<const std::uint8_t*>(manifest_text.data()),
                        manifest_text.size());
    nlohmann::ordered_json doc;
    doc["algorithm"] = key.type() == hab::KeyType::Rsa ? "rsa-pkcs1-sha256" : "ecdsa-sha256";
    doc["key_sha256"] = key_fingerprint(key.public_key_der());
    doc["signature"] = hab::hash_hex(key.sign_sha256(data));
    return doc.dump(2) + "\n";
}

ManifestSignature parse_signature(std::string_view text) {
    nlohmann::json doc;
    check_json_depth(text, kSignatureName);
    try {
        doc = nlohmann::json::parse(text);
    } catch (const nlohmann::json::parse_error& e) {
        throw Error(ErrorCode::BadInput, fmt::format("{}: malformed JSON at byte offset {}",
                                                     kSignatureName, e.byte > 0 ? e.byte - 1 : 0));
    } catch (const nlohmann::json::exception& e) {
        // E.g. a number beyond a double (1e999): the file's fault, not a bug.
        throw Error(ErrorCode::BadInput,
                    fmt::format("{}: unusable JSON: {}", kSignatureName, e.what()));
    }
    if (!doc.is_object())
        fail("top level", "expected an object");
    const auto string = [&](const char* key) {
        const auto it = doc.find(key);
        if (it == doc.end())
            fail(key, "missing");
        if (!it->is_string())
            fail(key, fmt::format("expected a string, got {}", it->type_name()));
        return it->get<std::string>();
    };
    ManifestSignature out;
    out.algorithm = string("algorithm");
    if (out.algorithm != "rsa-pkcs1-sha256" && out.algorithm != "ecdsa-sha256")
        fail("algorithm", fmt::format("unknown algorithm '{}'", out.algorithm));
    out.key_sha256 = string("key_sha256");
    if (out.key_sha256.size() != 64 ||
        out.key_sha256.find_first_not_of("0123456789abcdef") != std::string::npos) {
        fail("key_sha256", "expected 64 lower-case hex digits");
    }
    out.signature = parse_hex(string("signature"), fmt::format("{}: signature", kSignatureName));
    if (out.signature.empty())
        fail("signature", "empty");
    return out;
}

}  // namespace rtprov::pkg
