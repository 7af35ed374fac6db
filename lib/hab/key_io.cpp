#include "rtprov/hab/key_io.hpp"

#include <cstring>

#include <fmt/format.h>
#include <mbedtls/ctr_drbg.h>
#include <mbedtls/entropy.h>
#include <mbedtls/error.h>
#include <mbedtls/pk.h>
#include <mbedtls/sha256.h>
#include <mbedtls/x509_crt.h>

#include "key_backend.hpp"
#include "rtprov/p11/token.hpp"
#include "rtprov/util/error.hpp"
#include "rtprov/util/file.hpp"

namespace rtprov::hab {
namespace {

std::string mbedtls_message(int ret) {
    char buf[160];
    mbedtls_strerror(ret, buf, sizeof buf);
    return fmt::format("{} (-0x{:04X})", buf, static_cast<unsigned>(-ret));
}

bool looks_like_pem(ByteView data) {
    static constexpr char kBegin[] = "-----BEGIN ";
    const std::string_view text(reinterpret_cast<const char*>(data.data()), data.size());
    return text.find(kBegin) != std::string_view::npos;
}

// mbedTLS parses PEM only from a NUL-terminated buffer whose length counts the NUL.
Bytes with_terminator(ByteView data) {
    Bytes buf(data.begin(), data.end());
    buf.push_back(0);
    return buf;
}

// A DRBG for RSA blinding (the PKCS#1 v1.5 signature itself does not depend on it).
class Rng {
  public:
    Rng() {
        mbedtls_entropy_init(&entropy_);
        mbedtls_ctr_drbg_init(&drbg_);
        static constexpr char kPersonal[] = "rtprov-hab";
        const int ret = mbedtls_ctr_drbg_seed(&drbg_, mbedtls_entropy_func, &entropy_,
                                              reinterpret_cast<const unsigned char*>(kPersonal),
                                              sizeof kPersonal - 1);
        if (ret != 0)
            throw Error(ErrorCode::Internal,
                        "seeding the random generator: " + mbedtls_message(ret));
    }
    ~Rng() {
        mbedtls_ctr_drbg_free(&drbg_);
        mbedtls_entropy_free(&entropy_);
    }
    Rng(const Rng&) = delete;
    Rng& operator=(const Rng&) = delete;
    mbedtls_ctr_drbg_context* context() { return &drbg_; }

  private:
    mbedtls_entropy_context entropy_;
    mbedtls_ctr_drbg_context drbg_;
};

}  // namespace

Bytes sha256(ByteView data) {
    Bytes digest(32);
    const int ret = mbedtls_sha256_ret(data.data(), data.size(), digest.data(), 0);
    if (ret != 0)
        throw Error(ErrorCode::Internal, "SHA-256: " + mbedtls_message(ret));
    return digest;
}

Certificate parse_certificate(ByteView pem_or_der, const std::string& name) {
    mbedtls_x509_crt crt;
    mbedtls_x509_crt_init(&crt);
    const Bytes buf = looks_like_pem(pem_or_der) ? with_terminator(pem_or_der)
                                                 : Bytes(pem_or_der.begin(), pem_or_der.end());
    const int ret = mbedtls_x509_crt_parse(&crt, buf.data(), buf.size());
    if (ret != 0) {
        mbedtls_x509_crt_free(&crt);
        throw Error(ErrorCode::BadInput,
                    fmt::format("{}: not an X.509 certificate ({})", name, mbedtls_message(ret)));
    }
    Certificate cert;
    cert.der.assign(crt.raw.p, crt.raw.p + crt.raw.len);
    cert.issuer_der.assign(crt.issuer_raw.p, crt.issuer_raw.p + crt.issuer_raw.len);
    cert.serial.assign(crt.serial.p, crt.serial.p + crt.serial.len);
    cert.key_type = mbedtls_pk_can_do(&crt.pk, MBEDTLS_PK_ECKEY) ? KeyType::Ecc : KeyType::Rsa;
    cert.key_bits = mbedtls_pk_get_bitlen(&crt.pk);
    cert.is_ca = crt.ca_istrue != 0;
    mbedtls_x509_crt_free(&crt);
    return cert;
}

std::string key_display_name(const std::filesystem::path& path) {
    return p11::is_uri(path.native()) ? p11::uri_for_messages(path.native()) : path.string();
}

Certificate load_certificate(const std::filesystem::path& path) {
    if (p11::is_uri(path.native()))  // a certificate object on a token
        return parse_certificate(p11::read_certificate(path.native()),
                                 p11::uri_for_messages(path.native()));
    return parse_certificate(read_file_limited(path, kMaxKeyFile), path.string());
}

namespace {

// A key file, parsed and held by mbedTLS.
class FileKey final : public detail::KeyBackend {
  public:
    FileKey() { mbedtls_pk_init(&pk_); }
    ~FileKey() override { mbedtls_pk_free(&pk_); }
    FileKey(const FileKey&) = delete;
    FileKey& operator=(const FileKey&) = delete;
    mbedtls_pk_context* pk() { return &pk_; }

