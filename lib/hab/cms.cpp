#include "rtprov/hab/cms.hpp"

#include <string>

#include <fmt/format.h>
#include <mbedtls/asn1write.h>
#include <mbedtls/oid.h>

#include "rtprov/util/error.hpp"

namespace rtprov::hab {
namespace {

// OIDs as DER contents (mbedTLS 2.28 has no PKCS#7 / PKCS#9 attribute OIDs).
#define RTPROV_OID_PKCS7 MBEDTLS_OID_PKCS "\x07"
#define RTPROV_OID_PKCS9 MBEDTLS_OID_PKCS "\x09"
constexpr std::string_view kOidData = RTPROV_OID_PKCS7 "\x01";
constexpr std::string_view kOidSignedData = RTPROV_OID_PKCS7 "\x02";
constexpr std::string_view kOidContentType = RTPROV_OID_PKCS9 "\x03";
constexpr std::string_view kOidMessageDigest = RTPROV_OID_PKCS9 "\x04";
constexpr std::string_view kOidSigningTime = RTPROV_OID_PKCS9 "\x05";
constexpr std::string_view kOidSha256 = MBEDTLS_OID_DIGEST_ALG_SHA256;
constexpr std::string_view kOidRsaEncryption = MBEDTLS_OID_PKCS1_RSA;
constexpr std::string_view kOidEcdsaSha256 = MBEDTLS_OID_ECDSA_SHA256;

constexpr unsigned char kSequence = MBEDTLS_ASN1_CONSTRUCTED | MBEDTLS_ASN1_SEQUENCE;
constexpr unsigned char kSet = MBEDTLS_ASN1_CONSTRUCTED | MBEDTLS_ASN1_SET;
constexpr unsigned char kContext0 = MBEDTLS_ASN1_CONSTRUCTED | MBEDTLS_ASN1_CONTEXT_SPECIFIC | 0;

// DER is written back to front, as mbedTLS does: children first, then the header that wraps
// them, whose length is the number of bytes written since the child started (a mark).
class DerWriter {
  public:
    explicit DerWriter(std::size_t capacity) : buf_(capacity), p_(buf_.data() + buf_.size()) {}

    std::size_t mark() const { return written(); }
    void wrap(std::size_t mark, unsigned char tag) {
        check(mbedtls_asn1_write_len(&p_, buf_.data(), written() - mark));
        check(mbedtls_asn1_write_tag(&p_, buf_.data(), tag));
    }
    void raw(ByteView bytes) {
        check(mbedtls_asn1_write_raw_buffer(&p_, buf_.data(), bytes.data(), bytes.size()));
    }
    void oid(std::string_view oid) {
        check(mbedtls_asn1_write_oid(&p_, buf_.data(), oid.data(), oid.size()));
    }
    void null() { check(mbedtls_asn1_write_null(&p_, buf_.data())); }
    void small_int(int value) { check(mbedtls_asn1_write_int(&p_, buf_.data(), value)); }
    void octet_string(ByteView bytes) {
        check(mbedtls_asn1_write_octet_string(&p_, buf_.data(), bytes.data(), bytes.size()));
    }
    void utc_time(const std::string& text) {
        check(mbedtls_asn1_write_tagged_string(&p_, buf_.data(), MBEDTLS_ASN1_UTC_TIME, text.data(),
                                               text.size()));
    }
    // AlgorithmIdentifier with or without a NULL parameter.
    void algorithm(std::string_view oid, bool null_params) {
        const std::size_t m = mark();
        if (null_params)
            null();
        this->oid(oid);
        wrap(m, kSequence);
    }
    Bytes bytes() const {
        return Bytes(static_cast<const std::uint8_t*>(p_), buf_.data() + buf_.size());
    }

  private:
    std::size_t written() const { return static_cast<std::size_t>(buf_.data() + buf_.size() - p_); }
    static void check(int ret) {
        if (ret < 0)
            throw Error(ErrorCode::Internal, fmt::format("CMS DER writer failed (-0x{:04X})",
                                                         static_cast<unsigned>(-ret)));
    }
    Bytes buf_;
    unsigned char* p_;
};

std::string utc_time_text(std::time_t t) {
    std::tm tm{};
    if (gmtime_r(&t, &tm) == nullptr || tm.tm_year < 50 || tm.tm_year >= 150)
        throw Error(ErrorCode::Usage, "signature time must be within 1950..2049 (CMS UTCTime)");
    return fmt::format("{:02}{:02}{:02}{:02}{:02}{:02}Z", tm.tm_year % 100, tm.tm_mon + 1,
                       tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

// The contents of the signed attributes SET: contentType, signingTime, messageDigest.
void write_attributes(DerWriter& w, ByteView digest, const std::string& time) {
    auto attribute = [&w](std::string_view oid, auto&& write_value) {
        const std::size_t m = w.mark();
        const std::size_t set = w.mark();
        write_value();
        w.wrap(set, kSet);
        w.oid(oid);
        w.wrap(m, kSequence);
    };
    attribute(kOidMessageDigest, [&] { w.octet_string(digest); });
    attribute(kOidSigningTime, [&] { w.utc_time(time); });
    attribute(kOidContentType, [&] { w.oid(kOidData); });
}

}  // namespace

Bytes cms_sign(ByteView data, const PrivateKey& key, const Certificate& cert,
               std::time_t signing_time) {
    const std::string time = utc_time_text(signing_time);
    const Bytes digest = sha256(data);

    // What is signed is the DER of the attributes as a SET (tag 0x31), not as [0].
    DerWriter attrs(512);
    write_attributes(attrs, digest, time);
    attrs.wrap(0, kSet);
    const Bytes signed_attrs = attrs.bytes();
    const Bytes signature = key.sign_sha256(signed_attrs);
    const bool rsa = key.type() == KeyType::Rsa;

    DerWriter w(1024 + signature.size() + cert.issuer_der.size() + cert.serial.size());
    const std::size_t content_info = w.mark();
    const std::size_t explicit0 = w.mark();
    const std::size_t signed_data = w.mark();
    {
        const std::size_t signer_infos = w.mark();
        const std::size_t signer_info = w.mark();
        w.octet_string(signature);
        if (rsa)
            w.algorithm(kOidRsaEncryption, true);
        else
            w.algorithm(kOidEcdsaSha256, false);
        const std::size_t attrs_mark = w.mark();
        write_attributes(w, digest, time);
        w.wrap(attrs_mark, kContext0);
        w.algorithm(kOidSha256, false);
        const std::size_t sid = w.mark();
        const std::size_t serial = w.mark();
        w.raw(cert.serial);
        w.wrap(serial, MBEDTLS_ASN1_INTEGER);
        w.raw(cert.issuer_der);
        w.wrap(sid, kSequence);
        w.small_int(1);
        w.wrap(signer_info, kSequence);
        w.wrap(signer_infos, kSet);
    }
    const std::size_t encap = w.mark();
    w.oid(kOidData);
    w.wrap(encap, kSequence);
    const std::size_t digest_algs = w.mark();
    w.algorithm(kOidSha256, false);
    w.wrap(digest_algs, kSet);
    w.small_int(1);
    w.wrap(signed_data, kSequence);
    w.wrap(explicit0, kContext0);
    w.oid(kOidSignedData);
    w.wrap(content_info, kSequence);
    return w.bytes();
}

}  // namespace rtprov::hab
