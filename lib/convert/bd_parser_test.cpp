#include "rtprov/convert/bd_parser.hpp"

#include <gtest/gtest.h>

#include "rtprov/convert/vendor_config.hpp"
#include "rtprov/util/error.hpp"

namespace rtprov::convert {
namespace {

std::string error_of(std::string_view bd) {
    try {
        parse_bd(bd, "c.bd");
    } catch (const Error& e) {
        return e.what();
    }
    return "no error";
}

std::string config_error_of(std::string_view bd) {
    try {
        parse_bd_config(bd, "/cfg/c.bd");
    } catch (const Error& e) {
        return e.what();
    }
    return "no error";
}

TEST(BdParser, ReadsBlocksValuesAndComments) {
    const BdFile f = parse_bd(R"(// leading comment
options {
    flags = 0x08;   /* signed */
    family = rt105x;
    signatureTimestamp = "04/05/2023 14:41:11";
}
sources { elfFile = extern(0); }
constants { SEC_CSF_HEADER = 20; }
section (SEC_CSF_HEADER;
    Header_Version="4.2",
    Header_EngineConfiguration=0
    )
{
}
section (33) { }
)",
                              "c.bd");
    ASSERT_EQ(f.options.size(), 3u);
    EXPECT_EQ(f.options[0].name, "flags");
    EXPECT_EQ(f.options[0].value.kind, BdValue::Kind::Number);
    EXPECT_EQ(f.options[0].value.number, 8u);
    EXPECT_EQ(f.options[0].value.text, "0x08");
    EXPECT_EQ(f.options[0].where.line, 3);
    EXPECT_EQ(f.options[0].where.column, 5);
    EXPECT_EQ(f.options[1].value.kind, BdValue::Kind::Identifier);
    EXPECT_EQ(f.options[1].value.text, "rt105x");
    EXPECT_EQ(f.options[2].value.kind, BdValue::Kind::String);
    EXPECT_EQ(f.options[2].value.text, "04/05/2023 14:41:11");
    ASSERT_EQ(f.sources.size(), 1u);
    EXPECT_EQ(f.sources[0].value.kind, BdValue::Kind::Extern);
    EXPECT_EQ(f.sources[0].value.number, 0u);
    ASSERT_EQ(f.sections.size(), 2u);
    EXPECT_EQ(f.sections[0].id, 20u);
    EXPECT_EQ(f.sections[0].id_text, "SEC_CSF_HEADER");
    ASSERT_EQ(f.sections[0].settings.size(), 2u);
    EXPECT_EQ(f.sections[0].settings[0].value.text, "4.2");
    EXPECT_EQ(f.sections[0].settings[1].where.line, 11);
    EXPECT_EQ(f.sections[1].id, 33u);
    EXPECT_TRUE(f.sections[1].settings.empty());
}

TEST(BdParser, StringEscapes) {
    const BdFile f = parse_bd("options { a = \"x\\\"y\"; }", "c.bd");
    EXPECT_EQ(f.options[0].value.text, "x\"y");
}

// A backslash before anything but a quote is a Windows folder separator and stays (it was
// swallowed: "gen_hab_certs\\SRK_hash.bin" became "gen_hab_certsSRK_hash.bin").
TEST(BdParser, BackslashesOfWindowsPathsStay) {
    const BdFile f = parse_bd(
        "\xEF\xBB\xBFoptions {\r\n a = \"gen_hab_certs\\SRK_hash.bin\";\r\n"
        " b = \"..\\crts\\new.pem\"; }\r\n",
        "c.bd");
    ASSERT_EQ(f.options.size(), 2u);
    EXPECT_EQ(f.options[0].value.text, "gen_hab_certs\\SRK_hash.bin");
    EXPECT_EQ(f.options[1].value.text, "..\\crts\\new.pem");
    EXPECT_EQ(f.options[1].where.line, 3);
}

TEST(BdParser, ErrorsNameFileLineAndColumn) {
    EXPECT_EQ(error_of("options {\n  flags = 0x08\n}\n"), "c.bd:3:1: expected ';', found '}'");
    EXPECT_EQ(error_of("options { s = \"abc\n"), "c.bd:1:15: unterminated string");
    EXPECT_EQ(error_of("options { s = \"C:\\keys\\\";\n"),
              "c.bd:1:15: unterminated string (\\\" is a quote inside the string: end a folder "
              "path without '\\')");
    EXPECT_EQ(error_of("/* never closed"), "c.bd:1:1: unterminated comment");
    EXPECT_EQ(error_of("options { a = 0x1G; }"), "c.bd:1:15: '0x1G' is not a number");
    EXPECT_EQ(error_of("options { a = $; }"), "c.bd:1:15: unexpected character '$'");
    EXPECT_EQ(error_of("option { }"),
              "c.bd:1:1: unknown block 'option'; expected options, sources, constants or "
              "section");
    EXPECT_EQ(error_of("options { a = 1; a = 2; }"),
              "c.bd:1:18: 'a' is set twice in options (first at 1:11)");
    EXPECT_EQ(error_of("options { a = 1;"), "c.bd:1:17: expected '}' to close options");
    EXPECT_EQ(error_of("section (SEC_X; a = 1) { }"),
              "c.bd:1:10: section id 'SEC_X' is not a number or a numeric constant defined in "
              "the constants block");
    EXPECT_EQ(error_of("section (20; a = 1 b = 2) { }"), "c.bd:1:20: expected ',', found 'b'");
    EXPECT_EQ(error_of("section (20) { load x; }"),
              "c.bd:1:16: section 20: HAB sections have an empty body '{ }', found 'load'");
    EXPECT_EQ(error_of("sources { f = extern(x); }"),
              "c.bd:1:22: expected the index of extern(N), found 'x'");
    EXPECT_EQ(error_of("options { a = ; }"), "c.bd:1:15: expected a value, found ';'");
}

TEST(BdConfig, MapsSectionIdsToSpsdkNames) {
    const VendorConfig c = parse_bd_config(
        "options { flags = 8; }\nsources { elfFile = extern(0); }\n"
        "section (21; InstallSRK_Table = \"srk.bin\", InstallSRK_SourceIndex = 1) { }\n",
        "/cfg/c.bd");
    EXPECT_EQ(c.format, "bd");
    ASSERT_EQ(c.sections.size(), 1u);
    EXPECT_EQ(c.sections[0].name, "InstallSRK");
    EXPECT_EQ(c.sections[0].where, "/cfg/c.bd:3:10");
    EXPECT_EQ(c.sections[0].entries[0].key, "InstallSRK_Table");
    EXPECT_EQ(c.sections[0].entries[0].value, "srk.bin");
    EXPECT_EQ(c.sections[0].entries[1].value, "1");
    EXPECT_EQ(c.sections[0].entries[1].where, "/cfg/c.bd:3:44");
}

TEST(BdConfig, RejectsUnknownSectionIdsAndOtherSources) {
    EXPECT_EQ(config_error_of("section (99) { }"),
              "/cfg/c.bd:1:10: unknown section id 99 ('99'); HAB sections are 20 "
              "(SEC_CSF_HEADER) to 33 (SEC_UNLOCK)");
    EXPECT_EQ(config_error_of("sources { f = extern(1); }"),
              "/cfg/c.bd:1:15: source 'f': only extern(0) is supported (the app given with "
              "--input)");
    EXPECT_EQ(config_error_of("options { f = extern(0); }"),
              "/cfg/c.bd:1:15: 'f': extern() is only allowed in the sources block");
}

}  // namespace
}  // namespace rtprov::convert
