#include "rtprov/sim/key_blob.hpp"

#include <algorithm>
#include <array>
#include <optional>

#include <fmt/format.h>
#include <mbedtls/aes.h>
#include <mbedtls/ccm.h>
#include <mbedtls/platform_util.h>
#include <mbedtls/sha256.h>

#include "rtprov/hab/encrypt.hpp"
#include "rtprov/sim/bee_keys.hpp"
#include "rtprov/util/error.hpp"

namespace rtprov::sim {

namespace {

constexpr std::size_t kHeaderSize = 8;
constexpr std::size_t kKcvAt = 8, kKcvSize = 8;
constexpr std::size_t kWrappedAt = 16;
constexpr std::size_t kNonceAt = 32, kNonceSize = 8;
constexpr std::size_t kDekAt = 40;
constexpr std::size_t kMacAt = 56, kMacSize = 16;
static_assert(kMacAt + kMacSize == kSimKeyBlobSize);

using Key128 = std::array<std::uint8_t, 16>;

constexpr std::array<std::uint8_t, kHeaderSize> kHeader = {
    0x81, 0x00, static_cast<std::uint8_t>(kSimKeyBlobSize), 0x43, 0x66, 0x55, kSimDekSize, 0x00};

// Wipes a key when it goes out of scope.
template <typename T>
class Wipe {
  public:
    explicit Wipe(T& v) : v_(v) {}
    Wipe(const Wipe&) = delete;
    Wipe& operator=(const Wipe&) = delete;
    ~Wipe() { mbedtls_platform_zeroize(v_.data(), v_.size()); }

