// The secrets file of a package (secrets/sealed.json): sealing to station public keys, describing
// it without opening, opening it with a station's private key. docs/package-format.md, "Sealed
// secrets", is the format; seal_format.cpp reads and writes its JSON.

#include <algorithm>
#include <array>

#include <fmt/format.h>
#include <mbedtls/ecdh.h>
#include <mbedtls/gcm.h>
#include <mbedtls/hkdf.h>
#include <mbedtls/md.h>

#include "seal_format.hpp"
#include "seal_internal.hpp"

namespace rtprov::pkg {

using namespace seal_detail;

namespace {

constexpr std::string_view kKdfInfo = "rtprov sealed secrets v1";

// An EC key pair or point on P-256 that frees (and so zeroes) itself.
struct Keypair {
    Keypair() {
        mbedtls_ecp_keypair_init(&kp);
        check(mbedtls_ecp_group_load(&kp.grp, MBEDTLS_ECP_DP_SECP256R1), "P-256");
    }
    ~Keypair() { mbedtls_ecp_keypair_free(&kp); }
    Keypair(const Keypair&) = delete;
    Keypair& operator=(const Keypair&) = delete;
    mbedtls_ecp_keypair kp;
};

struct Mpi {
    Mpi() { mbedtls_mpi_init(&v); }
    ~Mpi() { mbedtls_mpi_free(&v); }
    Mpi(const Mpi&) = delete;
    Mpi& operator=(const Mpi&) = delete;
    mbedtls_mpi v;
};

Bytes point_bytes(const mbedtls_ecp_group& grp, const mbedtls_ecp_point& q) {
    std::array<unsigned char, 65> buf{};
    std::size_t n = 0;
    check(mbedtls_ecp_point_write_binary(&grp, &q, MBEDTLS_ECP_PF_UNCOMPRESSED, &n, buf.data(),
                                         buf.size()),
          "writing a P-256 point");
    return Bytes(buf.begin(), buf.begin() + static_cast<std::ptrdiff_t>(n));
}

// The key-encryption key of one recipient: HKDF-SHA256(salt = ephemeral public key, IKM = the
// ECDH shared secret's x coordinate, info = kKdfInfo || station id), 32 bytes.
void derive_kek(const mbedtls_ecp_group& grp, const mbedtls_ecp_point& peer, const mbedtls_mpi& own,
                ByteView ephemeral_public, const std::string& station_id, Rng& rng,
                SecretBytes& kek) {
    Mpi z;
    check(mbedtls_ecdh_compute_shared(const_cast<mbedtls_ecp_group*>(&grp), &z.v, &peer, &own,
                                      mbedtls_ctr_drbg_random, rng.context()),
          "ECDH");
    SecretBytes shared(32);
    check(mbedtls_mpi_write_binary(&z.v, shared.data(), shared.size()), "ECDH secret");
    const std::string info = std::string(kKdfInfo) + station_id;
    kek.get().assign(32, 0);
    check(mbedtls_hkdf(mbedtls_md_info_from_type(MBEDTLS_MD_SHA256), ephemeral_public.data(),
                       ephemeral_public.size(), shared.data(), shared.size(),
                       reinterpret_cast<const unsigned char*>(info.data()), info.size(), kek.data(),
                       kek.size()),
          "HKDF");
}

struct Gcm {
    explicit Gcm(const SecretBytes& key) {
        mbedtls_gcm_init(&ctx);
        check(mbedtls_gcm_setkey(&ctx, MBEDTLS_CIPHER_ID_AES, key.get().data(), 256), "AES key");
    }
    ~Gcm() { mbedtls_gcm_free(&ctx); }
    Gcm(const Gcm&) = delete;
    Gcm& operator=(const Gcm&) = delete;

