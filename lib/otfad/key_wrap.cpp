// RFC 3394 AES key wrap, section 2.2.1 (wrap) and 2.2.2 (unwrap), index-based form.

#include "rtprov/otfad/key_wrap.hpp"

#include <algorithm>
#include <cstring>

#include <fmt/format.h>
#include <mbedtls/aes.h>
#include <mbedtls/platform_util.h>

#include "rtprov/util/error.hpp"

namespace rtprov::otfad {

namespace {

constexpr std::uint8_t kDefaultIv = 0xA6;

class AesBlock {
  public:
    AesBlock(const bee::Key& key, bool encrypt) : encrypt_(encrypt) {
        mbedtls_aes_init(&ctx_);
        const int ret = encrypt ? mbedtls_aes_setkey_enc(&ctx_, key.data(), 128)
                                : mbedtls_aes_setkey_dec(&ctx_, key.data(), 128);
        if (ret != 0) {
            mbedtls_aes_free(&ctx_);
            throw Error(ErrorCode::Internal, fmt::format("AES key setup failed (-0x{:04X})",
                                                         static_cast<unsigned>(-ret)));
        }
    }
    ~AesBlock() { mbedtls_aes_free(&ctx_); }
    AesBlock(const AesBlock&) = delete;
    AesBlock& operator=(const AesBlock&) = delete;

    void run(std::uint8_t block[16]) {
        if (mbedtls_aes_crypt_ecb(&ctx_, encrypt_ ? MBEDTLS_AES_ENCRYPT : MBEDTLS_AES_DECRYPT,
                                  block, block) != 0)
            throw Error(ErrorCode::Internal, "AES block operation failed");
    }

  private:
    mbedtls_aes_context ctx_;
    bool encrypt_;
};

// The 64-bit step counter t, XORed into A big-endian.
void xor_counter(std::uint8_t a[8], std::uint64_t t) {
    for (int i = 7; i >= 0; --i, t >>= 8)
        a[i] ^= static_cast<std::uint8_t>(t);
}

}  // namespace

Bytes aes_key_wrap(const bee::Key& kek, ByteView plain) {
    if (plain.size() % 8 != 0 || plain.size() < 16) {
        throw Error(ErrorCode::Internal,
                    fmt::format("key wrap of {} bytes (a multiple of 8, at least 16)",
                                plain.size()));
    }
    const std::size_t n = plain.size() / 8;
    Bytes out(8 + plain.size());
    std::fill_n(out.begin(), 8, kDefaultIv);
    std::copy(plain.begin(), plain.end(), out.begin() + 8);
    AesBlock aes(kek, true);
    std::uint8_t b[16];
    for (std::uint64_t j = 0; j < 6; ++j) {
        for (std::size_t i = 1; i <= n; ++i) {
            std::memcpy(b, out.data(), 8);
            std::memcpy(b + 8, out.data() + 8 * i, 8);
            aes.run(b);
            xor_counter(b, n * j + i);
            std::memcpy(out.data(), b, 8);
            std::memcpy(out.data() + 8 * i, b + 8, 8);
        }
    }
    mbedtls_platform_zeroize(b, sizeof b);
    return out;
}

std::optional<Bytes> aes_key_unwrap(const bee::Key& kek, ByteView wrapped) {
    if (wrapped.size() % 8 != 0 || wrapped.size() < 24)
        return std::nullopt;
    const std::size_t n = wrapped.size() / 8 - 1;
    Bytes r(wrapped.begin(), wrapped.end());  // r[0..8) is A
    AesBlock aes(kek, false);
    std::uint8_t b[16];
    for (std::uint64_t j = 6; j-- > 0;) {
        for (std::size_t i = n; i >= 1; --i) {
            std::memcpy(b, r.data(), 8);
            xor_counter(b, n * j + i);
            std::memcpy(b + 8, r.data() + 8 * i, 8);
            aes.run(b);
            std::memcpy(r.data(), b, 8);
            std::memcpy(r.data() + 8 * i, b + 8, 8);
        }
    }
    mbedtls_platform_zeroize(b, sizeof b);
    std::uint8_t diff = 0;
    for (std::size_t i = 0; i < 8; ++i)
        diff |= static_cast<std::uint8_t>(r[i] ^ kDefaultIv);
    if (diff != 0) {
        mbedtls_platform_zeroize(r.data(), r.size());
        return std::nullopt;
    }
    return Bytes(r.begin() + 8, r.end());
}

}  // namespace rtprov::otfad
