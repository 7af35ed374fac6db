// Station key pairs (EC P-256) for sealed secrets: generation, the PEM files `rtprov station
// keygen` writes, and reading them back. A key file starts with comment lines before the PEM
// block ("# label: NAME", "# id: ID"); PEM readers (mbedTLS, OpenSSL) skip them.

#include <algorithm>
#include <array>

#include <fmt/format.h>
#include <mbedtls/ecp.h>
#include <mbedtls/error.h>
#include <mbedtls/sha256.h>
#include <nlohmann/json.hpp>

#include "rtprov/util/file.hpp"
#include "seal_internal.hpp"

namespace rtprov::pkg {

namespace seal_detail {

std::string mbedtls_message(int ret) {
    char buf[160];
    mbedtls_strerror(ret, buf, sizeof buf);
    return fmt::format("{} (-0x{:04X})", buf, static_cast<unsigned>(-ret));
}

void check(int ret, std::string_view what) {
    if (ret != 0)
        throw Error(ErrorCode::Internal, fmt::format("{}: {}", what, mbedtls_message(ret)));
}

Rng::Rng() {
    mbedtls_entropy_init(&entropy_);
    mbedtls_ctr_drbg_init(&drbg_);
    static constexpr char kPersonal[] = "rtprov-seal";
    const int ret = mbedtls_ctr_drbg_seed(&drbg_, mbedtls_entropy_func, &entropy_,
                                          reinterpret_cast<const unsigned char*>(kPersonal),
                                          sizeof kPersonal - 1);
    if (ret != 0) {
        mbedtls_ctr_drbg_free(&drbg_);
        mbedtls_entropy_free(&entropy_);
        throw Error(ErrorCode::Internal, "seeding the random generator: " + mbedtls_message(ret));
    }
}

Rng::~Rng() {
    mbedtls_ctr_drbg_free(&drbg_);
    mbedtls_entropy_free(&entropy_);
}

Bytes Rng::bytes(std::size_t n) {
    Bytes out(n);
    check(mbedtls_ctr_drbg_random(&drbg_, out.data(), out.size()), "random bytes");
    return out;
}

std::string to_hex(ByteView data) {
    static constexpr char kDigits[] = "0123456789abcdef";
    std::string out;
    out.reserve(data.size() * 2);
    for (const std::uint8_t b : data) {
        out += kDigits[b >> 4];
        out += kDigits[b & 0xF];
    }
    return out;
}

std::string key_id(ByteView spki_der) {
    std::array<unsigned char, 32> digest{};
    check(mbedtls_sha256_ret(spki_der.data(), spki_der.size(), digest.data(), 0), "SHA-256");
    return to_hex(ByteView(digest.data(), 8));
}

namespace {

// mbedTLS writes DER at the end of the buffer it is given and returns the length.
Bytes public_der(mbedtls_pk_context& pk) {
    std::array<unsigned char, 256> buf{};
    const int n = mbedtls_pk_write_pubkey_der(&pk, buf.data(), buf.size());
    if (n < 0)
        check(n, "writing a public key");
    return Bytes(buf.end() - n, buf.end());
}

void require_p256(mbedtls_pk_context& pk, const std::string& where, std::string_view kind) {
    if (!mbedtls_pk_can_do(&pk, MBEDTLS_PK_ECKEY) ||
        mbedtls_pk_ec(pk)->grp.id != MBEDTLS_ECP_DP_SECP256R1) {
        throw Error(ErrorCode::BadInput,
                    fmt::format("{}: holds a {} key of another kind ({}, {} bits); station keys "
                                "are EC P-256 (rtprov station keygen)",
                                where, kind, mbedtls_pk_get_name(&pk), mbedtls_pk_get_bitlen(&pk)));
    }
}

bool is_control(char c) {
    const auto u = static_cast<unsigned char>(c);
    return u < 0x20 || u == 0x7F;
}

// The text after "# FIELD: " on a comment line before the PEM block, or "" when there is none.
std::string comment_field(std::string_view text, std::string_view field) {
    const std::string prefix = fmt::format("# {}: ", field);
    std::size_t pos = 0;
    while (pos < text.size()) {
        const std::size_t end = std::min(text.find('\n', pos), text.size());
        std::string_view line = text.substr(pos, end - pos);
        if (line.starts_with("-----BEGIN "))
            break;
        if (!line.empty() && line.back() == '\r')
            line.remove_suffix(1);
        if (line.starts_with(prefix))
            return std::string(line.substr(prefix.size()));
        pos = end + 1;
    }
    return {};
}

// The label a key file names (its comment, else its file name without extension); the id
// comment, when present, must be the key's own.
std::string file_label(std::string_view text, const std::filesystem::path& file,
                       const std::string& id) {
    const std::string where = file.string();
    const std::string noted_id = comment_field(text, "id");
    if (!noted_id.empty() && noted_id != id) {
        throw Error(ErrorCode::BadInput,
                    fmt::format("{}: its '# id:' line says {}, but the key's id is {} (the comment "
                                "was edited or belongs to another key)",
                                where, noted_id, id));
    }
    std::string label = comment_field(text, "label");
    if (label.empty())
        label = file.stem().string();
    check_label(label, where + ": label", ErrorCode::BadInput);
    return label;
}

std::string key_text(const std::filesystem::path& file) {
    return read_text_file(file, kMaxKeyFile);
}

// mbedTLS parses PEM only from a NUL-terminated buffer whose length counts the NUL.
Bytes pem_buffer(std::string_view text) {
    Bytes buf(text.begin(), text.end());
    buf.push_back(0);
    return buf;
}

std::string comments(const std::string& label, const std::string& id, std::string_view kind) {
    return fmt::format("# rtprov station {} key\n# label: {}\n# id: {}\n", kind, label, id);
}

}  // namespace

StationPublicKey public_key_of(mbedtls_pk_context& pk, const std::string& label) {
    StationPublicKey key;
    key.der = public_der(pk);
    key.id = key_id(key.der);
    key.label = label;
    return key;
}

void parse_public_der(ByteView der, mbedtls_pk_context& out, const std::string& where) {
    const int ret = mbedtls_pk_parse_public_key(&out, der.data(), der.size());
    if (ret != 0)
        throw Error(ErrorCode::BadInput,
                    fmt::format("{}: not a public key ({})", where, mbedtls_message(ret)));
    require_p256(out, where, "public");
}

void parse_private_der(ByteView der, mbedtls_pk_context& out, const std::string& where) {
    const int ret = mbedtls_pk_parse_key(&out, der.data(), der.size(), nullptr, 0);
    if (ret != 0)
        throw Error(ErrorCode::BadInput,
                    fmt::format("{}: not a private key ({})", where, mbedtls_message(ret)));
    require_p256(out, where, "private");
}

void check_label(std::string_view label, std::string_view what, ErrorCode code) {
    if (label.empty() || label.size() > 64)
        throw Error(code, fmt::format("{}: give 1 to 64 bytes, not {}", what, label.size()));
    for (std::size_t i = 0; i < label.size(); ++i) {
        if (is_control(label[i]))
            throw Error(code, fmt::format("{}: control character 0x{:02x} at byte {}", what,
                                          static_cast<unsigned char>(label[i]), i));
    }
    try {
        (void)nlohmann::json(std::string(label)).dump();
    } catch (const nlohmann::json::exception&) {
        throw Error(code, fmt::format("{}: not UTF-8 text", what));
    }
}

}  // namespace seal_detail

using namespace seal_detail;

StationKeyPair generate_station_keys(const std::string& label) {
    check_label(label, "station label", ErrorCode::Usage);
    Rng rng;
    PkContext ctx;
    check(mbedtls_pk_setup(&ctx.pk, mbedtls_pk_info_from_type(MBEDTLS_PK_ECKEY)), "EC key");
    check(mbedtls_ecp_gen_key(MBEDTLS_ECP_DP_SECP256R1, mbedtls_pk_ec(ctx.pk),
                              mbedtls_ctr_drbg_random, rng.context()),
          "generating a P-256 key");

    StationKeyPair pair;
    pair.public_key = public_key_of(ctx.pk, label);
    pair.private_key.id = pair.public_key.id;
    pair.private_key.label = label;

    SecretBytes buf(512);
    const int n = mbedtls_pk_write_key_der(&ctx.pk, buf.data(), buf.size());
    if (n < 0)
        check(n, "writing the private key");
    pair.private_key.der.assign(buf.get().end() - n, buf.get().end());
    buf.wipe();
    check(mbedtls_pk_write_key_pem(&ctx.pk, buf.data(), buf.size()), "writing the private key");
    pair.private_pem =
        comments(label, pair.public_key.id, "private") + reinterpret_cast<const char*>(buf.data());
    std::array<unsigned char, 512> pub{};
    check(mbedtls_pk_write_pubkey_pem(&ctx.pk, pub.data(), pub.size()), "writing the public key");
    pair.public_pem =
        comments(label, pair.public_key.id, "public") + reinterpret_cast<const char*>(pub.data());
    return pair;
}

StationPublicKey load_station_public_key(const std::filesystem::path& file) {
    const std::string text = key_text(file);
    const std::string where = file.string();
    if (text.find("PRIVATE KEY-----") != std::string::npos)
        throw Error(ErrorCode::BadInput,
                    fmt::format("{}: holds a private key; give the station's public key "
                                "(station.pub), which is what packages are sealed to",
                                where));
    PkContext ctx;
    const Bytes buf = pem_buffer(text);
    const int ret = mbedtls_pk_parse_public_key(&ctx.pk, buf.data(), buf.size());
    if (ret != 0)
        throw Error(ErrorCode::BadInput,
                    fmt::format("{}: holds no PEM public key ({})", where, mbedtls_message(ret)));
    require_p256(ctx.pk, where, "public");
    StationPublicKey key = public_key_of(ctx.pk, "");
    key.label = file_label(text, file, key.id);
    return key;
}

StationPrivateKey load_station_private_key(const std::filesystem::path& file) {
    SecretBytes text(read_file_limited(file, kMaxKeyFile));
    const std::string where = file.string();
    const std::string_view view(reinterpret_cast<const char*>(text.data()), text.size());
    if (view.find("PRIVATE KEY-----") == std::string_view::npos)
        throw Error(ErrorCode::BadInput,
                    fmt::format("{}: holds no PEM private key (a station's private key is the "
                                "station.key that rtprov station keygen wrote)",
                                where));
    PkContext ctx;
    SecretBytes buf(pem_buffer(view));
    const int ret = mbedtls_pk_parse_key(&ctx.pk, buf.data(), buf.size(), nullptr, 0);
    if (ret != 0)
        throw Error(ErrorCode::BadInput, fmt::format("{}: holds no usable private key ({})", where,
                                                     mbedtls_message(ret)));
    require_p256(ctx.pk, where, "private");
    check(mbedtls_ecp_check_privkey(&mbedtls_pk_ec(ctx.pk)->grp, &mbedtls_pk_ec(ctx.pk)->d),
          "checking the private key");

    StationPrivateKey key;
    key.id = public_key_of(ctx.pk, "").id;
    key.label = file_label(view, file, key.id);
    SecretBytes der(512);
    const int n = mbedtls_pk_write_key_der(&ctx.pk, der.data(), der.size());
    if (n < 0)
        check(n, "writing the private key");
    key.der.assign(der.get().end() - n, der.get().end());
    return key;
}

}  // namespace rtprov::pkg
