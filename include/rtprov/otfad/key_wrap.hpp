#pragma once
// AES key wrap (RFC 3394, NIST SP 800-38F "KW") with a 128-bit key-encryption key and the default
// IV A6A6A6A6A6A6A6A6: what wraps an OTFAD key blob. Debian's mbedTLS 2.28 is built without
// MBEDTLS_NIST_KW_C (nist_kw.h is installed, mbedtls_nist_kw_* are not in libmbedcrypto), so this
// is RFC 3394 section 2.2 over mbedTLS's AES block function; key_wrap_test.cpp checks it against
// the RFC's test vectors.

#include <optional>

#include "rtprov/bee/bee.hpp"
#include "rtprov/util/bytes.hpp"

namespace rtprov::otfad {

// Wraps `plain` (a multiple of 8 bytes, at least 16) into plain.size() + 8 bytes.
// Throws Error(Internal) for another length.
Bytes aes_key_wrap(const bee::Key& kek, ByteView plain);

// Unwraps; nullopt when the integrity check fails (another KEK, or not wrapped data) or the
// length is not a multiple of 8 of at least 24.
std::optional<Bytes> aes_key_unwrap(const bee::Key& kek, ByteView wrapped);

}  // namespace rtprov::otfad
