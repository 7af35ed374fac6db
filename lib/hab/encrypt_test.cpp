// AES-CCM as HAB uses it: nonce sizing, round trip, MAC failure.

#include "rtprov/hab/encrypt.hpp"

#include <gtest/gtest.h>

#include "rtprov/util/error.hpp"

namespace rtprov::hab {
namespace {

TEST(Encrypt, NonceSizeFollowsDataSize) {
    EXPECT_EQ(ccm_nonce_size(0x1830), 13u);
    EXPECT_EQ(ccm_nonce_size(0xFFFF), 13u);
    EXPECT_EQ(ccm_nonce_size(0x10000), 12u);
    EXPECT_EQ(ccm_nonce_size(0x1000000), 11u);
}

TEST(Encrypt, RoundTripAndMacCheck) {
    const Bytes dek(16, 0x42), nonce(13, 0x07);
    Bytes plain(0x1830);
    for (std::size_t i = 0; i < plain.size(); ++i)
        plain[i] = static_cast<std::uint8_t>(i * 7);
    const CcmResult enc = ccm_encrypt(dek, nonce, plain);
    EXPECT_EQ(enc.mac.size(), kHabMacSize);
    EXPECT_FALSE(enc.ciphertext == plain);
    EXPECT_TRUE(ccm_decrypt(dek, nonce, enc.ciphertext, enc.mac) == plain);

    Bytes tampered = enc.ciphertext;
    tampered[5] ^= 1;
    try {
        ccm_decrypt(dek, nonce, tampered, enc.mac);
        FAIL() << "no error";
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), ErrorCode::Verification);
        EXPECT_STREQ(e.what(), "AES-CCM MAC mismatch: wrong DEK or corrupted data");
    }
}

TEST(Encrypt, RejectsBadKeyAndNonceSizes) {
    try {
        ccm_encrypt(Bytes(15), Bytes(13), Bytes(16));
        FAIL();
    } catch (const Error& e) {
        EXPECT_STREQ(e.what(), "the DEK must be 16, 24 or 32 bytes, not 15");
    }
    try {
        ccm_encrypt(Bytes(32), Bytes(14), Bytes(16));
        FAIL();
    } catch (const Error& e) {
        EXPECT_STREQ(e.what(), "the AES-CCM nonce must be 7..13 bytes, not 14");
    }
}

TEST(Encrypt, RandomBytesDiffer) {
    EXPECT_EQ(random_bytes(13).size(), 13u);
    EXPECT_FALSE(random_bytes(16) == random_bytes(16));
}

}  // namespace
}  // namespace rtprov::hab
