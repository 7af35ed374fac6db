#pragma once
// HAB encryption primitives: AES-CCM of the decrypt blocks with the DEK (no associated data,
// 16-byte MAC), as the boot ROM's Decrypt Data command expects.

#include <cstddef>

#include "rtprov/util/bytes.hpp"

namespace rtprov::hab {

constexpr std::size_t kHabMacSize = 16;

// Nonce length NXP uses for `data_size` bytes: 15 - bytes needed to hold the size (min 2).
std::size_t ccm_nonce_size(std::size_t data_size) noexcept;

// `size` random bytes (mbedTLS CTR-DRBG seeded from the system entropy).
Bytes random_bytes(std::size_t size);

struct CcmResult {
    Bytes ciphertext;
    Bytes mac;  // kHabMacSize bytes
};

// AES-CCM encryption. Throws Error(Usage) when the DEK is not 16/24/32 bytes or the nonce
// length is outside 7..13.
CcmResult ccm_encrypt(ByteView dek, ByteView nonce, ByteView plaintext);

// AES-CCM decryption and MAC check. Throws Error(Verification) "MAC mismatch" when it fails.
Bytes ccm_decrypt(ByteView dek, ByteView nonce, ByteView ciphertext, ByteView mac);

}  // namespace rtprov::hab