    // Ciphertext with the 16-byte tag appended.
    Bytes seal(ByteView nonce, std::string_view aad, ByteView plain) {
        Bytes out(plain.size() + kTagSize);
        check(mbedtls_gcm_crypt_and_tag(
                  &ctx, MBEDTLS_GCM_ENCRYPT, plain.size(), nonce.data(), nonce.size(),
                  reinterpret_cast<const unsigned char*>(aad.data()), aad.size(), plain.data(),
                  out.data(), kTagSize, out.data() + plain.size()),
              "AES-GCM");
        return out;
    }
    // False when the tag does not authenticate `sealed` (ciphertext + tag) with `aad`.
    bool open(ByteView nonce, std::string_view aad, ByteView sealed, SecretBytes& plain) {
        const std::size_t n = sealed.size() - kTagSize;
        plain.get().assign(n, 0);
        const int ret = mbedtls_gcm_auth_decrypt(
            &ctx, n, nonce.data(), nonce.size(), reinterpret_cast<const unsigned char*>(aad.data()),
            aad.size(), sealed.data() + n, kTagSize, sealed.data(), plain.data());
        if (ret == MBEDTLS_ERR_GCM_AUTH_FAILED)
            return false;
        check(ret, "AES-GCM");
        return true;
    }
    mbedtls_gcm_context ctx;
};

// The additional data a content key is wrapped with: the scheme and the station's id.
std::string wrap_aad(const std::string& station_id) {
    return fmt::format("{} {}", kSealScheme, station_id);
}

std::string station_list(const SealedFile& file) {
    std::string out;
    for (const auto& r : file.recipients)
        out += fmt::format("{}{} ({})", out.empty() ? "" : ", ", r.label, r.id);
    return out;
}

}  // namespace

std::string seal_secrets(std::span<const Secret> secrets,
                         std::span<const StationPublicKey> recipients) {
    if (recipients.empty())
        throw Error(ErrorCode::Usage, "sealing secrets: give at least one station public key");
    if (recipients.size() > kMaxRecipients)
        throw Error(ErrorCode::Usage, fmt::format("sealing secrets: at most {} stations, not {}",
                                                  kMaxRecipients, recipients.size()));
    check_secrets(secrets);
    Rng rng;
    SealedFile file;
    for (const Secret& s : secrets)
        file.names.push_back(s.name);
    SecretBytes content_key(rng.bytes(32));
    for (const StationPublicKey& station : recipients) {
        const bool twice = std::any_of(file.recipients.begin(), file.recipients.end(),
                                       [&](const auto& r) { return r.id == station.id; });
        if (twice)
            throw Error(ErrorCode::Usage,
                        fmt::format("sealing secrets: station {} ({}) given twice", station.label,
                                    station.id));
        check_label(station.label, "station label", ErrorCode::BadInput);
        PkContext peer;
        parse_public_der(station.der, peer.pk, "station " + station.label);
        const mbedtls_ecp_keypair& q = *mbedtls_pk_ec(peer.pk);

        Keypair ephemeral;
        check(mbedtls_ecp_gen_keypair(&ephemeral.kp.grp, &ephemeral.kp.d, &ephemeral.kp.Q,
                                      mbedtls_ctr_drbg_random, rng.context()),
              "ephemeral P-256 key");
        SealedFile::Recipient r;
        r.id = key_id(station.der);  // the id of the key itself, whatever the caller filled in
        r.label = station.label;
        r.ephemeral_public_key = point_bytes(ephemeral.kp.grp, ephemeral.kp.Q);
        r.nonce = rng.bytes(kNonceSize);
        SecretBytes kek;
        derive_kek(ephemeral.kp.grp, q.Q, ephemeral.kp.d, r.ephemeral_public_key, r.id, rng, kek);
        r.wrapped_key = Gcm(kek).seal(r.nonce, wrap_aad(r.id), content_key.get());
        file.recipients.push_back(std::move(r));
    }
    file.nonce = rng.bytes(kNonceSize);
    SecretBytes plain(serialize_secrets(secrets));
    file.ciphertext = Gcm(content_key).seal(file.nonce, content_aad(file), plain.get());
    return format_sealed(file);
}

std::string plain_secrets(std::span<const Secret> secrets) {
    check_secrets(secrets);
    return format_plain(secrets);
}

SecretsInfo describe_secrets(std::string_view text, const std::string& where) {
    const ParsedSecrets parsed = parse_secrets_file(text, where);
    SecretsInfo info;
    if (parsed.plain) {
        info.scheme = std::string(kPlainScheme);
        for (const Secret& s : parsed.plain_secrets)
            info.names.push_back(s.name);
        return info;
    }
    info.scheme = std::string(kSealScheme);
    for (const auto& r : parsed.sealed.recipients)
        info.recipients.push_back({r.id, r.label});
    info.names = parsed.sealed.names;
    return info;
}

std::vector<Secret> open_secrets(std::string_view text, const StationPrivateKey* key,
                                 const std::string& where) {
    ParsedSecrets parsed = parse_secrets_file(text, where);
    if (parsed.plain)
        return std::move(parsed.plain_secrets);
    const SealedFile& file = parsed.sealed;
    if (key == nullptr)
        throw Error(ErrorCode::Usage,
                    fmt::format("{}: sealed to station(s) {}; open it with one of their private "
                                "keys (--station-key)",
                                where, station_list(file)));
    const auto it = std::find_if(file.recipients.begin(), file.recipients.end(),
                                 [&](const auto& r) { return r.id == key->id; });
    if (it == file.recipients.end())
        throw Error(ErrorCode::Verification,
                    fmt::format("{}: sealed to station(s) {}; this station's key is {} ({})", where,
                                station_list(file), key->label, key->id));
    const std::size_t index = static_cast<std::size_t>(it - file.recipients.begin());

    PkContext own;
    parse_private_der(key->der, own.pk, "the station's private key");
    const mbedtls_ecp_keypair& d = *mbedtls_pk_ec(own.pk);
    if (key_id(public_key_of(own.pk, "").der) != key->id)
        throw Error(ErrorCode::Usage, "the station's private key: its id does not match the key");
    Keypair ephemeral;
    const std::string field = fmt::format("recipients[{}].ephemeral_public_key", index);
    if (mbedtls_ecp_point_read_binary(&ephemeral.kp.grp, &ephemeral.kp.Q,
                                      it->ephemeral_public_key.data(),
                                      it->ephemeral_public_key.size()) != 0 ||
        mbedtls_ecp_check_pubkey(&ephemeral.kp.grp, &ephemeral.kp.Q) != 0) {
        throw Error(
            ErrorCode::Verification,
            fmt::format("{}: {}: not a point on P-256 (the file was altered)", where, field));
    }
    Rng rng;
    SecretBytes kek;
    derive_kek(ephemeral.kp.grp, ephemeral.kp.Q, d.d, it->ephemeral_public_key, it->id, rng, kek);
    SecretBytes content_key;
    if (!Gcm(kek).open(it->nonce, wrap_aad(it->id), it->wrapped_key, content_key))
        throw Error(ErrorCode::Verification,
                    fmt::format("{}: recipients[{}]: the wrapped key does not authenticate with "
                                "the key of station {} ({}): the file was altered",
                                where, index, key->label, key->id));
    SecretBytes plain;
    if (!Gcm(content_key).open(file.nonce, content_aad(file), file.ciphertext, plain))
        throw Error(ErrorCode::Verification,
                    fmt::format("{}: ciphertext: does not authenticate (the ciphertext, names or "
                                "recipients were altered after sealing)",
                                where));
    std::vector<Secret> secrets = parse_serialized_secrets(plain.get(), where);
    std::vector<std::string> names;
    for (const Secret& s : secrets)
        names.push_back(s.name);
    if (names != file.names) {
        for (Secret& s : secrets)
            mbedtls_platform_zeroize(s.value.data(), s.value.size());
        throw Error(ErrorCode::Verification,
                    fmt::format("{}: names: differ from the sealed secrets' names", where));
    }
    return secrets;
}

}  // namespace rtprov::pkg
