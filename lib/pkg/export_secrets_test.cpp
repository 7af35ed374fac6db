// What export_package must never put into a package: private keys, whatever file holds them, and
// the plaintext application of a HAB-encrypted image (unless include_sources).

#include <algorithm>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "rtprov/hab/pki.hpp"
#include "rtprov/pkg/package.hpp"
#include "rtprov/util/error.hpp"
#include "rtprov/util/file.hpp"
#include "test_support.hpp"

namespace rtprov::pkg {
namespace {

// A signed RT1020 project in `dir`: a 40 KiB raw app with a recognisable pattern, a throw-away
// PKI (keys in clear), `extra` appended to the hab: section.
std::filesystem::path signed_project(const std::filesystem::path& dir, const std::string& extra) {
    static const hab::GeneratedPki pki = [] {
        hab::PkiOptions o;
        o.srk_count = 1;
        o.rng_seed = "export_secrets_test";
        return hab::generate_pki(o);
    }();
    hab::write_pki(pki, dir / "pki");
    Bytes app(40 * 1024);
    for (std::size_t i = 0; i < app.size(); ++i)
        app[i] = static_cast<std::uint8_t>((i * 7919) >> 3);
    // HAB encryption needs an app the ROM copies to RAM: linked into DTCM then.
    const bool ram = extra.find("encrypt:") != std::string::npos;
    store_le32(app.data(), 0x20020000);
    store_le32(app.data() + 4, ram ? 0x20002101 : 0x60002101);
    test::write_bytes(dir / "app.bin", app);
    test::write_text(dir / "project.yaml",
                     std::string("version: 1\ndevice: mimxrt1020\nboot_device: flexspi-nor\n"
                                 "app:\n  file: app.bin\n  address: ") +
                         (ram ? "0x20002000" : "0x60002000") +
                         "\nfcb:\n  preset: rt1020-evk\n"
                     "hab:\n  srk_table: pki/srk/SRK_table.bin\n"
                     "  csf_key: pki/keys/CSF1_1_sha256_2048_65537_v3_usr_key.pem\n"
                     "  csf_cert: pki/crts/CSF1_1_sha256_2048_65537_v3_usr_crt.pem\n"
                     "  img_key: pki/keys/IMG1_1_sha256_2048_65537_v3_usr_key.pem\n"
                     "  signature_time: 2024-01-31T12:00:00Z\n" +
                         extra);
    return dir / "project.yaml";
}

const std::string kImgCert = "  img_cert: pki/crts/IMG1_1_sha256_2048_65537_v3_usr_crt.pem\n";

std::string export_error(const ExportOptions& options) {
    try {
        export_package(options);
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), ErrorCode::BadInput) << e.what();
        return e.what();
    }
    return "no error";
}

ExportOptions options_for(const std::filesystem::path& project) {
    ExportOptions o;
    o.project = project;
    o.insecure_plain_secrets = true;  // the DEK of the encrypted projects (sealing: seal_test)
    return o;
}

// The attack: the image certificate named in hab: is the certificate and its private key in one
// PEM (as some tools write them). The build reads the certificate from it and, before, the
// package carried the key.
TEST(ExportSecrets, ACertificateFileWithItsKeyIsRefused) {
    test::TempDir t;
    const auto pki = t / "pki";
    const auto project = signed_project(t.path(), "  img_cert: pki/crts/img_with_key.pem\n");
    const std::string cert = read_text_file(pki / "crts/IMG1_1_sha256_2048_65537_v3_usr_crt.pem");
    const std::string key = read_text_file(pki / "keys/IMG1_1_sha256_2048_65537_v3_usr_key.pem");
    test::write_text(pki / "crts/img_with_key.pem", cert + key);
    EXPECT_EQ(export_error(options_for(project)),
              fmt::format("{}: a PEM 'RSA PRIVATE KEY' block at byte {}: private keys never go "
                          "into a package; give the project a file with the certificate only",
                          (pki / "crts/img_with_key.pem").string(), cert.size()));
    // Encrypted, the key is refused all the same.
    const std::string encrypted = hab::encrypt_private_key_pem(
        Bytes(key.begin(), key.end()), "a long password", "seed", hab::kMinKdfIterations);
    test::write_text(pki / "crts/img_with_key.pem", cert + encrypted);
    EXPECT_NE(export_error(options_for(project))
                  .find("img_with_key.pem: a PEM 'ENCRYPTED PRIVATE KEY' block at byte"),
              std::string::npos);
}