    KeyType type() const override {
        return mbedtls_pk_can_do(&pk_, MBEDTLS_PK_ECKEY) ? KeyType::Ecc : KeyType::Rsa;
    }
    std::size_t bits() const override { return mbedtls_pk_get_bitlen(&pk_); }

    Bytes sign_sha256(ByteView, ByteView digest) const override {
        Rng rng;
        Bytes sig(MBEDTLS_PK_SIGNATURE_MAX_SIZE);
        std::size_t sig_len = 0;
        const int ret =
            mbedtls_pk_sign(const_cast<mbedtls_pk_context*>(&pk_), MBEDTLS_MD_SHA256,
                            digest.data(), digest.size(), sig.data(), &sig_len,
                            mbedtls_ctr_drbg_random, rng.context());
        if (ret != 0)
            throw Error(ErrorCode::Internal, "signing: " + mbedtls_message(ret));
        sig.resize(sig_len);
        return sig;
    }

    Bytes public_key_der() const override {
        Bytes buf(4096);
        // mbedtls writes DER at the end of the buffer and returns its length.
        const int n = mbedtls_pk_write_pubkey_der(const_cast<mbedtls_pk_context*>(&pk_),
                                                  buf.data(), buf.size());
        if (n <= 0)
            throw Error(ErrorCode::Internal, "public key: " + mbedtls_message(n));
        return Bytes(buf.end() - n, buf.end());
    }

