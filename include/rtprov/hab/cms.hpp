#pragma once
// CMS (PKCS#7) SignedData as HAB expects it (spec/hab.md section 8): detached, no certificates,
// one SignerInfo with signed attributes contentType, signingTime, messageDigest.

#include <ctime>

#include "rtprov/hab/key_io.hpp"
#include "rtprov/util/bytes.hpp"

namespace rtprov::hab {

// The DER of SignedData over `data`, signed by `key` whose certificate is `cert`, with the given
// signingTime (UTC, encoded as UTCTime YYMMDDHHMMSSZ). Deterministic for RSA keys.
// Throws Error(Internal) when mbedTLS fails, Error(Usage) when the time is outside 1950..2049.
Bytes cms_sign(ByteView data, const PrivateKey& key, const Certificate& cert,
               std::time_t signing_time);

}  // namespace rtprov::hab
