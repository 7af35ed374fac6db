// Black-box tests of `rtprov export-pkg` / `rtprov import-pkg` on the RT1020-EVK example.

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "cli_support.hpp"
#include "rtprov/util/file.hpp"

namespace rtprov::test {
namespace {

TEST(PkgCli, ExportsDeterministicallyAndImportsWithASummary) {
    TempDir t;
    const std::string project = (kSource / "examples/rt1020-evk/project.yaml").string();
    const auto a = rtprov("export-pkg -c " + project + " -o " + (t / "a.zip").string());
    ASSERT_EQ(a.exit_code, 0) << a.err;
    EXPECT_EQ(a.out.substr(0, ("wrote " + (t / "a.zip").string() + " (").size()),
              "wrote " + (t / "a.zip").string() + " (");
    EXPECT_NE(a.out.find(" bytes): mimxrt1020 flexspi-nor, 5 files, 0 fuse words, 6 write steps, "
                         "schema 2.0\n"),
              std::string::npos)
        << a.out;
    // The example names no flashloader: the package says so before a factory finds out.
    EXPECT_NE(a.err.find("no flashloader: section"), std::string::npos) << a.err;
    ASSERT_EQ(rtprov("export-pkg -c " + project + " -o " + (t / "b.zip").string()).exit_code, 0);
    EXPECT_EQ(read_file(t / "a.zip"), read_file(t / "b.zip"));

    const auto i =
        rtprov("--json import-pkg " + (t / "a.zip").string() + " --to " + (t / "new/out").string());
    ASSERT_EQ(i.exit_code, 0) << i.err;
    const auto doc = nlohmann::json::parse(i.out);
    EXPECT_EQ(doc["schema_version"], "2.0");
    EXPECT_EQ(doc["images"][0]["address"], 0x60000000u);
    EXPECT_EQ(doc["write_plan"], nlohmann::json::parse(R"(["load-flashloader",
        "configure-memory", "erase", "write", "verify", "reset"])"));
    EXPECT_EQ(doc["device"], "mimxrt1020");
    ASSERT_EQ(doc["images"].size(), 1u);
    EXPECT_EQ(doc["images"][0]["path"], "images/flexspi-nor.bin");
    const auto built = rtprov("build -c " + project + " -o " + (t / "built.bin").string());
    ASSERT_EQ(built.exit_code, 0) << built.err;
    // --to creates missing parent folders.
    EXPECT_EQ(read_file(t / "new/out/images/flexspi-nor.bin"), read_file(t / "built.bin"));
}

TEST(PkgCli, RefusesAPackageThatIsNotAZip) {
    TempDir t;
    write_text(t / "bad.zip", "not a zip");
    const auto r =
        rtprov("import-pkg " + (t / "bad.zip").string() + " --to " + (t / "out").string());
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_EQ(r.err.rfind("rtprov: error: " + (t / "bad.zip").string() + ": not a zip archive", 0),
              0u)
        << r.err;
    EXPECT_FALSE(std::filesystem::exists(t / "out"));
}

TEST(PkgCli, ExportOfAStaleBuildOutputIsRefused) {
    TempDir t;
    const std::string project = copy_example(t.path()).string();
    const std::string image = (t / "built.bin").string();
    ASSERT_EQ(rtprov("build -c " + project + " -o " + image).exit_code, 0);
    const auto fresh =
        rtprov("export-pkg -c " + project + " --image " + image + " -o " + (t / "a.zip").string());
    EXPECT_EQ(fresh.exit_code, 0) << fresh.err;

    // A setting changes after the build: the project now builds another image.
    std::string yaml = read_text_file(project);
    yaml.replace(yaml.find("padding: true"), 13, "padding: false");
    write_text(project, yaml);
    const auto stale =
        rtprov("export-pkg -c " + project + " --image " + image + " -o " + (t / "b.zip").string());
    EXPECT_EQ(stale.exit_code, 2);
    EXPECT_EQ(stale.err, "rtprov: error: " + image + ": stale: not the image " + project +
                             " builds from the files on disk now (an input changed after it was "
                             "built?)\n");
    EXPECT_FALSE(std::filesystem::exists(t / "b.zip"));
}

TEST(PkgCli, SignedPackageIsCheckedAgainstTheTrustKey) {
    TempDir t;
    const std::string project = copy_example(t.path()).string();
    const std::string pass = (t / "pass.txt").string();
    write_text(pass, "pkg-cli-test\n");
    ASSERT_EQ(rtprov("keys -o " + (t / "pki").string() + " --srk-count 1 --password-file " + pass)
                  .exit_code,
              0);
    const std::string csf = (t / "pki/keys/CSF1_1_sha256_2048_65537_v3_usr_key.pem").string();
    const std::string img_cert = (t / "pki/crts/IMG1_1_sha256_2048_65537_v3_usr_crt.pem").string();
    const std::string csf_cert = (t / "pki/crts/CSF1_1_sha256_2048_65537_v3_usr_crt.pem").string();
    const std::string zip = (t / "signed.zip").string();
    const auto e = rtprov("export-pkg -c " + project + " --sign-key " + csf +
                          " --sign-key-password-file " + pass + " -o " + zip);
    ASSERT_EQ(e.exit_code, 0) << e.err;

    const auto trusted = rtprov("--json import-pkg " + zip + " --trust-key " + csf_cert);
    ASSERT_EQ(trusted.exit_code, 0) << trusted.err;
    EXPECT_TRUE(nlohmann::json::parse(trusted.out)["signature_trusted"].get<bool>());

    const auto untrusted = rtprov("import-pkg " + zip + " --trust-key " + img_cert);
    EXPECT_EQ(untrusted.exit_code, 4);
    EXPECT_NE(untrusted.err.find("which is not a trusted key"), std::string::npos) << untrusted.err;

    // `write` checks the same way, before any board is touched.
    const auto write = rtprov("write " + zip + " --port sim:auto --trust-key " + img_cert);
    EXPECT_EQ(write.exit_code, 4);
    EXPECT_NE(write.err.find("which is not a trusted key"), std::string::npos) << write.err;

    const auto unchecked = rtprov("import-pkg " + zip);
    EXPECT_EQ(unchecked.exit_code, 0);
    EXPECT_NE(unchecked.err.find("not checked: no trust key given"), std::string::npos)
        << unchecked.err;
}

}  // namespace
}  // namespace rtprov::test
