#include "rtprov/hab/key_scan.hpp"

#include <algorithm>
#include <cstring>
#include <string_view>

#include <fmt/format.h>
#include <mbedtls/asn1.h>
#include <mbedtls/base64.h>
#include <mbedtls/pk.h>

namespace rtprov::hab {

namespace {

constexpr int kSequence = MBEDTLS_ASN1_CONSTRUCTED | MBEDTLS_ASN1_SEQUENCE;
constexpr int kInteger = MBEDTLS_ASN1_INTEGER;
constexpr int kOctets = MBEDTLS_ASN1_OCTET_STRING;
constexpr int kOid = MBEDTLS_ASN1_OID;
constexpr int kContext0 = MBEDTLS_ASN1_CONTEXT_SPECIFIC | MBEDTLS_ASN1_CONSTRUCTED | 0;
constexpr int kContext1 = MBEDTLS_ASN1_CONTEXT_SPECIFIC | MBEDTLS_ASN1_CONSTRUCTED | 1;
constexpr int kContext1Primitive = MBEDTLS_ASN1_CONTEXT_SPECIFIC | 1;

// OID contents: 1.2.840.113549.1.5 (PKCS#5 PBES1/PBES2), 1.2.840.113549.1.12.1 (PKCS#12 PBE),
// 1.2.840.113549.1.7.1 (PKCS#7 data, a PFX's authSafe).
constexpr std::uint8_t kPkcs5[] = {0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x05};
constexpr std::uint8_t kPkcs12Pbe[] = {0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x0C, 0x01};
constexpr std::uint8_t kPkcs7Data[] = {0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x07, 0x01};

using Cursor = unsigned char*;  // mbedTLS's ASN.1 reader takes non-const pointers; it only reads

// The element at `p` if it has `tag`: `p` moves to its content and `len` is its length.
bool enter(Cursor& p, const unsigned char* end, int tag, std::size_t& len) {
    Cursor q = p;
    if (q >= end || mbedtls_asn1_get_tag(&q, end, &len, tag) != 0)
        return false;
    p = q;
    return true;
}

// Moves `p` past the element at `p` if it has `tag`.
bool skip(Cursor& p, const unsigned char* end, int tag) {
    std::size_t len = 0;
    if (!enter(p, end, tag, len))
        return false;
    p += len;
    return true;
}

// An INTEGER of one content byte at `p` (a version number): its value, else -1.
int small_integer(Cursor& p, const unsigned char* end) {
    Cursor q = p;
    std::size_t len = 0;
    if (!enter(q, end, kInteger, len) || len != 1)
        return -1;
    p = q + 1;
    return q[0];
}

bool oid_starts_with(const unsigned char* oid, std::size_t len, ByteView prefix) {
    return len > prefix.size() && std::equal(prefix.begin(), prefix.end(), oid);
}

// A BER length at `p` (definite, or 0x80 indefinite: to `end`); moves `p` past it.
bool ber_length(Cursor& p, const unsigned char* end, const unsigned char*& content_end) {
    if (p < end && *p == 0x80) {
        ++p;
        content_end = end;
        return true;
    }
    std::size_t len = 0;
    if (mbedtls_asn1_get_len(&p, end, &len) != 0)
        return false;
    content_end = p + len;
    return true;
}

// PFX ::= SEQUENCE { version INTEGER (3), authSafe ContentInfo { pkcs7-data, [0] ... }, ... },
// often BER with indefinite lengths (keytool, Windows).
bool pfx_at(Cursor p, const unsigned char* end) {
    const unsigned char* pfx_end = nullptr;
    const unsigned char* safe_end = nullptr;
    if (*p++ != kSequence || !ber_length(p, end, pfx_end) || small_integer(p, pfx_end) != 3 ||
        p >= pfx_end || *p++ != kSequence || !ber_length(p, pfx_end, safe_end)) {
        return false;
    }
    std::size_t len = 0;
    return enter(p, safe_end, kOid, len) && len == sizeof kPkcs7Data &&
           std::memcmp(p, kPkcs7Data, len) == 0;
}

// PrivateKeyInfo / OneAsymmetricKey after its version: AlgorithmIdentifier (an OID first),
// privateKey OCTET STRING, [0] attributes, [1] public key, and nothing else.
bool pkcs8_rest(Cursor p, const unsigned char* end) {
    Cursor algorithm = p;
    std::size_t len = 0;
    if (!enter(algorithm, end, kSequence, len))
        return false;
    const unsigned char* algorithm_end = algorithm + len;
    if (!skip(algorithm, algorithm_end, kOid))
        return false;
    p = const_cast<Cursor>(algorithm_end);
    if (!skip(p, end, kOctets))
        return false;
    skip(p, end, kContext0);
    if (!skip(p, end, kContext1Primitive))
        skip(p, end, kContext1);
    return p == end;
}

// ECPrivateKey (SEC1) after its version 1: privateKey OCTET STRING of a curve's size, then
// [0] parameters and/or [1] public key (one at least: a bare scalar is too weak a shape).
bool sec1_rest(Cursor p, const unsigned char* end) {
    std::size_t len = 0;
    if (!enter(p, end, kOctets, len) || len < 20 || len > 72)
        return false;
    p += len;
    const bool parameters = skip(p, end, kContext0);
    const bool public_key = skip(p, end, kContext1);
    return (parameters || public_key) && p == end;
}

// EncryptedPrivateKeyInfo: { AlgorithmIdentifier { a PKCS#5 or PKCS#12 PBE OID, ... },
// OCTET STRING }.
bool encrypted_pkcs8(Cursor p, const unsigned char* end) {
    std::size_t len = 0;
    if (!enter(p, end, kSequence, len))
        return false;
    const unsigned char* algorithm_end = p + len;
    if (!enter(p, algorithm_end, kOid, len) ||
        !(oid_starts_with(p, len, kPkcs5) || oid_starts_with(p, len, kPkcs12Pbe))) {
        return false;
    }
    p = const_cast<Cursor>(algorithm_end);
    return skip(p, end, kOctets) && p == end;
}

// The kind of DER private key that starts at `at`, or nullptr.
const char* der_key_at(const unsigned char* at, const unsigned char* limit) {
    Cursor p = const_cast<Cursor>(at);
    if (pfx_at(p, limit))
        return "a DER PKCS#12 (PFX) file";
    std::size_t len = 0;
    if (!enter(p, limit, kSequence, len) || len == 0)
        return nullptr;
    const unsigned char* end = p + len;
    if (*p == kSequence)
        return encrypted_pkcs8(p, end) ? "a DER PKCS#8 EncryptedPrivateKeyInfo" : nullptr;
    const int version = small_integer(p, end);
    if (version < 0 || version > 1 || p >= end)
        return nullptr;
    if (*p == kSequence)
        return pkcs8_rest(p, end) ? "a DER PKCS#8 PrivateKeyInfo" : nullptr;
    if (version == 1 && *p == kOctets)
        return sec1_rest(p, end) ? "a DER SEC1 ECPrivateKey" : nullptr;
    if (version != 0 || *p != kInteger)
        return nullptr;
    // RSAPrivateKey: version, n, e, d, p, q, dp, dq, qinv; OpenSSL's DSA key: version, p, q, g,
    // y, x.
    int integers = 1;
    while (p < end && integers < 10 && skip(p, end, kInteger))
        ++integers;
    if (p != end)
        return nullptr;
    return integers == 9   ? "a DER PKCS#1 RSAPrivateKey"
           : integers == 6 ? "a DER DSA private key"
                           : nullptr;
}

std::optional<KeyMaterial> find_der(ByteView data) {
    const unsigned char* end = data.data() + data.size();
    for (std::size_t i = 0; i < data.size(); ++i) {
        if (data[i] != kSequence)
            continue;
        if (const char* what = der_key_at(data.data() + i, end))
            return KeyMaterial{i, what};
    }
    return std::nullopt;
}

std::string_view as_text(ByteView data) {
    return {reinterpret_cast<const char*>(data.data()), data.size()};
}

bool is_base64(char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' ||
           c == '/' || c == '=';
}

// The base64 body of the PEM block whose BEGIN line ends at `pos`: RFC 1421 header lines
// ("Proc-Type: 4,ENCRYPTED") skipped, up to the END line or the first character that cannot be
// in a body. Every character is looked at once (a file of BEGIN lines is scanned in linear time).
std::string pem_body(std::string_view text, std::size_t pos) {
    std::string body;
    for (int header = 0; header < 4 && pos < text.size(); ++header) {  // Proc-Type, DEK-Info
        const std::string_view window = text.substr(pos, 128);
        const std::size_t colon = window.find(':');
        const std::size_t eol = window.find('\n');
        if (colon == std::string_view::npos || eol == std::string_view::npos || colon > eol)
            break;
        pos += eol + 1;
    }
    for (; pos < text.size(); ++pos) {
        const char c = text[pos];
        if (is_base64(c))
            body += c;
        else if (c != '\n' && c != '\r' && c != ' ' && c != '\t')
            break;  // '-' of the END line, or not a PEM body
    }
    return body;
}

bool is_pem_label(std::string_view label) {
    return !label.empty() && std::all_of(label.begin(), label.end(), [](char c) {
        return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == ' ';
    });
}

// A PEM block: "-----BEGIN LABEL-----", a line break, a body. Labels naming a private key are
// enough; other blocks are decoded and searched for DER keys (a key relabelled CERTIFICATE).
// A BEGIN line not followed by a body (a firmware's PEM parser holds the header strings,
// NUL-terminated) is not a block.
std::optional<KeyMaterial> find_pem(ByteView data) {
    static constexpr std::string_view kBegin = "-----BEGIN ";
    const std::string_view text = as_text(data);
    for (std::size_t at = text.find(kBegin); at != std::string_view::npos;
         at = text.find(kBegin, at + 1)) {
        const std::size_t label_at = at + kBegin.size();
        // Bounded searches keep the scan linear in the file's size, whatever it holds.
        const std::size_t label_len = text.substr(label_at, 70).find("-----");
        if (label_len == std::string_view::npos || label_len > 64)
            continue;
        const std::size_t label_end = label_at + label_len;
        const std::string_view label = text.substr(label_at, label_end - label_at);
        if (!is_pem_label(label))
            continue;
        // The body starts on the next line, or right after the label in a block flattened
        // into one line.
        std::size_t body_at = label_end + 5;
        if (body_at < text.size() && text[body_at] == '\r')
            ++body_at;
        if (body_at < text.size() && text[body_at] == '\n')
            ++body_at;
        else if (body_at >= text.size() || !is_base64(text[body_at]))
            continue;
        const std::string body = pem_body(text, body_at);
        if (body.size() < 32)
            continue;
        if (label.find("PRIVATE KEY") != std::string_view::npos)
            return KeyMaterial{at, fmt::format("a PEM '{}' block", label)};
        Bytes der(body.size());
        std::size_t der_len = 0;
        if (mbedtls_base64_decode(der.data(), der.size(), &der_len,
                                  reinterpret_cast<const unsigned char*>(body.data()),
                                  body.size()) != 0) {
            continue;
        }
        der.resize(der_len);
        if (const auto inner = find_der(der))
            return KeyMaterial{at, fmt::format("a PEM '{}' block holding {}", label, inner->what)};
    }
    return std::nullopt;
}

// OpenSSH's own key format ("openssh-key-v1\0", then the cipher name as an SSH string), PuTTY's
// ("PuTTY-User-Key-File-N:") and the SSH2 one ("---- BEGIN SSH2 ENCRYPTED PRIVATE KEY ----").
std::optional<KeyMaterial> find_ssh(ByteView data) {
    const std::string_view text = as_text(data);
    static constexpr std::string_view kOpenSsh("openssh-key-v1\0", 15);
    for (std::size_t at = text.find(kOpenSsh); at != std::string_view::npos;
         at = text.find(kOpenSsh, at + 1)) {
        const std::size_t name_at = at + kOpenSsh.size() + 4;
        if (name_at > data.size())
            break;
        const std::uint32_t n = load_be32(data.data() + name_at - 4);
        if (n >= 4 && n <= 64 && name_at + n <= data.size() &&
            std::all_of(data.begin() + name_at, data.begin() + name_at + n,
                        [](std::uint8_t c) { return c > 0x20 && c < 0x7F; })) {
            return KeyMaterial{at, "an OpenSSH private key"};
        }
    }
    static constexpr std::string_view kPutty = "PuTTY-User-Key-File-";
    for (std::size_t at = text.find(kPutty); at != std::string_view::npos;
         at = text.find(kPutty, at + 1)) {
        const std::size_t v = at + kPutty.size();
        if (v + 1 < text.size() && text[v] >= '1' && text[v] <= '9' && text[v + 1] == ':')
            return KeyMaterial{at, "a PuTTY private key"};
    }
    if (const std::size_t at = text.find("---- BEGIN SSH2 ENCRYPTED PRIVATE KEY ----");
        at != std::string_view::npos) {
        return KeyMaterial{at, "an SSH2 private key"};
    }
    return std::nullopt;
}

// What mbedTLS itself reads as a private key, encrypted ones included.
bool mbedtls_reads_a_key(ByteView data) {
    Bytes buf(data.begin(), data.end());
    buf.push_back(0);  // PEM is parsed from a NUL-terminated buffer
    mbedtls_pk_context pk;
    bool found = false;
    for (const std::size_t len : {buf.size(), data.size()}) {
        mbedtls_pk_init(&pk);
        const int rc = mbedtls_pk_parse_key(&pk, buf.data(), len, nullptr, 0);
        mbedtls_pk_free(&pk);
        found = found || rc == 0 || rc == MBEDTLS_ERR_PK_PASSWORD_REQUIRED;
    }
    std::fill(buf.begin(), buf.end(), 0);
    return found;
}

}  // namespace

std::optional<KeyMaterial> find_private_key_material(ByteView data) {
    if (auto found = find_pem(data))
        return found;
    if (auto found = find_der(data))
        return found;
    if (auto found = find_ssh(data))
        return found;
    if (mbedtls_reads_a_key(data))
        return KeyMaterial{0, "a private key"};
    return std::nullopt;
}

}  // namespace rtprov::hab
