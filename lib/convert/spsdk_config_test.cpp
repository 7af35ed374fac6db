#include <gtest/gtest.h>

#include "rtprov/convert/convert.hpp"
#include "rtprov/convert/vendor_config.hpp"
#include "rtprov/util/error.hpp"

namespace rtprov::convert {
namespace {

std::string error_of(std::string_view yaml) {
    try {
        parse_spsdk_config(yaml, "/cfg/c.yaml");
    } catch (const Error& e) {
        return e.what();
    }
    return "no error";
}

TEST(SpsdkConfig, ReadsOptionsInputAndSections) {
    const VendorConfig c = parse_spsdk_config(R"(
options:
  flags: 8
  family: mimxrt1050
inputImageFile: app.srec
sections:
  - Header:
      Header_Version: '4.2'
  - Unlock:
      Unlock_Engine: SNVS
      Unlock_Features: ZMK WRITE
)",
                                              "/cfg/c.yaml");
    EXPECT_EQ(c.format, "spsdk");
    ASSERT_EQ(c.options.size(), 2u);
    EXPECT_EQ(c.options[0].key, "flags");
    EXPECT_EQ(c.options[0].value, "8");
    EXPECT_EQ(c.options[0].where, "/cfg/c.yaml:3:3");
    EXPECT_EQ(c.input_image, std::filesystem::path("/cfg/app.srec"));
    ASSERT_EQ(c.sections.size(), 2u);
    EXPECT_EQ(c.sections[0].name, "Header");
    EXPECT_EQ(c.sections[0].entries[0].value, "4.2");
    EXPECT_EQ(c.sections[1].entries[1].value, "ZMK WRITE");
}

TEST(SpsdkConfig, ErrorsNameFileLineAndColumn) {
    EXPECT_EQ(error_of("options: {flags: 8}\noutput: x\n"),
              "/cfg/c.yaml:2:1: unknown key 'output' in an SPSDK HAB configuration; known keys: "
              "options, inputImageFile, sections");
    EXPECT_EQ(error_of("inputImageFile: a.bin\n"), "/cfg/c.yaml: 'options' is missing");
    EXPECT_EQ(error_of("options: {flags: 8}\nsections:\n  - Header: {}\n    Unlock: {}\n"),
              "/cfg/c.yaml:3:5: each item of 'sections' must be a mapping with one section name, "
              "e.g. 'Header:'");
    EXPECT_EQ(error_of("options:\n  flags: [8]\n"),
              "/cfg/c.yaml:2:10: 'options.flags' must be a single value");
    EXPECT_EQ(error_of("options: [\n"), "/cfg/c.yaml:2:1: end of sequence flow not found");
    // Fuzzing (tests/fuzz/regressions/yaml_config/complex-key-in-spsdk-config): a mapping as a
    // key is named, not an escaping yaml-cpp conversion exception.
    EXPECT_EQ(error_of("options: {flags: 8}\n? {a: 1}\n: 2\n"),
              "/cfg/c.yaml:2:3: keys in an SPSDK HAB configuration must be plain names");
    EXPECT_EQ(error_of("options: {flags: 8}\nsections:\n  - {[Header]: {}}\n"),
              "/cfg/c.yaml:3:6: keys in 'sections' must be plain names");
}

std::string convert_error_of(std::string_view yaml) {
    try {
        convert_config(parse_spsdk_config(yaml, "/cfg/c.yaml"), {});
    } catch (const Error& e) {
        return e.what();
    }
    return "no error";
}

TEST(Convert, OptionErrorsNameTheEntry) {
    EXPECT_EQ(convert_error_of("options:\n  flags: 8\n  familly: rt105x\n"),
              "/cfg/c.yaml:3:3: unknown option 'familly'; known options: flags, startAddress, "
              "ivtOffset, initialLoadSize, entryPointAddress, family, bootDevice, "
              "signatureTimestamp, DCDFilePath");
    EXPECT_EQ(convert_error_of("options:\n  family: rt105x\n"),
              "/cfg/c.yaml: option 'flags' is missing (0x00 plain, 0x08 signed)");
    EXPECT_EQ(convert_error_of("options:\n  flags: 8\n  family: rt105x\n"),
              "/cfg/c.yaml:3:3: give 'bootDevice', or both 'ivtOffset' and 'initialLoadSize'");
    EXPECT_EQ(convert_error_of("options:\n  flags: 8\n  family: rt105x\n  bootDevice: usb\n"),
              "/cfg/c.yaml:4:3: 'bootDevice': unknown boot device 'usb'");
    EXPECT_EQ(convert_error_of("options:\n  flags: 8\n  family: rt105x\n  bootDevice: sd\n"),
              "/cfg/c.yaml: the application is not named in the configuration; give --input "
              "APP");
}

TEST(Convert, NxpTimestampBecomesIso8601) {
    EXPECT_EQ(iso_timestamp("04/05/2023 14:41:11", "x"), "2023-05-04T14:41:11Z");
    try {
        iso_timestamp("2023-05-04 14:41:11", "c.bd:5:2");
        FAIL();
    } catch (const Error& e) {
        EXPECT_STREQ(e.what(),
                     "c.bd:5:2: 'signatureTimestamp': '2023-05-04 14:41:11' is not dd/mm/yyyy "
                     "HH:MM:SS");
    }
}

}  // namespace
}  // namespace rtprov::convert

