// `rtprov build` gives the same bytes for an ELF, Intel HEX, S-record and raw binary of one
// program. The other formats are made from the binary by rtprov's writers and, independently, by
// GNU objcopy; with RTPROV_VECTORS every result must also equal NXP's reference output.

#include <gtest/gtest.h>

#include "cli_support.hpp"
#include "rtprov/input/formats.hpp"
#include "rtprov/util/file.hpp"

namespace rtprov::test {
namespace {

struct Case {
    std::string part, app, address, extra, expected;
};

// Builds `app_file` and returns the output bytes.
Bytes build(const TempDir& t, const Case& c, const std::filesystem::path& app_file,
            const std::string& address_option) {
    const auto out = t / (app_file.filename().string() + ".out");
    auto r = run_command(kRtprov + " build --device " + c.part +
                         " --boot-device flexspi-nor --app " + app_file.string() + " " +
                         address_option + " " + c.extra + " -o " + out.string());
    EXPECT_EQ(r.exit_code, 0) << app_file << ": " << r.err;
    return r.exit_code == 0 ? read_file(out) : Bytes{};
}

void check_formats(const Case& c, const std::filesystem::path& bin, const Bytes* expected) {
    TempDir t;
    const std::uint32_t address = static_cast<std::uint32_t>(std::stoul(c.address, nullptr, 16));
    const auto image = input::read_binary(read_file(bin), address, bin.string());
    write_text(t / "app.hex", input::write_ihex(image));
    write_text(t / "app.srec", input::write_srec(image));
    write_bytes(t / "app.elf", input::write_elf(image));

    const Bytes reference = build(t, c, bin, "--app-address 0x" + c.address);
    if (expected) {
        EXPECT_TRUE(reference == *expected) << c.app << ": binary build differs from NXP output";
    }
    for (const char* name : {"app.hex", "app.srec", "app.elf"}) {
        EXPECT_TRUE(build(t, c, t / name, "") == reference) << c.app << " as " << name;
    }
    if (std::filesystem::exists("/usr/bin/objcopy")) {
        for (const auto& [fmt, name] :
             {std::pair{"ihex", "oc.hex"}, std::pair{"srec", "oc.srec"}}) {
            auto r = run_command(std::string("/usr/bin/objcopy -I binary -O ") + fmt +
                                 " --change-addresses 0x" + c.address + " " + bin.string() + " " +
                                 (t / name).string());
            ASSERT_EQ(r.exit_code, 0) << r.err;
            EXPECT_TRUE(build(t, c, t / name, "") == reference) << c.app << " via objcopy " << fmt;
        }
    }
}

TEST(FormatsGolden, EveryFormatOfTheNxpAppsBuildsTheReferenceImage) {
    const auto v = vectors_dir();
    if (!v)
        GTEST_SKIP() << "RTPROV_VECTORS is not set: NXP compatibility suite skipped";
    const Case cases[] = {
        {"mimxrt1020", "rt1020-evk/evkmimxrt1020_iled_blinky_ext_FLASH.bin", "60002000", "",
         "rt1020-evk/output/evkmimxrt1020_iled_blinky_ext_FLASH_unsigned.bin"},
        {"mimxrt1020", "rt1020-evk/evkmimxrt1020_iled_blinky_SDRAM.bin", "80002000",
         "--dcd " + (*v / "rt1020-evk/dcd_SDRAM.bin").string(),
         "rt1020-evk/output/evkmimxrt1020_iled_blinky_SDRAM_unsigned.bin"},
        {"mimxrt1050", "rt1050-evkb/evkbimxrt1050_iled_blinky_int_RAM.bin", "20002000", "",
         "rt1050-evkb/output/evkbimxrt1050_iled_blinky_int_RAM_unsigned.bin"},
    };
    for (const auto& c : cases) {
        const Bytes expected = read_file(*v / c.expected);
        check_formats(c, *v / c.app, &expected);
    }
}

TEST(FormatsGolden, EveryFormatOfTheDemoAppBuildsTheSameImage) {
    // The demo app as a raw binary: its S-record flattened.
    TempDir t;
    const auto srec =
        std::filesystem::path(RTPROV_SOURCE_DIR) / "examples/rt1020-evk/app/blinky.srec";
    const auto image = input::load_file(srec);
    ASSERT_EQ(image.start(), 0x60002000u);
    write_bytes(t / "blinky.bin", image.flatten());
    check_formats({"mimxrt1020", "blinky.bin", "60002000", "--fcb rt1020-evk", ""},
                  t / "blinky.bin", nullptr);
}

}  // namespace
}  // namespace rtprov::test
