// Black-box tests of issue 18's "signing is verified where it is made": `sign`, `build -c` and
// `export-pkg` check the image they just signed as `rtprov verify` would, against the SRK table
// they signed with, and refuse (exit 4, nothing written) an image the boot ROM would reject.

#include <gtest/gtest.h>

#include "cli_support.hpp"
#include "rtprov/util/file.hpp"

namespace rtprov::test {
namespace {

namespace fs = std::filesystem;

// The RT1020-EVK example, its unsigned image and a two-SRK PKI: CSF1_1 is issued by SRK 1
// (srk_index 0), so srk_index 1 names an SRK that did not issue it. Made once for the binary.
struct SignFixture {
    TempDir dir;
    fs::path project;         // the unsigned example
    fs::path unsigned_image;  // what it builds
    std::string pass;

    SignFixture() {
        const fs::path d = dir.path();
        project = copy_example(d);
        unsigned_image = d / "unsigned.bin";
        pass = (d / "pass.txt").string();
        write_text(pass, "sign-verify-test\n");
        auto r = rtprov(
            fmt::format("keys -o {} --srk-count 2 --password-file {}", (d / "pki").string(), pass));
        EXPECT_EQ(r.exit_code, 0) << r.err;
        r = rtprov(fmt::format("build -c {} -o {}", project.string(), unsigned_image.string()));
        EXPECT_EQ(r.exit_code, 0) << r.err;
    }

    // `rtprov sign` options with SRK table + CSF1_1/IMG1_1 keys (the index is the caller's).
    std::string sign_args() const {
        const fs::path p = dir.path() / "pki";
        return fmt::format(
            "sign --image {} --srk-table {} --csf-key {} --csf-cert {} --img-key {} --img-cert {} "
            "--key-password-file {} --signature-time 2024-01-31T12:00:00Z",
            unsigned_image.string(), (p / "srk/SRK_table.bin").string(),
            (p / "keys/CSF1_1_sha256_2048_65537_v3_usr_key.pem").string(),
            (p / "crts/CSF1_1_sha256_2048_65537_v3_usr_crt.pem").string(),
            (p / "keys/IMG1_1_sha256_2048_65537_v3_usr_key.pem").string(),
            (p / "crts/IMG1_1_sha256_2048_65537_v3_usr_crt.pem").string(), pass);
    }

