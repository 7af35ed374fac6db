#include "rtprov/pkg/signature.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "rtprov/hab/pki.hpp"
#include "rtprov/pkg/package.hpp"
#include "rtprov/util/error.hpp"
#include "rtprov/util/file.hpp"
#include "test_support.hpp"

namespace rtprov::pkg {
namespace {

// Two signing keys (the CSF and IMG keys of a throw-away PKI) and the example project, in a
// temporary folder shared by the tests of this file.
class PackageSignature : public ::testing::Test {
  protected:
    static void SetUpTestSuite() {
        dir_ = new test::TempDir;
        hab::PkiOptions o;
        o.srk_count = 1;
        o.rng_seed = "signature_test";
        hab::write_pki(hab::generate_pki(o), dir_->path() / "pki");
        test::copy_example(dir_->path());
    }
    static void TearDownTestSuite() { delete dir_; }

    static std::filesystem::path key(const char* which) {
        return dir_->path() / fmt::format("pki/keys/{}1_1_sha256_2048_65537_v3_usr_key.pem", which);
    }
    static std::filesystem::path cert(const char* which) {
        return dir_->path() / fmt::format("pki/crts/{}1_1_sha256_2048_65537_v3_usr_crt.pem", which);
    }
    static Bytes export_signed(const char* which) {
        ExportOptions o;
        o.project = dir_->path() / "project.yaml";
        if (which != nullptr)
            o.sign_key = key(which);
        return export_package(o).zip;
    }
    static std::string error_of(const Bytes& zip, const TrustOptions& trust) {
        try {
            verify_package(zip, {}, "0.2.0", trust);
        } catch (const Error& e) {
            return e.what();
        }
        return "no error";
    }

    static test::TempDir* dir_;
};

test::TempDir* PackageSignature::dir_ = nullptr;

TEST_F(PackageSignature, TrustedKeyVerifiesAndExportStaysDeterministic) {
    const Bytes zip = export_signed("CSF");
    EXPECT_EQ(export_signed("CSF"), zip);  // RSA PKCS#1 v1.5 signatures are deterministic
    // Trusted by its certificate or its private key file: both name the same public key.
    for (const auto& trust_file : {cert("CSF"), key("CSF")}) {
        const Package p =
            verify_package(zip, {}, "0.2.0", {{hab::load_public_key_der(trust_file)}});
        EXPECT_TRUE(p.signature_trusted);
        EXPECT_EQ(*p.signer, key_fingerprint(hab::load_public_key_der(cert("CSF"))));
        EXPECT_TRUE(p.warnings.empty());
    }
    // Without a trust key the signature is reported, not trusted.
    const Package p = verify_package(zip, {}, "0.2.0");
    EXPECT_FALSE(p.signature_trusted);
    ASSERT_EQ(p.warnings.size(), 1u);
    EXPECT_NE(p.warnings[0].find("not checked"), std::string::npos);
}

TEST_F(PackageSignature, UntrustedUnsignedAndAlteredPackagesAreRefused) {
    const TrustOptions trust{{hab::load_public_key_der(cert("CSF"))}};
    const std::string trusted = key_fingerprint(trust.trusted_keys[0]);
    const std::string other = key_fingerprint(hab::load_public_key_der(cert("IMG")));
    EXPECT_EQ(error_of(export_signed("IMG"), trust),
              fmt::format("package signed by key {}, which is not a trusted key ({}): refused",
                          other, trusted));
    EXPECT_EQ(error_of(export_signed(nullptr), trust),
              "the package is not signed, and a trust key is configured: refused");

    // The manifest edited after signing (here: one more space), everything else intact.
    std::vector<ZipEntry> entries = read_zip(export_signed("CSF"), {});
    ASSERT_EQ(entries[0].name, "manifest.json");
    ASSERT_EQ(entries[1].name, "manifest.sig");
    entries[0].data.insert(entries[0].data.begin() + 1, ' ');
    EXPECT_EQ(error_of(write_zip(entries, {}), trust),
              fmt::format("manifest.sig: the signature by trusted key {} does not match "
                          "manifest.json: the package was altered",
                          trusted));
}

TEST(ManifestSignatureFormat, MalformedSignaturesNameTheField) {
    const auto error_of = [](std::string_view text) {
        try {
            parse_signature(text);
        } catch (const Error& e) {
            return std::string(e.what());
        }
        return std::string("no error");
    };
    const std::string fp(64, 'a');
    EXPECT_EQ(error_of("{"), "manifest.sig: malformed JSON at byte offset 1");
    EXPECT_EQ(error_of(R"({"algorithm": "md5", "key_sha256": "", "signature": "00"})"),
              "manifest.sig: algorithm: unknown algorithm 'md5'");
    EXPECT_EQ(error_of(R"({"algorithm": "ecdsa-sha256", "key_sha256": "AB", "signature": "00"})"),
              "manifest.sig: key_sha256: expected 64 lower-case hex digits");
    EXPECT_EQ(error_of(R"({"algorithm": "ecdsa-sha256", "key_sha256": ")" + fp +
                       R"(", "signature": "0g"})"),
              "manifest.sig: signature: '0g' is not hex");
    EXPECT_EQ(error_of(R"({"algorithm": "ecdsa-sha256", "key_sha256": ")" + fp + R"("})"),
              "manifest.sig: signature: missing");
}

}  // namespace
}  // namespace rtprov::pkg