namespace rtprov::convert {
namespace {

TEST(DetectFormat, FromTheFirstTokens) {
    EXPECT_EQ(detect_config_format("options {\n flags = 0x08;\n}\n"), "bd");
    EXPECT_EQ(detect_config_format("// HAB\n/* signed */\n\nsources\r\n{ elfFile = extern(0); }"),
              "bd");
    EXPECT_EQ(detect_config_format("constants { A = 20; }"), "bd");
    EXPECT_EQ(detect_config_format("section (SEC_CSF_HEADER; Header_Version=\"4.2\") {}"), "bd");
    EXPECT_EQ(detect_config_format("# SPSDK\noptions:\n  flags: 8\n"), "spsdk");
    EXPECT_EQ(detect_config_format("\xEF\xBB\xBF---\noptions: {flags: 0}\n"), "spsdk");
    EXPECT_EQ(detect_config_format("inputImageFile: app.srec\r\noptions: {}\r\n"), "spsdk");
    EXPECT_EQ(detect_config_format("[options]\nflags = 8\n"), std::nullopt);
    EXPECT_EQ(detect_config_format(""), std::nullopt);
    EXPECT_EQ(detect_config_format("options = 3"), std::nullopt);
}

// '\\' separates folders (as SPSDK reads it on Linux); Windows absolute paths are refused.
TEST(VendorPath, BackslashesSeparateFolders) {
    EXPECT_EQ(vendor_path("gen_hab_certs\\SRK_hash.bin", "/c", "c.yaml:3:5", "k"),
              std::filesystem::path("/c/gen_hab_certs/SRK_hash.bin"));
    EXPECT_EQ(vendor_path("..\\crts/CSF1.pem", "/c/case", "w", "k"),
              std::filesystem::path("/c/crts/CSF1.pem"));
    EXPECT_EQ(vendor_path(".\\keys\\\\a.pem", "/c", "w", "k"), std::filesystem::path("/c/keys/a.pem"));
    EXPECT_EQ(vendor_path("/abs/x.pem", "/c", "w", "k"), std::filesystem::path("/abs/x.pem"));
    for (const char* abs : {"C:\\nxp\\a.pem", "d:/a.pem", "\\\\server\\share\\a.pem"}) {
        try {
            (void)vendor_path(abs, "/c", "c.yaml:3:5", "InstallSRK_Table");
            ADD_FAILURE() << abs;
        } catch (const Error& e) {
            EXPECT_EQ(std::string(e.what()).rfind("c.yaml:3:5: 'InstallSRK_Table': '", 0), 0u)
                << e.what();
        }
    }
}

}  // namespace
}  // namespace rtprov::convert
