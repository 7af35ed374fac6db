// export_package's FlexSPI NOR decisions (flash_plan.cpp): the option word of the write plan and
// how an image without an FCB gets one, seen in the exported manifest.
#include "rtprov/pkg/package.hpp"

#include <algorithm>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <gtest/gtest.h>

#include "rtprov/boot/fcb.hpp"
#include "rtprov/pkg/zip_archive.hpp"
#include "rtprov/util/error.hpp"
#include "rtprov/util/file.hpp"
#include "test_support.hpp"

namespace rtprov::pkg {
namespace {

// A project for `device` with the example app of `example` and `extra` keys.
std::filesystem::path project(const test::TempDir& t, const std::string& device,
                              const std::string& example, const std::string& extra) {
    const std::filesystem::path src =
        std::filesystem::path(RTPROV_SOURCE_DIR) / "examples" / example / "app/blinky.srec";
    std::filesystem::copy_file(src, t / "blinky.srec");
    const auto file = t / "project.yaml";
    test::write_text(file, "version: 1\ndevice: " + device +
                               "\nboot_device: flexspi-nor\napp: blinky.srec\n" + extra);
    return file;
}

ExportedPackage exported(const std::filesystem::path& file) {
    ExportOptions o;
    o.project = file;
    return export_package(o);
}

std::string export_error(const std::filesystem::path& file) {
    try {
        (void)exported(file);
    } catch (const Error& e) {
        return e.what();
    }
    return "no error";
}

// The plan, one readable line a step: "configure-memory 9 option 0xC0000007", "configure-memory
// 9 fcb images/fcb.bin", "erase 0x60000000+512", "write images/flexspi-nor.bin 0x60001000".
std::vector<std::string> steps(const Manifest& m) {
    std::vector<std::string> out;
    for (const WriteStep& s : m.write_plan) {
        std::string line(step_op_name(s.op));
        if (s.op == StepOp::ConfigureMemory && !s.fcb_file.empty())
            line += fmt::format(" {} fcb {}", s.memory_id, s.fcb_file);
        else if (s.op == StepOp::ConfigureMemory)
            line += fmt::format(" {} option 0x{:08X}", s.memory_id, fmt::join(s.option_words, " "));
        else if (s.op == StepOp::Erase)
            line += fmt::format(" 0x{:08X}+{}", s.address, s.length);
        else if (s.op == StepOp::Write || s.op == StepOp::Verify)
            line += fmt::format(" {} 0x{:08X}", s.file, s.address);
        out.push_back(line);
    }
    return out;
}

// An image without an FCB (padding: false, as SPSDK configurations convert): the flashloader
// programs one from the default option before the image is written (NXP's write scripts).
TEST(FlashPlan, AnImageWithoutFcbGetsTheFlashloadersFcb) {
    test::TempDir t;
    const ExportedPackage p = exported(project(t, "mimxrt1020", "rt1020-evk", "padding: false\n"));
    const auto plan = steps(p.manifest);
    ASSERT_EQ(plan.size(), 8u) << fmt::format("{}", fmt::join(plan, "\n"));
    EXPECT_EQ(plan[0], "load-flashloader");
    EXPECT_EQ(plan[1], "configure-memory 9 option 0xC0000007");
    EXPECT_EQ(plan[2], "erase 0x60000000+512");
    EXPECT_EQ(plan[3].substr(0, 17), "erase 0x60001000+");
    EXPECT_EQ(plan[4], "configure-memory 9 option 0xF000000F");
    EXPECT_EQ(plan[5], "write images/flexspi-nor.bin 0x60001000");
    EXPECT_EQ(plan[6], "verify images/flexspi-nor.bin 0x60001000");
    EXPECT_EQ(plan[7], "reset");
    EXPECT_EQ(p.manifest.schema, (SchemaVersion{2, 0}));  // no new field: older readers take it
    // README.txt says what the step does.
    const auto files = read_zip(p.zip, {});
    const auto readme = std::find_if(files.begin(), files.end(),
                                     [](const ZipEntry& e) { return e.name == "README.txt"; });
    ASSERT_NE(readme, files.end());
    const std::string text(readme->data.begin(), readme->data.end());
    EXPECT_NE(text.find("configure-memory 0x9 with option 0xF000000F: the flashloader programs "
                        "its configuration as the FCB"),
              std::string::npos)
        << text;
    EXPECT_NE(text.find("configure-memory 0x9 with option 0xC0000007 (QuadSPI SDR, 1-pad "
                        "commands, 133 MHz)"),
              std::string::npos)
        << text;
}

// The RT1050-EVKB preset: its HyperFlash option word, then the preset's FCB as the flashloader's
// configuration, so that the FCB programmed is the preset's (packaged as images/fcb.bin).
TEST(FlashPlan, Rt1050EvkbPresetGivesTheHyperFlashOption) {
    test::TempDir t;
    const ExportedPackage p =
        exported(project(t, "mimxrt1050", "rt1050-evkb", "fcb: rt1050-evkb\npadding: false\n"));
    const auto plan = steps(p.manifest);
    ASSERT_GE(plan.size(), 6u);
    EXPECT_EQ(plan[1], "configure-memory 9 option 0xC0233007");
    EXPECT_EQ(plan[2], "configure-memory 9 fcb images/fcb.bin");
    EXPECT_EQ(plan[3], "erase 0x60000000+512");
    EXPECT_EQ(plan[5], "configure-memory 9 option 0xF000000F");
    const auto files = read_zip(p.zip, {});
    const auto fcb = std::find_if(files.begin(), files.end(),
                                  [](const ZipEntry& e) { return e.name == "images/fcb.bin"; });
    ASSERT_NE(fcb, files.end());
    EXPECT_EQ(fcb->data, boot::serialize(boot::fcb_preset("rt1050-evkb")));
}

TEST(FlashPlan, AnExplicitFlashOptionIsTheOnePlanned) {
    test::TempDir t;
    const ExportedPackage p = exported(
        project(t, "mimxrt1020", "rt1020-evk", "padding: false\nflash_option: 0xC0000005\n"));
    EXPECT_EQ(p.manifest.write_plan.at(1).option_words, std::vector<std::uint32_t>{0xC0000005});
}

// An option for another kind of flash than the FCB's is refused, naming both.
TEST(FlashPlan, AnOptionContradictingTheFcbIsRefused) {
    test::TempDir t;
    const auto file =
        project(t, "mimxrt1020", "rt1020-evk", "fcb: rt1020-evk\nflash_option: 0xC0233007\n");
    EXPECT_EQ(export_error(file),
              file.string() + ": flash_option 0xC0233007 (" + file.string() +
                  ":6:15) and FCB preset rt1020-evk disagree: option 0xC0233007 (HyperFlash "
                  "1V8, 8-pad commands, 133 MHz) needs an FCB for 8 pads sampled with the "
                  "flash's DQS (readSampleClkSrc 3, sflashPadType 8); the FCB has "
                  "readSampleClkSrc 1, sflashPadType 4");
}

// A HyperFlash FCB file and no option: the default QSPI word would configure the flash first.
TEST(FlashPlan, TheDefaultOptionIsCheckedWhereThePlanUsesIt) {
    test::TempDir t;
    write_file_atomic(t / "hyper.fcb", boot::serialize(boot::fcb_preset("rt1050-evkb")));
    const auto file =
        project(t, "mimxrt1050", "rt1050-evkb", "fcb: {file: hyper.fcb}\npadding: false\n");
    const std::string e = export_error(file);
    EXPECT_NE(e.find("the default flash option 0xC0000007 and FCB file "), std::string::npos) << e;
    EXPECT_NE(e.find("; give the flash's flash_option"), std::string::npos) << e;
    // With the image carrying that FCB the option is not used, and nothing is refused.
    test::write_text(file,
                     "version: 1\ndevice: mimxrt1050\napp: blinky.srec\n"
                     "fcb: {file: hyper.fcb}\n");
    EXPECT_EQ(export_error(file), "no error");
}

// No FCB and padding: the image's zero-filled FCB area would stand where the FCB must be, so
// nothing can program one: refused (rtprov 0.2 packaged it, and `write` passed a board that
// does not boot).
TEST(FlashPlan, AnImageWithoutFcbCoveringTheFcbAreaIsRefused) {
    test::TempDir t;
    const auto file = project(t, "mimxrt1020", "rt1020-evk", "");
    EXPECT_EQ(export_error(file),
              file.string() +
                  ": images/flexspi-nor.bin has no FCB, and its own bytes 0x0..0x1FF cover the "
                  "FCB area at 0x60000000 (zero-filled: padding without fcb:): the board would "
                  "not boot. Give fcb: (a preset or a file), or padding: false so that `rtprov "
                  "write` has the flashloader program an FCB from the default flash option "
                  "0xC0000007");
}

}  // namespace
}  // namespace rtprov::pkg
