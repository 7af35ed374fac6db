#include "rtprov/hab/encrypt.hpp"

#include <fmt/format.h>
#include <mbedtls/ccm.h>
#include <mbedtls/ctr_drbg.h>
#include <mbedtls/entropy.h>

#include "rtprov/util/error.hpp"

namespace rtprov::hab {
namespace {

void check_key_and_nonce(ByteView dek, ByteView nonce) {
    if (dek.size() != 16 && dek.size() != 24 && dek.size() != 32)
        throw Error(ErrorCode::Usage,
                    fmt::format("the DEK must be 16, 24 or 32 bytes, not {}", dek.size()));
    if (nonce.size() < 7 || nonce.size() > 13)
        throw Error(ErrorCode::Usage,
                    fmt::format("the AES-CCM nonce must be 7..13 bytes, not {}", nonce.size()));
}

// RAII for the CCM context with the DEK set.
class Ccm {
  public:
    explicit Ccm(ByteView dek) {
        mbedtls_ccm_init(&ctx_);
        const int ret = mbedtls_ccm_setkey(&ctx_, MBEDTLS_CIPHER_ID_AES, dek.data(),
                                           static_cast<unsigned>(dek.size() * 8));
        if (ret != 0) {
            mbedtls_ccm_free(&ctx_);
            throw Error(ErrorCode::Internal, fmt::format("AES-CCM key setup failed (-0x{:04X})",
                                                         static_cast<unsigned>(-ret)));
        }
    }
    ~Ccm() { mbedtls_ccm_free(&ctx_); }
    Ccm(const Ccm&) = delete;
    Ccm& operator=(const Ccm&) = delete;
    mbedtls_ccm_context* get() { return &ctx_; }

  private:
    mbedtls_ccm_context ctx_;
};

}  // namespace

std::size_t ccm_nonce_size(std::size_t data_size) noexcept {
    std::size_t length_bytes = 0;
    for (std::size_t n = data_size; n != 0; n >>= 8)
        ++length_bytes;
    length_bytes = std::max<std::size_t>(length_bytes, 2);
    return 15 - std::min<std::size_t>(length_bytes, 8);
}

Bytes random_bytes(std::size_t size) {
    mbedtls_entropy_context entropy;
    mbedtls_ctr_drbg_context drbg;
    mbedtls_entropy_init(&entropy);
    mbedtls_ctr_drbg_init(&drbg);
    Bytes out(size);
    int ret = mbedtls_ctr_drbg_seed(&drbg, mbedtls_entropy_func, &entropy, nullptr, 0);
    if (ret == 0)
        ret = mbedtls_ctr_drbg_random(&drbg, out.data(), out.size());
    mbedtls_ctr_drbg_free(&drbg);
    mbedtls_entropy_free(&entropy);
    if (ret != 0)
        throw Error(ErrorCode::Internal, fmt::format("random generator failed (-0x{:04X})",
                                                     static_cast<unsigned>(-ret)));
    return out;
}

CcmResult ccm_encrypt(ByteView dek, ByteView nonce, ByteView plaintext) {
    check_key_and_nonce(dek, nonce);
    Ccm ccm(dek);
    CcmResult result{Bytes(plaintext.size()), Bytes(kHabMacSize)};
    const int ret = mbedtls_ccm_encrypt_and_tag(
        ccm.get(), plaintext.size(), nonce.data(), nonce.size(), nullptr, 0, plaintext.data(),
        result.ciphertext.data(), result.mac.data(), result.mac.size());
    if (ret != 0)
        throw Error(ErrorCode::Internal, fmt::format("AES-CCM encryption failed (-0x{:04X})",
                                                     static_cast<unsigned>(-ret)));
    return result;
}

Bytes ccm_decrypt(ByteView dek, ByteView nonce, ByteView ciphertext, ByteView mac) {
    check_key_and_nonce(dek, nonce);
    Ccm ccm(dek);
    Bytes plain(ciphertext.size());
    const int ret =
        mbedtls_ccm_auth_decrypt(ccm.get(), ciphertext.size(), nonce.data(), nonce.size(), nullptr,
                                 0, ciphertext.data(), plain.data(), mac.data(), mac.size());
    if (ret == MBEDTLS_ERR_CCM_AUTH_FAILED)
        throw Error(ErrorCode::Verification, "AES-CCM MAC mismatch: wrong DEK or corrupted data");
    if (ret != 0)
        throw Error(ErrorCode::Internal, fmt::format("AES-CCM decryption failed (-0x{:04X})",
                                                     static_cast<unsigned>(-ret)));
    return plain;
}

}  // namespace rtprov::hab
