#pragma once
// What seal.cpp (the secrets file) and seal_keys.cpp (station key files) share: mbedTLS error
// text, a seeded random generator, lowercase hex, and buffers wiped when they go.

#include <string>
#include <string_view>

#include <mbedtls/ctr_drbg.h>
#include <mbedtls/entropy.h>
#include <mbedtls/pk.h>
#include <mbedtls/platform_util.h>

#include "rtprov/pkg/seal.hpp"
#include "rtprov/util/bytes.hpp"
#include "rtprov/util/error.hpp"

namespace rtprov::pkg::seal_detail {

// "text (-0xNNNN)" for an mbedTLS return code.
std::string mbedtls_message(int ret);

// Throws Error(Internal) "WHAT: mbedTLS message" when ret != 0 (a call that only fails on a bug
// or an exhausted entropy source).
void check(int ret, std::string_view what);

// A CTR-DRBG seeded from the system's entropy.
class Rng {
  public:
    Rng();
    ~Rng();
    Rng(const Rng&) = delete;
    Rng& operator=(const Rng&) = delete;
    mbedtls_ctr_drbg_context* context() { return &drbg_; }
    // `n` random bytes.
    Bytes bytes(std::size_t n);

  private:
    mbedtls_entropy_context entropy_;
    mbedtls_ctr_drbg_context drbg_;
};

// Key material: zeroed with mbedtls_platform_zeroize when it goes out of scope.
class SecretBytes {
  public:
    SecretBytes() = default;
    explicit SecretBytes(std::size_t n) : data_(n) {}
    explicit SecretBytes(Bytes data) : data_(std::move(data)) {}
    ~SecretBytes() { wipe(); }
    SecretBytes(const SecretBytes&) = delete;
    SecretBytes& operator=(const SecretBytes&) = delete;
    Bytes& get() { return data_; }
    const Bytes& get() const { return data_; }
    std::uint8_t* data() { return data_.data(); }
    std::size_t size() const { return data_.size(); }
    void wipe() {
        if (!data_.empty())
            mbedtls_platform_zeroize(data_.data(), data_.size());
    }

  private:
    Bytes data_;
};

// An mbedtls_pk_context that frees itself (mbedtls_pk_free zeroes the private key).
struct PkContext {
    PkContext() { mbedtls_pk_init(&pk); }
    ~PkContext() { mbedtls_pk_free(&pk); }
    PkContext(const PkContext&) = delete;
    PkContext& operator=(const PkContext&) = delete;
    mbedtls_pk_context pk;
};

// Lowercase hex of `data`.
std::string to_hex(ByteView data);

// A station key's id: the first 16 hex digits of the SHA-256 of its SubjectPublicKeyInfo (DER).
std::string key_id(ByteView spki_der);

// The public key of `pk` (public or private) as a StationPublicKey labelled `label`.
StationPublicKey public_key_of(mbedtls_pk_context& pk, const std::string& label);

// Parses a station public key from DER (SubjectPublicKeyInfo) into `out`; Error(BadInput)
// "WHERE: ..." when it is not a P-256 key.
void parse_public_der(ByteView der, mbedtls_pk_context& out, const std::string& where);

// Parses a station private key from DER into `out` (the same errors).
void parse_private_der(ByteView der, mbedtls_pk_context& out, const std::string& where);

// Throws Error(code) "WHAT: ..." unless `label` is 1..64 bytes of UTF-8 without control
// characters (it is shown by import-pkg and written into JSON).
void check_label(std::string_view label, std::string_view what, ErrorCode code);

}  // namespace rtprov::pkg::seal_detail
