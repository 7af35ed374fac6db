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
    EXPECT_EQ(a.out, "wrote " + (t / "a.zip").string() +
                         " (12277 bytes): mimxrt1020 flexspi-nor, 5 files, 0 fuse words, "
                         "schema 1.0\n");
    ASSERT_EQ(rtprov("export-pkg -c " + project + " -o " + (t / "b.zip").string()).exit_code, 0);
    EXPECT_EQ(read_file(t / "a.zip"), read_file(t / "b.zip"));

    const auto i =
        rtprov("--json import-pkg " + (t / "a.zip").string() + " --to " + (t / "out").string());
    ASSERT_EQ(i.exit_code, 0) << i.err;
    const auto doc = nlohmann::json::parse(i.out);
    EXPECT_EQ(doc["schema_version"], "1.0");
    EXPECT_EQ(doc["device"], "mimxrt1020");
    ASSERT_EQ(doc["images"].size(), 1u);
    EXPECT_EQ(doc["images"][0]["path"], "images/flexspi-nor.bin");
    const auto built = rtprov("build -c " + project + " -o " + (t / "built.bin").string());
    ASSERT_EQ(built.exit_code, 0) << built.err;
    EXPECT_EQ(read_file(t / "out/images/flexspi-nor.bin"), read_file(t / "built.bin"));
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

}  // namespace
}  // namespace rtprov::test