// Any packaged input: here a flashloader outside the project folder (project/external/) with a
// DER key inside it.
TEST(ExportSecrets, AKeyInsideAnExternalInputIsRefused) {
    test::TempDir t;
    std::filesystem::create_directories(t / "project");
    std::filesystem::create_directories(t / "elsewhere");
    const auto project =
        signed_project(t / "project", kImgCert + "flashloader: ../elsewhere/fl.bin\n");
    const Bytes key_pem = read_file(t / "project/pki/keys/CSF1_1_sha256_2048_65537_v3_usr_key.pem");
    // The DER form of the key: what mbedTLS writes, PKCS#1.
    const std::string text(key_pem.begin(), key_pem.end());
    Bytes fl(0x2000, 0xFF);
    const std::string der_b64 = [&] {
        std::string b;
        for (std::size_t at = text.find('\n') + 1; at < text.size() && text[at] != '-'; ++at)
            if (text[at] != '\n')
                b += text[at];
        return b;
    }();
    // Stored as a PEM block in the middle of a binary: found wherever it sits.
    const std::string block =
        "-----BEGIN RSA PRIVATE KEY-----\n" + der_b64 + "\n-----END RSA PRIVATE KEY-----\n";
    std::copy(block.begin(), block.end(), fl.begin() + 0x400);
    test::write_bytes(t / "elsewhere/fl.bin", fl);
    EXPECT_EQ(export_error(options_for(project)),
              fmt::format("{}: a PEM 'RSA PRIVATE KEY' block at byte 1024: private keys never go "
                          "into a package; remove the key from the file, or keep the file out of "
                          "the project",
                          (t / "elsewhere/fl.bin").lexically_normal().string()));
}

bool contains(ByteView data, ByteView part) {
    return std::search(data.begin(), data.end(), part.begin(), part.end()) != data.end();
}

// Every entry of the zip, decompressed, searched for a run of the app's plaintext.
std::vector<std::string> entries_with(const Bytes& zip, ByteView run) {
    std::vector<std::string> out;
    for (const ZipEntry& e : read_zip(zip, {}))
        if (contains(e.data, run))
            out.push_back(e.name);
    return out;
}

// The attack: a HAB-encrypted package carried the plaintext app beside the encrypted image.
TEST(ExportSecrets, AnEncryptedImageIsPackagedWithoutItsPlaintextApp) {
    test::TempDir t;
    test::write_bytes(t / "dek.bin", Bytes(16, 0x5C));
    const auto project = signed_project(
        t.path(),
        kImgCert + "  encrypt:\n    dek: dek.bin\n    nonce: 00112233445566778899aabbcc\n");
    const Bytes app = read_file(t / "app.bin");
    const ByteView run = ByteView(app).subspan(0x4000, 64);

    const ExportedPackage e = export_package(options_for(project));
    EXPECT_EQ(entries_with(e.zip, run), std::vector<std::string>{});
    const Package p = verify_package(e.zip, {}, "0.3.0");  // still importable
    for (const FileEntry& f : p.manifest.files)
        EXPECT_NE(f.role, FileRole::App) << f.path;
    EXPECT_EQ(p.files.count("project/app.bin"), 0u);
    EXPECT_EQ(p.files.count("project/dek.bin"), 0u);
    ASSERT_EQ(p.manifest.images.size(), 1u);
    EXPECT_FALSE(p.manifest.write_plan.empty());
    const std::string readme(p.files.at("README.txt").begin(), p.files.at("README.txt").end());
    EXPECT_NE(readme.find("The image is HAB-encrypted: its plaintext application is not in this "
                          "package"),
              std::string::npos)
        << readme;
    for (const std::string& w : e.warnings)
        EXPECT_EQ(w.find("include-sources"), std::string::npos) << w;

    // Asked for, the app is packaged, and both the warning and README.txt say so.
    ExportOptions with = options_for(project);
    with.include_sources = true;
    const ExportedPackage s = export_package(with);
    EXPECT_EQ(entries_with(s.zip, run), std::vector<std::string>{"project/app.bin"});
    const Package ps = verify_package(s.zip, {}, "0.3.0");
    EXPECT_EQ(ps.files.at("project/app.bin"), app);
    const std::string warning =
        fmt::format("--include-sources: the package carries the plaintext application {} "
                    "beside the HAB-encrypted image: whoever has the package can read the "
                    "firmware",
                    (t / "app.bin").string());
    EXPECT_NE(std::find(s.warnings.begin(), s.warnings.end(), warning), s.warnings.end())
        << (s.warnings.empty() ? "no warning" : s.warnings.back());
    const std::string readme_s(ps.files.at("README.txt").begin(), ps.files.at("README.txt").end());
    EXPECT_NE(readme_s.find("WARNING: the image is HAB-encrypted, yet this package also carries "
                            "its plaintext\napplication, project/app.bin (exported with "
                            "--include-sources)"),
              std::string::npos)
        << readme_s;
    // The same images and write plan either way: writing never needed the app.
    EXPECT_EQ(ps.files.at("images/flexspi-nor.bin"), p.files.at("images/flexspi-nor.bin"));
    EXPECT_EQ(ps.manifest.write_plan.size(), p.manifest.write_plan.size());
}

// Without encryption the app is packaged as before, and --include-sources changes nothing.
TEST(ExportSecrets, AnUnencryptedImageKeepsItsApp) {
    test::TempDir t;
    const auto project = signed_project(t.path(), kImgCert);
    const ExportedPackage e = export_package(options_for(project));
    const Package p = verify_package(e.zip, {}, "0.3.0");
    EXPECT_EQ(p.files.at("project/app.bin"), read_file(t / "app.bin"));
    ExportOptions with = options_for(project);
    with.include_sources = true;
    const ExportedPackage s = export_package(with);
    EXPECT_EQ(s.zip, e.zip);
    ASSERT_FALSE(s.warnings.empty());
    EXPECT_EQ(s.warnings.back(),
              "--include-sources has no effect: the image is not encrypted and the application "
              "is always packaged");
}

}  // namespace
}  // namespace rtprov::pkg
