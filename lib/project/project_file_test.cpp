#include "rtprov/project/project_file.hpp"

#include <gtest/gtest.h>

#include "rtprov/project/build_spec.hpp"
#include "rtprov/util/error.hpp"

namespace rtprov::project {
namespace {

std::string error_of(std::string_view yaml) {
    try {
        parse_project(yaml, "/p/project.yaml");
    } catch (const Error& e) {
        return e.what();
    }
    return "no error";
}

TEST(ProjectFile, ReadsEverySettingAndAnchorsPathsAtTheProject) {
    const BuildSpec s = parse_project(R"(
version: 1
device: mimxrt1050
boot_device: sd
app:
  file: out/app.bin
  format: bin
  address: 0x8000_2000
  entry: 0x80002101
fcb:
  preset: rt1050-evkb
  fields:
    serialClkFreq: 7
    sflashA1Size: 0x4000000
dcd: /abs/dcd.txt
padding: false
output: build/image.bin
)",
                                      "/p/project.yaml");
    EXPECT_EQ(s.device, "mimxrt1050");
    EXPECT_EQ(s.boot_device, "sd");
    EXPECT_EQ(s.app, "/p/out/app.bin");
    EXPECT_EQ(s.app_format, "bin");
    EXPECT_EQ(s.app_address, 0x80002000u);
    EXPECT_EQ(s.entry, 0x80002101u);
    ASSERT_TRUE(s.fcb);
    EXPECT_EQ(s.fcb->preset, "rt1050-evkb");
    ASSERT_EQ(s.fcb->fields.size(), 2u);
    EXPECT_EQ(s.fcb->fields[1], (std::pair<std::string, std::uint64_t>{"sflashA1Size", 0x4000000}));
    EXPECT_EQ(s.dcd, "/abs/dcd.txt");
    EXPECT_FALSE(s.padding);
    EXPECT_EQ(s.output, "/p/build/image.bin");
}

TEST(ProjectFile, DefaultsAndShorthands) {
    const BuildSpec s =
        parse_project("device: mimxrt1020\napp: a.elf\nfcb: rt1020-evk\n", "/p/project.yaml");
    EXPECT_EQ(s.boot_device, "flexspi-nor");
    EXPECT_EQ(s.app, "/p/a.elf");
    EXPECT_TRUE(s.padding);
    ASSERT_TRUE(s.fcb);
    EXPECT_EQ(s.fcb->preset, "rt1020-evk");  // no such file beside the project: a preset
    EXPECT_FALSE(s.output);
}

// Fuzzing (tests/fuzz/regressions/yaml_config/fcb-file-name-too-long): a shorthand fcb: whose name
// the system cannot even look up as a file (a component over 255 bytes: ENAMETOOLONG) is a preset
// name, not an escaping std::filesystem exception; the unknown preset is reported when built.
TEST(ProjectFile, AnFcbNameTooLongForAFileIsAPresetName) {
    const std::string name(300, 'x');
    const BuildSpec s =
        parse_project("device: mimxrt1020\napp: a.elf\nfcb: " + name + "\n", "/p/project.yaml");
    ASSERT_TRUE(s.fcb);
    EXPECT_EQ(s.fcb->preset, name);
    EXPECT_EQ(fcb_spec_from_argument("/tmp/" + name).preset, "/tmp/" + name);
}

TEST(ProjectFile, ErrorsNameFileLineAndColumn) {
    EXPECT_EQ(error_of("device: mimxrt1020\napp: a.elf\npading: false\n"),
              "/p/project.yaml:3:1: unknown key 'pading' in the project; known keys: version, "
              "device, boot_device, app, fcb, flash_option, dcd, padding, layout, output, hab, bee, "
              "otfad, "
              "flashloader, per_board, production");
    EXPECT_EQ(error_of("device: mimxrt1020\napp:\n  file: a.bin\n  address: 0x6000200G\n"),
              "/p/project.yaml:4:12: 'app.address': '0x6000200G' is not a number");
    EXPECT_EQ(error_of("app: a.elf\n"), "/p/project.yaml: 'device' is missing");
    // Fuzzing (tests/fuzz/regressions/yaml_config/mapping-as-key): a non-scalar key is named,
    // not an escaping YAML exception.
    EXPECT_EQ(error_of("device: mimxrt1020\napp: a.elf\n[x]: 1\n"),
              "/p/project.yaml:3:1: keys in the project must be plain names");
    EXPECT_EQ(error_of("device: mimxrt1020\napp: a.elf\npadding: maybe\n"),
              "/p/project.yaml:3:10: 'padding' must be true or false");
    EXPECT_EQ(error_of("device: mimxrt1020\napp: a.elf\nversion: 2\n"),
              "/p/project.yaml:3:10: this rtprov reads project files of version 1");
    EXPECT_EQ(error_of("device: [\n"), "/p/project.yaml:2:1: end of sequence flow not found");
}

// A free layout: both values, as numbers, where they were written (for later errors).
TEST(ProjectFile, LayoutGivesBothOffsets) {
    const BuildSpec s = parse_project(
        "device: mimxrt1060\napp: a.elf\nlayout: {ivt_offset: 0x0, initial_load_size: 0x2000}\n",
        "/p/project.yaml");
    ASSERT_TRUE(s.layout);
    EXPECT_EQ(s.layout->ivt_offset, 0u);
    EXPECT_EQ(s.layout->initial_load_size, 0x2000u);
    EXPECT_EQ(s.layout->where, "/p/project.yaml:3:9");
    EXPECT_EQ(error_of("device: mimxrt1060\napp: a.elf\nlayout: {ivt_offset: 0x400}\n"),
              "/p/project.yaml:3:9: 'layout.initial_load_size' is missing (a layout gives both)");
    EXPECT_EQ(error_of("device: mimxrt1060\napp: a.elf\nlayout: {ivt_offset: 0, "
                       "initial_load_size: 0x400, dcd: 1}\n"),
              "/p/project.yaml:3:51: unknown key 'dcd' in layout; known keys: ivt_offset, "
              "initial_load_size");
}

TEST(ProjectFile, FlashloaderSection) {
    const BuildSpec s = parse_project(
        "device: mimxrt1020\napp: a.elf\nflashloader:\n  file: fl/ivt_flashloader.bin\n"
        "  image_address: 0x20000000\n",
        "/p/project.yaml");
    ASSERT_TRUE(s.flashloader);
    EXPECT_EQ(s.flashloader->file, "/p/fl/ivt_flashloader.bin");
    EXPECT_EQ(s.flashloader->image_address, 0x20000000u);
    EXPECT_FALSE(s.flashloader->sign);
    EXPECT_EQ(
        parse_project("device: mimxrt1020\napp: a.elf\nflashloader: fl.bin\n", "/p/project.yaml")
            .flashloader->file,
        "/p/fl.bin");
    EXPECT_EQ(error_of("device: mimxrt1020\napp: a.elf\nflashloader:\n  file: f.bin\n  sign: "
                       "true\n"),
              "/p/project.yaml:4:3: 'flashloader.sign' needs a hab: section (the keys to sign "
              "with)");
    EXPECT_EQ(error_of("device: mimxrt1020\napp: a.elf\nflashloader:\n  sign: false\n"),
              "/p/project.yaml:4:3: 'flashloader.file' is missing");
}

// flash_option: the FlexSPI NOR option word `rtprov write` configures with (hex accepted).
TEST(ProjectFile, FlashOption) {
    const BuildSpec s = parse_project("device: mimxrt1050\napp: a.elf\nflash_option: 0xC0233007\n",
                                      "/p/project.yaml");
    EXPECT_EQ(s.flash_option, 0xC0233007u);
    EXPECT_EQ(s.flash_option_where, "/p/project.yaml:3:15");
    EXPECT_EQ(parse_project("device: mimxrt1020\napp: a.elf\n", "/p/project.yaml").flash_option,
              std::nullopt);
    EXPECT_EQ(error_of("device: mimxrt1020\napp: a.elf\nflash_option: 0xF000000F\n"),
              "/p/project.yaml:3:15: 'flash_option': 0xF000000F is not a FlexSPI NOR "
              "configuration option (tag, bits 31:28, is 0xF, not 0xC)");
    EXPECT_EQ(error_of("device: mimxrt1020\nboot_device: sd\napp: a.elf\nflash_option: "
                       "0xC0000007\n"),
              "/p/project.yaml:4:15: 'flash_option' configures FlexSPI NOR; the boot device is sd");
}

}  // namespace
}  // namespace rtprov::project
