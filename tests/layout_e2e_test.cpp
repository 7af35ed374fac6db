// Free layouts (the project's `layout:`, nxpimage's ivtOffset/initialLoadSize pairs that match no
// named boot device): convert keeps them, build uses them, export-pkg refuses an IVT the boot ROM
// would not find. Byte equality with nxpimage for random pairs is scripts/difftest's job.

#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include "cli_support.hpp"
#include "test_support.hpp"

namespace rtprov::test {
namespace {

std::string read_text(const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

// A raw app at 0x20202000 (OCRAM of the RT1060): vector table, then counting bytes.
void write_app(const std::filesystem::path& path) {
    Bytes app(0x100);
    for (std::size_t i = 0; i < app.size(); ++i)
        app[i] = static_cast<std::uint8_t>(i);
    store_le32(app.data(), 0x20210000);
    store_le32(app.data() + 4, 0x20202101);
    write_bytes(path, app);
}

// A signed flashloader's layout: IVT first, the app 0x2000 above the image start.
TEST(FreeLayout, ConvertKeepsAPairNoBootDeviceHasAndBuildUsesIt) {
    TempDir t;
    write_app(t / "app.bin");
    write_text(t / "config.yaml",
               "options:\n  flags: 0x0\n  startAddress: 0x20200000\n  ivtOffset: 0x0\n"
               "  initialLoadSize: 0x2000\n  family: mimxrt1060\ninputImageFile: app.bin\n");
    auto r = rtprov(fmt::format("convert {} -o {}", (t / "config.yaml").string(),
                                (t / "project.yaml").string()));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const std::string project = read_text(t / "project.yaml");
    EXPECT_NE(project.find("layout: {ivt_offset: 0x0, initial_load_size: 0x2000}\n"),
              std::string::npos)
        << project;
    EXPECT_NE(project.find("# Note: ivtOffset 0x0 and initialLoadSize 0x2000 match no boot "
                           "device of mimxrt1060: kept as a free layout (layout:), boot device "
                           "serial-downloader\n"),
              std::string::npos)
        << project;
    r = rtprov(fmt::format("--json build -c {} -o {}", (t / "project.yaml").string(),
                           (t / "out.bin").string()));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const Bytes out = [&] {
        const std::string s = read_text(t / "out.bin");
        return Bytes(s.begin(), s.end());
    }();
    ASSERT_EQ(out.size(), 0x2100u);
    EXPECT_EQ(load_le32(out.data()), 0x402000D1u);       // IVT header at file offset 0
    EXPECT_EQ(load_le32(out.data() + 4), 0x20202101u);   // entry
    EXPECT_EQ(load_le32(out.data() + 0x14), 0x20200000u);  // IVT self
    EXPECT_EQ(load_le32(out.data() + 0x2004), 0x20202101u);  // the app at 0x2000
    // The same from options.
    r = rtprov(fmt::format("build --device mimxrt1060 --boot-device serial-downloader --app {} "
                           "--app-address 0x20202000 --ivt-offset 0 --initial-load-size 0x2000 "
                           "--no-padding -o {}",
                           (t / "app.bin").string(), (t / "opts.bin").string()));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(read_text(t / "opts.bin"), read_text(t / "out.bin"));
    r = rtprov(fmt::format("build --device mimxrt1060 --app {} --app-address 0x20202000 "
                           "--ivt-offset 0 -o {}",
                           (t / "app.bin").string(), (t / "x.bin").string()));
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_EQ(r.err,
              "rtprov: error: a free layout needs both --ivt-offset and --initial-load-size\n");
}

// A package is written to the boot device for its ROM: the app may move, the IVT may not.
TEST(FreeLayout, ExportPkgRefusesAnIvtTheBootRomWouldNotFind) {
    TempDir t;
    const auto project = copy_example(t.path());
    const std::string base = read_text(project);
    write_text(project, base + "layout: {ivt_offset: 0x800, initial_load_size: 0x2000}\n");
    auto r = rtprov(fmt::format("export-pkg -c {} -o {}", project.string(),
                                (t / "pkg.zip").string()));
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_NE(r.err.find("project.yaml:"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find(": layout.ivt_offset 0x800: the boot ROM reads the IVT at 0x1000 of "
                         "flexspi-nor, so the package's image would not boot; keep ivt_offset "
                         "0x1000 (initial_load_size may differ)\n"),
              std::string::npos)
        << r.err;
    EXPECT_FALSE(std::filesystem::exists(t / "pkg.zip"));
    write_text(project, base + "layout: {ivt_offset: 0x1000, initial_load_size: 0x1800}\n");
    r = rtprov(fmt::format("export-pkg -c {} -o {}", project.string(), (t / "pkg.zip").string()));
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_TRUE(std::filesystem::exists(t / "pkg.zip"));
}

}  // namespace
}  // namespace rtprov::test
