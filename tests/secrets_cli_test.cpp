// Black-box tests of how rtprov keeps secrets: key files 0600 on creation and rewrite, a minimum
// password length and the KDF strength of `rtprov keys`, and what `rtprov export-pkg` refuses to
// package (private keys) or leaves out (the plaintext app of a HAB-encrypted image).

#include <sys/stat.h>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "cli_support.hpp"
#include "rtprov/util/file.hpp"

namespace rtprov::test {
namespace {

namespace fs = std::filesystem;

unsigned mode_of(const fs::path& path) {
    struct stat st {};
    EXPECT_EQ(::stat(path.c_str(), &st), 0) << path;
    return st.st_mode & 07777;
}

// `rtprov ARGS` under a permissive umask, as a user's shell usually has.
RunResult rtprov_umask_022(const std::string& args) {
    return run_command("umask 022 && " + kRtprov + " " + args);
}

TEST(SecretsCli, PrivateKeysAre0600OnCreateAndAfterForce) {
    TempDir t;
    write_text(t / "pass.txt", "secrets-cli-test\n");
    const std::string keys = fmt::format("keys -o {} --srk-count 1 --password-file {}",
                                         (t / "pki").string(), (t / "pass.txt").string());
    auto r = rtprov_umask_022(keys);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const auto check = [&] {
        std::size_t n = 0;
        for (const auto& e : fs::directory_iterator(t / "pki/keys")) {
            EXPECT_EQ(mode_of(e.path()), 0600u) << e.path();
            ++n;
        }
        EXPECT_EQ(n, 4u);
        EXPECT_EQ(mode_of(t / "pki/crts/CSF1_1_sha256_2048_65537_v3_usr_crt.pem"), 0644u);
        EXPECT_EQ(mode_of(t / "pki/srk/SRK_table.bin"), 0644u);
    };
    check();
    EXPECT_EQ(mode_of(t / "pki/keys"), 0700u);
    // A rewrite over the old keys, one of them opened up by hand meanwhile.
    ::chmod((t / "pki/keys/CA1_sha256_2048_65537_v3_ca_key.pem").c_str(), 0644);
    r = rtprov_umask_022(keys + " --force");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    check();
}

TEST(SecretsCli, AShortPasswordIsRefusedBeforeAnyKeyIsMade) {
    TempDir t;
    write_text(t / "short.txt", "x\n");
    auto r = rtprov(fmt::format("keys -o {} --srk-count 1 --password-file {}", (t / "pki").string(),
                                (t / "short.txt").string()));
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_EQ(r.err, fmt::format("rtprov: error: {}: the key password is 1 character long; a "
                                 "password that encrypts new private keys needs at least 8\n",
                                 (t / "short.txt").string()));
    EXPECT_FALSE(fs::exists(t / "pki"));
    r = run_command(fmt::format("RTPROV_KEY_PASSWORD=1234567 {} keys -o {} --srk-count 1", kRtprov,
                                (t / "pki").string()));
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_EQ(r.err,
              "rtprov: error: RTPROV_KEY_PASSWORD: the key password is 7 characters long; "
              "a password that encrypts new private keys needs at least 8\n");
    EXPECT_FALSE(fs::exists(t / "pki"));
}

// A stronger KDF on request; OpenSSL reads what rtprov writes, and rtprov signs with it.
TEST(SecretsCli, KdfIterationsAreChosenAndTheKeysStayReadable) {
    TempDir t;
    write_text(t / "pass.txt", "secrets-cli-test\n");
    auto r = rtprov(fmt::format("keys -o {} --srk-count 1 --kdf-iterations 1000 --password-file {}",
                                (t / "pki").string(), (t / "pass.txt").string()));
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_EQ(r.err, "rtprov: error: 1000 KDF iterations: give 2048..10000000\n");
    r = rtprov(fmt::format("keys -o {} --srk-count 1 --kdf-iterations 300000 --password-file {}",
                           (t / "pki").string(), (t / "pass.txt").string()));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const fs::path key = t / "pki/keys/CSF1_1_sha256_2048_65537_v3_usr_key.pem";
    if (run_command("openssl version").exit_code == 0) {
        const auto parsed = run_command("openssl asn1parse -in " + key.string());
        ASSERT_EQ(parsed.exit_code, 0) << parsed.err;
        EXPECT_NE(parsed.out.find(":0493E0"), std::string::npos) << parsed.out;  // 300000
        const auto read = run_command("openssl pkey -noout -in " + key.string() +
                                      " -passin file:" + (t / "pass.txt").string());
        EXPECT_EQ(read.exit_code, 0) << read.err;
    }
    const std::string project = copy_example(t / "project").string();
    r = rtprov("build -c " + project + " -o " + (t / "unsigned.bin").string());
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const fs::path p = t / "pki";
    r = rtprov(fmt::format(
        "sign --image {} --srk-table {} --csf-key {} --csf-cert {} --img-key {} --img-cert {} "
        "--key-password-file {} -o {}",
        (t / "unsigned.bin").string(), (p / "srk/SRK_table.bin").string(), key.string(),
        (p / "crts/CSF1_1_sha256_2048_65537_v3_usr_crt.pem").string(),
        (p / "keys/IMG1_1_sha256_2048_65537_v3_usr_key.pem").string(),
        (p / "crts/IMG1_1_sha256_2048_65537_v3_usr_crt.pem").string(), (t / "pass.txt").string(),
        (t / "signed.bin").string()));
    EXPECT_EQ(r.exit_code, 0) << r.err;
}

// A signed project with a flashloader; `hab_extra` goes at the end of its hab: section.
fs::path signed_project(const fs::path& d, const std::string& img_cert,
                        const std::string& hab_extra = "") {
    write_rt1020_app_and_flashloader(d);
    write_text(d / "pass.txt", "secrets-cli-test\n");
    const auto keys = rtprov(fmt::format("keys -o {} --srk-count 1 --password-file {}",
                                         (d / "pki").string(), (d / "pass.txt").string()));
    EXPECT_EQ(keys.exit_code, 0) << keys.err;
    write_text(d / "project.yaml",
               "version: 1\ndevice: mimxrt1020\nboot_device: flexspi-nor\n"
               "app:\n  file: app.bin\n  address: 0x60002000\nfcb:\n  preset: rt1020-evk\n"
               "flashloader: fl.bin\n"
               "hab:\n  srk_table: pki/srk/SRK_table.bin\n"
               "  csf_key: pki/keys/CSF1_1_sha256_2048_65537_v3_usr_key.pem\n"
               "  csf_cert: pki/crts/CSF1_1_sha256_2048_65537_v3_usr_crt.pem\n"
               "  img_key: pki/keys/IMG1_1_sha256_2048_65537_v3_usr_key.pem\n"
               "  img_cert: " +
                   img_cert +
                   "\n  key_password_file: pass.txt\n"
                   "  signature_time: 2024-01-31T12:00:00Z\n" +
                   hab_extra);
    return d / "project.yaml";
}

TEST(SecretsCli, ExportRefusesACertificateThatCarriesItsKey) {
    TempDir t;
    const fs::path combined = t / "pki/crts/img_cert_and_key.pem";
    const auto project = signed_project(t.path(), "pki/crts/img_cert_and_key.pem");
    const std::string cert = read_text_file(t / "pki/crts/IMG1_1_sha256_2048_65537_v3_usr_crt.pem");
    write_text(combined,
               cert + read_text_file(t / "pki/keys/IMG1_1_sha256_2048_65537_v3_usr_key.pem"));
    const auto r =
        rtprov(fmt::format("export-pkg -c {} -o {}", project.string(), (t / "pkg.zip").string()));
    EXPECT_EQ(r.exit_code, 2) << r.out;
    EXPECT_EQ(r.err, fmt::format("rtprov: error: {}: a PEM 'ENCRYPTED PRIVATE KEY' block at byte "
                                 "{}: private keys never go into a package; give the project a "
                                 "file with the certificate only\n",
                                 combined.string(), cert.size()));
    EXPECT_FALSE(fs::exists(t / "pkg.zip"));
}

// A HAB-encrypted package leaves the plaintext app out, imports and writes a simulated board;
// --include-sources puts it back, with a warning.
TEST(SecretsCli, AnEncryptedPackageWritesWithoutThePlaintextApp) {
    TempDir t;
    write_bytes(t / "dek.bin", Bytes(16, 0xA5));
    const auto project =
        signed_project(t.path(), "pki/crts/IMG1_1_sha256_2048_65537_v3_usr_crt.pem",
                       "  encrypt:\n    dek: dek.bin\n    nonce: 0102030405060708090a0b0c0d\n");
    // HAB encryption needs an app the ROM copies to RAM: linked into DTCM.
    std::string yaml = read_text_file(project);
    yaml.replace(yaml.find("0x60002000"), 10, "0x20002000");
    write_text(project, yaml);
    Bytes app = read_file(t / "app.bin");
    store_le32(app.data() + 4, 0x20002101);
    write_bytes(t / "app.bin", app);
    const std::string zip = (t / "pkg.zip").string();
    auto r = rtprov(fmt::format("export-pkg -c {} -o {} --insecure-plain-secrets", project.string(),
                                zip));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.err.find("include-sources"), std::string::npos) << r.err;
    r = rtprov("import-pkg " + zip + " --to " + (t / "out").string());
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_TRUE(fs::exists(t / "out/project/project.yaml"));
    EXPECT_FALSE(fs::exists(t / "out/project/app.bin"));
    r = rtprov("write " + zip + " -p sim:auto --no-fuses");
    EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
    EXPECT_NE(r.out.find("1 of 1 board passed"), std::string::npos) << r.out;

    r = rtprov(fmt::format("export-pkg -c {} -o {} --include-sources --insecure-plain-secrets",
                           project.string(),
                           (t / "with_app.zip").string()));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.err.find("warning: --include-sources: the package carries the plaintext "
                         "application " +
                         (t / "app.bin").string()),
              std::string::npos)
        << r.err;
    r = rtprov("import-pkg " + (t / "with_app.zip").string() + " --to " + (t / "out2").string());
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(read_file(t / "out2/project/app.bin"), read_file(t / "app.bin"));
}

}  // namespace
}  // namespace rtprov::test
