#include "rtprov/hab/pki.hpp"

#include <ctime>

#include <fmt/format.h>
#include <mbedtls/bignum.h>
#include <mbedtls/rsa.h>
#include <mbedtls/sha256.h>
#include <mbedtls/x509_crt.h>

#include "pki_internal.hpp"
#include "rtprov/util/error.hpp"
#include "rtprov/util/file.hpp"

namespace rtprov::hab {

namespace detail {

namespace {

// Deterministic "entropy" for seeded DRBGs: SHA-256(seed || counter) blocks.
struct SeedSource {
    std::string seed;
    std::uint32_t counter = 0;
};

int seeded_entropy(void* ctx, unsigned char* out, std::size_t len) {
    auto* source = static_cast<SeedSource*>(ctx);
    while (len > 0) {
        Bytes input(source->seed.begin(), source->seed.end());
        append_be32(input, source->counter++);
        unsigned char digest[32];
        mbedtls_sha256_ret(input.data(), input.size(), digest, 0);
        const std::size_t n = len < 32 ? len : 32;
        std::copy(digest, digest + n, out);
        out += n;
        len -= n;
    }
    return 0;
}

}  // namespace

Drbg::Drbg(std::string_view seed) {
    mbedtls_entropy_init(&entropy_);
    mbedtls_ctr_drbg_init(&drbg_);
    int rc;
    if (seed.empty()) {
        rc = mbedtls_ctr_drbg_seed(&drbg_, mbedtls_entropy_func, &entropy_,
                                   reinterpret_cast<const unsigned char*>("rtprov"), 6);
    } else {
        SeedSource source{std::string(seed)};
        rc = mbedtls_ctr_drbg_seed(&drbg_, seeded_entropy, &source, nullptr, 0);
        // Later reseeds would read the dead `source`: disable them.
        mbedtls_ctr_drbg_set_reseed_interval(&drbg_, 0x7FFFFFFF);
        drbg_.p_entropy = nullptr;
        drbg_.f_entropy = nullptr;
    }
    if (rc != 0) {
        mbedtls_ctr_drbg_free(&drbg_);
        mbedtls_entropy_free(&entropy_);
        throw Error(ErrorCode::Internal,
                    "cannot seed the random generator: " + mbedtls_message(rc));
    }
}

Drbg::~Drbg() {
    mbedtls_ctr_drbg_free(&drbg_);
    mbedtls_entropy_free(&entropy_);
}

}  // namespace detail

namespace {

using detail::mbedtls_message;

void check(int rc, std::string_view what) {
    if (rc != 0)
        throw Error(ErrorCode::Internal, fmt::format("{}: {}", what, mbedtls_message(rc)));
}

std::string validity_time(std::time_t t) {
    std::tm tm{};
    gmtime_r(&t, &tm);
    return fmt::format("{:04}{:02}{:02}{:02}{:02}{:02}", tm.tm_year + 1900, tm.tm_mon + 1,
                       tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

struct KeyPair {
    detail::PkContext pk;
    std::string stem;
    std::string subject;  // "CN=..."
    Bytes cert_der;
    std::string cert_pem;
};

void generate_rsa(KeyPair& key, unsigned bits, detail::Drbg& drbg) {
    check(mbedtls_pk_setup(key.pk.get(), mbedtls_pk_info_from_type(MBEDTLS_PK_RSA)), "RSA key");
    check(mbedtls_rsa_gen_key(mbedtls_pk_rsa(*key.pk.get()), mbedtls_ctr_drbg_random, drbg.get(),
                              bits, 65537),
          "RSA key generation");
}

// Issues key's certificate, signed by `issuer` (== key for a self-signed root).
void issue_certificate(KeyPair& key, KeyPair& issuer, bool ca, std::uint32_t serial,
                       const PkiOptions& options, detail::Drbg& drbg) {
    mbedtls_x509write_cert crt;
    mbedtls_x509write_crt_init(&crt);
    mbedtls_mpi serial_mpi;
    mbedtls_mpi_init(&serial_mpi);
    try {
        const std::time_t now = std::time(nullptr);
        const std::time_t until = now + static_cast<std::time_t>(options.validity_days) * 86400;
        check(mbedtls_mpi_lset(&serial_mpi, static_cast<mbedtls_mpi_sint>(serial)), "serial");
        mbedtls_x509write_crt_set_version(&crt, MBEDTLS_X509_CRT_VERSION_3);
        mbedtls_x509write_crt_set_md_alg(&crt, MBEDTLS_MD_SHA256);
        check(mbedtls_x509write_crt_set_serial(&crt, &serial_mpi), "certificate serial");
        check(mbedtls_x509write_crt_set_validity(&crt, validity_time(now).c_str(),
                                                 validity_time(until).c_str()),
              "certificate validity");
        check(mbedtls_x509write_crt_set_subject_name(&crt, key.subject.c_str()), "subject name");
        check(mbedtls_x509write_crt_set_issuer_name(&crt, issuer.subject.c_str()), "issuer name");
        mbedtls_x509write_crt_set_subject_key(&crt, key.pk.get());
        mbedtls_x509write_crt_set_issuer_key(&crt, issuer.pk.get());
        check(mbedtls_x509write_crt_set_basic_constraints(&crt, ca ? 1 : 0, -1),
              "basicConstraints");
        check(mbedtls_x509write_crt_set_key_usage(
                  &crt, ca ? MBEDTLS_X509_KU_KEY_CERT_SIGN | MBEDTLS_X509_KU_CRL_SIGN
                           : MBEDTLS_X509_KU_DIGITAL_SIGNATURE),
              "keyUsage");
        check(mbedtls_x509write_crt_set_subject_key_identifier(&crt), "subjectKeyIdentifier");
        check(mbedtls_x509write_crt_set_authority_key_identifier(&crt), "authorityKeyIdentifier");
        Bytes buf(16384);
        const int len = mbedtls_x509write_crt_der(&crt, buf.data(), buf.size(),
                                                  mbedtls_ctr_drbg_random, drbg.get());
        if (len < 0)
            check(len, "certificate");
        key.cert_der.assign(buf.end() - len, buf.end());
        std::fill(buf.begin(), buf.end(), 0);
        check(mbedtls_x509write_crt_pem(&crt, buf.data(), buf.size(), mbedtls_ctr_drbg_random,
                                        drbg.get()),
              "certificate PEM");
        key.cert_pem = reinterpret_cast<const char*>(buf.data());
    } catch (...) {
        mbedtls_mpi_free(&serial_mpi);
        mbedtls_x509write_crt_free(&crt);
        throw;
    }
    mbedtls_mpi_free(&serial_mpi);
    mbedtls_x509write_crt_free(&crt);
}

Bytes as_bytes(std::string_view text) {
    return Bytes(text.begin(), text.end());
}

std::string private_key_pem(KeyPair& key, const PkiOptions& options, std::string_view seed) {
    Bytes der(16384);
    const int len = mbedtls_pk_write_key_der(key.pk.get(), der.data(), der.size());
    if (len < 0)
        check(len, "private key");
    const Bytes key_der(der.end() - len, der.end());
    std::fill(der.begin(), der.end(), 0);
    if (!options.password.empty())
        return encrypt_private_key_pem(key_der, options.password, seed, options.kdf_iterations);
    check(mbedtls_pk_write_key_pem(key.pk.get(), der.data(), der.size()), "private key PEM");
    std::string pem(reinterpret_cast<const char*>(der.data()));
    std::fill(der.begin(), der.end(), 0);
    return pem;
}

void add_pair_files(GeneratedPki& out, KeyPair& key, const PkiOptions& options,
                    std::string_view seed) {
    out.files.push_back(
        {"keys/" + key.stem + "_key.pem", as_bytes(private_key_pem(key, options, seed))});
    out.files.push_back({"crts/" + key.stem + "_crt.pem", as_bytes(key.cert_pem)});
    out.files.push_back({"crts/" + key.stem + "_crt.der", key.cert_der});
}

}  // namespace

std::string pki_stem(std::string_view role, unsigned srk_number, unsigned key_size) {
    const bool ca = role == "CA" || role == "SRK";
    const std::string index = ca ? fmt::format("{}", srk_number) : fmt::format("{}_1", srk_number);
    return fmt::format("{}{}_sha256_{}_65537_v3_{}", role, index, key_size, ca ? "ca" : "usr");
}

GeneratedPki generate_pki(const PkiOptions& options) {
    if (options.srk_count < 1 || options.srk_count > kSrkMaxKeys)
        throw Error(ErrorCode::Usage,
                    fmt::format("SRK count {} is outside 1..4", options.srk_count));
    if (options.key_size != 2048 && options.key_size != 3072 && options.key_size != 4096)
        throw Error(ErrorCode::Usage,
                    fmt::format("key size {} is not 2048, 3072 or 4096", options.key_size));
    if (options.validity_days == 0)
        throw Error(ErrorCode::Usage, "validity of 0 days");
    // Checked before minutes of key generation, not at the first key written.
    if (!options.password.empty())
        check_new_key_password(options.password);
    if (options.kdf_iterations < kMinKdfIterations || options.kdf_iterations > kMaxKdfIterations) {
        throw Error(ErrorCode::Usage,
                    fmt::format("{} KDF iterations: give {}..{}", options.kdf_iterations,
                                kMinKdfIterations, kMaxKdfIterations));
    }

    detail::Drbg drbg(options.rng_seed);
    GeneratedPki out;
    std::uint32_t serial = options.serial;
    std::string seed = options.rng_seed;
    const auto make = [&](std::string_view role, unsigned number) {
        auto key = std::make_unique<KeyPair>();
        key->stem = pki_stem(role, number, options.key_size);
        key->subject = "CN=" + options.subject_prefix + key->stem;
        generate_rsa(*key, options.key_size, drbg);
        if (!seed.empty())
            seed += "+";  // a distinct salt/IV stream for every key file
        return key;
    };

    auto ca = make("CA", 1);
    issue_certificate(*ca, *ca, true, serial++, options, drbg);
    add_pair_files(out, *ca, options, seed);
    for (unsigned i = 1; i <= options.srk_count; ++i) {
        auto srk = make("SRK", i);
        issue_certificate(*srk, *ca, true, serial++, options, drbg);
        add_pair_files(out, *srk, options, seed);
        out.srk_certificates.push_back(srk->cert_der);
        for (std::string_view role : {"CSF", "IMG"}) {
            auto user = make(role, i);
            issue_certificate(*user, *srk, false, serial++, options, drbg);
            add_pair_files(out, *user, options, seed);
        }
    }
    out.srk_table = build_srk_table(out.srk_certificates);
    out.fuse_hash = srk_fuse_hash(out.srk_table);
    out.files.push_back({"srk/SRK_table.bin", out.srk_table});
    out.files.push_back({"srk/SRK_fuses.bin", Bytes(out.fuse_hash.begin(), out.fuse_hash.end())});
    return out;
}

void write_pki(const GeneratedPki& pki, const std::filesystem::path& dir) {
    for (const PkiFile& file : pki.files) {
        const std::filesystem::path path = dir / file.path;
        const bool secret = file.path.starts_with("keys/");
        std::error_code ec;
        const bool made = std::filesystem::create_directories(path.parent_path(), ec);
        if (!ec && made && secret) {
            std::filesystem::permissions(path.parent_path(), std::filesystem::perms::owner_all, ec);
        }
        if (ec) {
            throw Error(ErrorCode::Io, fmt::format("cannot create {}: {}",
                                                   path.parent_path().string(), ec.message()));
        }
        write_file_atomic(path, file.data, secret ? FileAccess::Owner : FileAccess::Default);
    }
}

}  // namespace rtprov::hab