  private:
    T& v_;
};

std::array<std::uint8_t, 32> sha256(std::string_view label, ByteView data) {
    Bytes input(label.begin(), label.end());
    input.insert(input.end(), data.begin(), data.end());
    std::array<std::uint8_t, 32> digest{};
    mbedtls_sha256_ret(input.data(), input.size(), digest.data(), 0);
    mbedtls_platform_zeroize(input.data(), input.size());
    return digest;
}

Key128 kek_of(const Fuses& fuses) {
    std::array<std::uint8_t, 32> otpmk{};
    Wipe wipe_otpmk{otpmk};
    const bee::Key lo = sim_otpmk_key(fuses, 0), hi = sim_otpmk_key(fuses, 1);
    std::copy(lo.begin(), lo.end(), otpmk.begin());
    std::copy(hi.begin(), hi.end(), otpmk.begin() + 16);
    auto digest = sha256("rtprov-sim-dek-blob-kek", otpmk);
    Wipe wipe_digest{digest};
    Key128 kek{};
    std::copy_n(digest.begin(), kek.size(), kek.begin());
    return kek;
}

std::array<std::uint8_t, kKcvSize> kcv_of(const Key128& kek) {
    const auto digest = sha256("rtprov-sim-dek-blob-kcv", kek);
    std::array<std::uint8_t, kKcvSize> kcv{};
    std::copy_n(digest.begin(), kcv.size(), kcv.begin());
    return kcv;
}

// AES-128-ECB of one block (the blob key is random: one block, no mode needed).
Key128 aes_block(const Key128& key, const std::uint8_t* in, bool encrypt) {
    mbedtls_aes_context aes;
    mbedtls_aes_init(&aes);
    if (encrypt)
        mbedtls_aes_setkey_enc(&aes, key.data(), 128);
    else
        mbedtls_aes_setkey_dec(&aes, key.data(), 128);
    Key128 out{};
    mbedtls_aes_crypt_ecb(&aes, encrypt ? MBEDTLS_AES_ENCRYPT : MBEDTLS_AES_DECRYPT, in,
                          out.data());
    mbedtls_aes_free(&aes);
    return out;
}

// Encrypts `dek` into the blob's DEK and MAC fields: AES-128-CCM under the blob key, associated
// data = the blob's first 40 bytes (header, KCV, wrapped key, nonce).
bool seal_dek(const Key128& bk, Bytes& blob, ByteView dek) {
    mbedtls_ccm_context ctx;
    mbedtls_ccm_init(&ctx);
    int rc = mbedtls_ccm_setkey(&ctx, MBEDTLS_CIPHER_ID_AES, bk.data(), 128);
    if (rc == 0) {
        rc =
            mbedtls_ccm_encrypt_and_tag(&ctx, kSimDekSize, &blob[kNonceAt], kNonceSize, blob.data(),
                                        kDekAt, dek.data(), &blob[kDekAt], &blob[kMacAt], kMacSize);
    }
    mbedtls_ccm_free(&ctx);
    return rc == 0;
}

// The reverse of seal_dek: the DEK, or nullopt when the MAC does not match.
std::optional<Bytes> unseal_dek(const Key128& bk, ByteView blob) {
    Bytes dek(kSimDekSize, 0);
    mbedtls_ccm_context ctx;
    mbedtls_ccm_init(&ctx);
    int rc = mbedtls_ccm_setkey(&ctx, MBEDTLS_CIPHER_ID_AES, bk.data(), 128);
    if (rc == 0) {
        rc = mbedtls_ccm_auth_decrypt(&ctx, kSimDekSize, &blob[kNonceAt], kNonceSize, blob.data(),
                                      kDekAt, &blob[kDekAt], dek.data(), &blob[kMacAt], kMacSize);
    }
    mbedtls_ccm_free(&ctx);
    if (rc != 0) {
        mbedtls_platform_zeroize(dek.data(), dek.size());
        return std::nullopt;
    }
    return dek;
}

}  // namespace

Bytes make_key_blob(const Fuses& fuses, ByteView dek) {
    if (dek.size() != kSimDekSize)
        throw Error(ErrorCode::Usage,
                    fmt::format("DEK of {} bytes: the RT10xx DCP takes a 16-byte AES-128 DEK only",
                                dek.size()));
    Key128 kek = kek_of(fuses);
    Wipe wipe_kek{kek};
    Key128 bk{};
    Wipe wipe_bk{bk};
    Bytes random = hab::random_bytes(bk.size() + kNonceSize);
    std::copy_n(random.begin(), bk.size(), bk.begin());

    Bytes blob(kSimKeyBlobSize, 0);
    std::copy(kHeader.begin(), kHeader.end(), blob.begin());
    const auto kcv = kcv_of(kek);
    std::copy(kcv.begin(), kcv.end(), blob.begin() + kKcvAt);
    const Key128 wrapped = aes_block(kek, bk.data(), true);
    std::copy(wrapped.begin(), wrapped.end(), blob.begin() + kWrappedAt);
    std::copy_n(random.begin() + bk.size(), kNonceSize, blob.begin() + kNonceAt);
    mbedtls_platform_zeroize(random.data(), random.size());
    if (!seal_dek(bk, blob, dek))
        throw Error(ErrorCode::Internal, "DEK blob: AES-CCM failed");
    return blob;
}

OpenedKeyBlob open_key_blob(const Fuses& fuses, ByteView blob) {
    OpenedKeyBlob out;
    if (blob.size() != kSimKeyBlobSize) {
        out.fault = KeyBlobFault::NotABlob;
        out.reason = fmt::format("{} bytes, not the {} of a blob", blob.size(), kSimKeyBlobSize);
        return out;
    }
    for (std::size_t i = 0; i < kHeader.size(); ++i) {
        if (blob[i] != kHeader[i]) {
            out.fault = KeyBlobFault::NotABlob;
            out.reason = fmt::format("header byte {} is 0x{:02X}, expected 0x{:02X}", i, blob[i],
                                     kHeader[i]);
            return out;
        }
    }
    Key128 kek = kek_of(fuses);
    Wipe wipe_kek{kek};
    const auto kcv = kcv_of(kek);
    if (!std::equal(kcv.begin(), kcv.end(), blob.begin() + kKcvAt)) {
        out.fault = KeyBlobFault::OtherPart;
        out.reason = "was made by another part (it does not open with this part's OTPMK)";
        return out;
    }
    Key128 bk = aes_block(kek, &blob[kWrappedAt], false);
    Wipe wipe_bk{bk};
    std::optional<Bytes> dek = unseal_dek(bk, blob);
    if (!dek) {
        out.fault = KeyBlobFault::Damaged;
        out.reason = "is damaged (its MAC does not match)";
        return out;
    }
    out.dek = std::move(*dek);
    return out;
}

}  // namespace rtprov::sim
