#pragma once
// RAII holders for the mbedTLS objects used by the SRK, PKI and verify code (private to lib/hab).

#include <string>
#include <string_view>

#include <fmt/format.h>
#include <mbedtls/ctr_drbg.h>
#include <mbedtls/entropy.h>
#include <mbedtls/error.h>
#include <mbedtls/pk.h>
#include <mbedtls/x509_crt.h>

#include "rtprov/util/bytes.hpp"
#include "rtprov/util/error.hpp"

namespace rtprov::hab::detail {

// mbedTLS's text for an error code ("RSA - The private key operation failed", ...).
inline std::string mbedtls_message(int code) {
    char buf[160] = {};
    mbedtls_strerror(code, buf, sizeof buf);
    return fmt::format("{} (-0x{:04X})", buf, static_cast<unsigned>(-code));
}

class X509Cert {
  public:
    X509Cert() { mbedtls_x509_crt_init(&crt_); }
    ~X509Cert() { mbedtls_x509_crt_free(&crt_); }
    X509Cert(const X509Cert&) = delete;
    X509Cert& operator=(const X509Cert&) = delete;

    // Parses one DER certificate; throws Error(BadInput) "<what>: not an X.509 certificate: ...".
    void parse_der(ByteView der, std::string_view what) {
        const int rc = mbedtls_x509_crt_parse_der(&crt_, der.data(), der.size());
        if (rc != 0) {
            throw Error(ErrorCode::BadInput,
                        fmt::format("{}: not an X.509 certificate: {}", what, mbedtls_message(rc)));
        }
    }
    mbedtls_x509_crt* get() { return &crt_; }
    const mbedtls_x509_crt* get() const { return &crt_; }

  private:
    mbedtls_x509_crt crt_;
};

class PkContext {
  public:
    PkContext() { mbedtls_pk_init(&pk_); }
    ~PkContext() { mbedtls_pk_free(&pk_); }
    PkContext(const PkContext&) = delete;
    PkContext& operator=(const PkContext&) = delete;
    mbedtls_pk_context* get() { return &pk_; }
    const mbedtls_pk_context* get() const { return &pk_; }

  private:
    mbedtls_pk_context pk_;
};

// A CTR-DRBG seeded from the system entropy, or deterministically from `seed` when non-empty
// (tests). mbedtls_ctr_drbg_random with get() as the context is the RNG callback.
class Drbg {
  public:
    explicit Drbg(std::string_view seed = {});
    ~Drbg();
    Drbg(const Drbg&) = delete;
    Drbg& operator=(const Drbg&) = delete;
    mbedtls_ctr_drbg_context* get() { return &drbg_; }

  private:
    mbedtls_entropy_context entropy_;
    mbedtls_ctr_drbg_context drbg_;
};

}  // namespace rtprov::hab::detail