  private:
    mbedtls_pk_context pk_;
};

}  // namespace

struct PrivateKey::Impl {
    std::unique_ptr<detail::KeyBackend> backend;
};

PrivateKey::PrivateKey(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
PrivateKey::PrivateKey(PrivateKey&&) noexcept = default;
PrivateKey& PrivateKey::operator=(PrivateKey&&) noexcept = default;
PrivateKey::~PrivateKey() = default;

PrivateKey PrivateKey::parse(ByteView pem_or_der, const std::string& name,
                             const std::optional<std::string>& password) {
    auto key = std::make_unique<FileKey>();
    const Bytes buf = looks_like_pem(pem_or_der) ? with_terminator(pem_or_der)
                                                 : Bytes(pem_or_der.begin(), pem_or_der.end());
    const auto* pwd = password ? reinterpret_cast<const unsigned char*>(password->data()) : nullptr;
    const std::size_t pwd_len = password ? password->size() : 0;
    const int ret = mbedtls_pk_parse_key(key->pk(), buf.data(), buf.size(), pwd, pwd_len);
    if (ret == MBEDTLS_ERR_PK_PASSWORD_REQUIRED ||
        (ret != 0 && !password && ret == MBEDTLS_ERR_PK_KEY_INVALID_FORMAT && looks_like_pem(buf) &&
         std::strstr(reinterpret_cast<const char*>(buf.data()), "ENCRYPTED") != nullptr)) {
        throw Error(ErrorCode::BadInput,
                    fmt::format("{}: the private key is encrypted and no password was given "
                                "(--key-password-file or RTPROV_KEY_PASSWORD)",
                                name));
    }
    if (ret == MBEDTLS_ERR_PK_PASSWORD_MISMATCH)
        throw Error(ErrorCode::BadInput,
                    fmt::format("{}: wrong password for the private key", name));
    if (ret != 0)
        throw Error(ErrorCode::BadInput,
                    fmt::format("{}: not a private key ({})", name, mbedtls_message(ret)));
    auto impl = std::make_unique<Impl>();
    impl->backend = std::move(key);
    return PrivateKey(std::move(impl));
}

PrivateKey PrivateKey::load(const std::filesystem::path& path,
                            const std::optional<std::string>& password) {
    if (p11::is_uri(path.native())) {
        auto impl = std::make_unique<Impl>();
        impl->backend = detail::token_key(path.native());
        return PrivateKey(std::move(impl));
    }
    return parse(read_file_limited(path, kMaxKeyFile), path.string(), password);
}

KeyType PrivateKey::type() const {
    return impl_->backend->type();
}

std::size_t PrivateKey::bits() const {
    return impl_->backend->bits();
}

Bytes PrivateKey::sign_sha256(ByteView data) const {
    return impl_->backend->sign_sha256(data, sha256(data));
}

Bytes PrivateKey::public_key_der() const {
    return impl_->backend->public_key_der();
}

bool PrivateKey::matches(const Certificate& cert) const {
    try {
        return detail::certificate_public_key_der(cert) == public_key_der();
    } catch (const Error&) {
        return false;
    }
}

Bytes detail::certificate_public_key_der(const Certificate& cert) {
    mbedtls_x509_crt crt;
    mbedtls_x509_crt_init(&crt);
    Bytes buf(4096);
    int n = mbedtls_x509_crt_parse_der(&crt, cert.der.data(), cert.der.size());
    if (n == 0)
        n = mbedtls_pk_write_pubkey_der(&crt.pk, buf.data(), buf.size());
    mbedtls_x509_crt_free(&crt);
    if (n <= 0)
        throw Error(ErrorCode::BadInput, "certificate: no public key");
    return Bytes(buf.end() - n, buf.end());
}

Bytes load_public_key_der(const std::filesystem::path& path) {
    if (p11::is_uri(path.native()))  // the public half of a token key
        return PrivateKey::load(path, std::nullopt).public_key_der();
    Bytes data = read_file_limited(path, kMaxKeyFile);
    const std::string name = path.string();
    mbedtls_pk_context pk;
    mbedtls_pk_init(&pk);
    // mbedTLS wants PEM NUL-terminated (the terminator counted in the length).
    Bytes terminated = data;
    terminated.push_back(0);
    int ret = mbedtls_pk_parse_public_key(&pk, terminated.data(), terminated.size());
    if (ret != 0)
        ret = mbedtls_pk_parse_public_key(&pk, data.data(), data.size());
    Bytes out;
    if (ret == 0) {
        Bytes buf(4096);
        const int n = mbedtls_pk_write_pubkey_der(&pk, buf.data(), buf.size());
        if (n > 0)
            out.assign(buf.end() - n, buf.end());
    }
    mbedtls_pk_free(&pk);
    if (!out.empty())
        return out;
    try {
        return detail::certificate_public_key_der(parse_certificate(data, name));
    } catch (const Error&) {
    }
    try {
        return PrivateKey::parse(data, name, std::nullopt).public_key_der();
    } catch (const Error&) {
    }
    throw Error(ErrorCode::BadInput,
                fmt::format("{}: not a public key, certificate or unencrypted private key", name));
}

bool verify_sha256(ByteView public_key_der, ByteView data, ByteView signature) {
    mbedtls_pk_context pk;
    mbedtls_pk_init(&pk);
    bool ok = false;
    if (mbedtls_pk_parse_public_key(&pk, public_key_der.data(), public_key_der.size()) == 0) {
        const Bytes digest = sha256(data);
        ok = mbedtls_pk_verify(&pk, MBEDTLS_MD_SHA256, digest.data(), digest.size(),
                               signature.data(), signature.size()) == 0;
    }
    mbedtls_pk_free(&pk);
    return ok;
}

std::string read_password_file(const std::filesystem::path& path) {
    std::string text = read_text_file(path, kMaxKeyFile);
    const auto eol = text.find_first_of("\r\n");
    if (eol != std::string::npos)
        text.resize(eol);
    if (text.empty())
        throw Error(ErrorCode::BadInput,
                    fmt::format("{}: the password file is empty", path.string()));
    return text;
}

}  // namespace rtprov::hab