    // A copy of the example project signing with CSF1_1/IMG1_1 and `srk_index`.
    fs::path signed_project(const std::string& file, unsigned srk_index) const {
        std::string yaml = read_text_file(project);
        yaml += fmt::format(
            "hab:\n  srk_table: pki/srk/SRK_table.bin\n  srk_index: {}\n"
            "  csf_key: pki/keys/CSF1_1_sha256_2048_65537_v3_usr_key.pem\n"
            "  csf_cert: pki/crts/CSF1_1_sha256_2048_65537_v3_usr_crt.pem\n"
            "  img_key: pki/keys/IMG1_1_sha256_2048_65537_v3_usr_key.pem\n"
            "  img_cert: pki/crts/IMG1_1_sha256_2048_65537_v3_usr_crt.pem\n"
            "  key_password_file: pass.txt\n  signature_time: 2024-01-31T12:00:00Z\n",
            srk_index);
        const fs::path out = dir.path() / file;
        write_text(out, yaml);
        return out;
    }
};

const SignFixture& fixture() {
    static const SignFixture s;
    return s;
}

// What the verify report says first when SRK 2 did not issue the CSF certificate.
constexpr std::string_view kWrongSrk =
    "the signed image does not verify against its SRK table (srk_index 1): Install CSFK: "
    "certificate at CSF offset 0x";
constexpr std::string_view kNotSignedBySrk =
    "(CN=CSF1_1_sha256_2048_65537_v3_usr) is not signed by the key in slot 0 (SRK)";

void expect_refused(const RunResult& r, const fs::path& output) {
    EXPECT_EQ(r.exit_code, 4) << r.err;
    EXPECT_NE(r.err.find(kWrongSrk), std::string::npos) << r.err;
    EXPECT_NE(r.err.find(kNotSignedBySrk), std::string::npos) << r.err;
    EXPECT_FALSE(fs::exists(output)) << output;
}

TEST(SignVerifyCli, SignWithAnSrkIndexThatDidNotIssueTheCsfCertIsRefused) {
    const SignFixture& s = fixture();
    const fs::path out = s.dir.path() / "sign_wrong.bin";
    const auto r = rtprov(s.sign_args() + " --srk-index 1 -o " + out.string());
    expect_refused(r, out);
    EXPECT_EQ(r.err.rfind(
                  "rtprov: error: " + s.unsigned_image.string() + ": " + std::string(kWrongSrk), 0),
              0u)
        << r.err;

    // The right SRK signs, and the image verifies against the table's hash.
    const fs::path good = s.dir.path() / "sign_good.bin";
    const auto ok = rtprov(s.sign_args() + " --srk-index 0 -o " + good.string());
    ASSERT_EQ(ok.exit_code, 0) << ok.err;
    const auto v = rtprov("verify " + good.string() + " --srk-hash " +
                          (s.dir.path() / "pki/srk/SRK_fuses.bin").string());
    EXPECT_EQ(v.exit_code, 0) << v.out << v.err;
}

// Fast authentication signs images that verify: never refused. HAB encryption of this XIP image
// is refused (the ROM cannot decrypt in place in flash: tests/encrypted_e2e_test.cpp).
TEST(SignVerifyCli, NocakSignsAndXipEncryptionIsRefused) {
    const SignFixture& s = fixture();
    const fs::path p = s.dir.path() / "pki";
    const fs::path nocak = s.dir.path() / "nocak.bin";
    const auto n = rtprov(fmt::format(
        "sign --image {} --srk-table {} --srk-index 1 --nocak --csf-key {} --csf-cert {} "
        "--key-password-file {} -o {}",
        s.unsigned_image.string(), (p / "srk/SRK_table.bin").string(),
        (p / "keys/SRK2_sha256_2048_65537_v3_ca_key.pem").string(),
        (p / "crts/SRK2_sha256_2048_65537_v3_ca_crt.pem").string(), s.pass, nocak.string()));
    EXPECT_EQ(n.exit_code, 0) << n.err;
    EXPECT_TRUE(fs::exists(nocak));

    const fs::path dek = s.dir.path() / "dek.bin";
    write_bytes(dek, Bytes(16, 0x5A));
    const fs::path enc = s.dir.path() / "encrypted.bin";
    const auto e = rtprov(s.sign_args() + " --srk-index 0 --encrypt --dek " + dek.string() +
                          " -o " + enc.string());
    EXPECT_EQ(e.exit_code, 1) << e.err;
    EXPECT_NE(e.err.find("HAB encryption of an image executed in place from FlexSPI flash"),
              std::string::npos)
        << e.err;
    EXPECT_FALSE(fs::exists(enc));
}

TEST(SignVerifyCli, BuildOfAProjectWithAWrongSrkIndexIsRefused) {
    const SignFixture& s = fixture();
    const fs::path project = s.signed_project("wrong_srk.yaml", 1);
    const fs::path out = s.dir.path() / "build_wrong.bin";
    const auto r = rtprov("build -c " + project.string() + " -o " + out.string());
    expect_refused(r, out);
    EXPECT_EQ(r.err.rfind("rtprov: error: " + project.string() + ": signing: " + out.string() +
                              ": " + std::string(kWrongSrk),
                          0),
              0u)
        << r.err;

    const fs::path good = s.dir.path() / "build_good.bin";
    const auto ok = rtprov("build -c " + s.signed_project("good_srk.yaml", 0).string() + " -o " +
                           good.string());
    EXPECT_EQ(ok.exit_code, 0) << ok.err;
}

TEST(SignVerifyCli, ExportOfAProjectWithAWrongSrkIndexWritesNoPackage) {
    const SignFixture& s = fixture();
    const fs::path project = s.signed_project("wrong_srk_pkg.yaml", 1);
    const fs::path zip = s.dir.path() / "wrong.zip";
    const auto r = rtprov("export-pkg -c " + project.string() + " -o " + zip.string());
    expect_refused(r, zip);
    EXPECT_EQ(r.err.rfind("rtprov: error: " + project.string() +
                              ": signing: image: " + std::string(kWrongSrk),
                          0),
              0u)
        << r.err;

    const fs::path good = s.dir.path() / "good.zip";
    const auto ok = rtprov("export-pkg -c " + s.signed_project("good_srk_pkg.yaml", 0).string() +
                           " -o " + good.string());
    EXPECT_EQ(ok.exit_code, 0) << ok.err;
}

}  // namespace
}  // namespace rtprov::test
