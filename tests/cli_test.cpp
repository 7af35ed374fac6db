// Black-box tests of the rtprov binary: exit codes, messages, JSON, help/README agreement.

#include <fstream>
#include <regex>
#include <sstream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "cli_support.hpp"
#include "rtprov/util/file.hpp"

namespace rtprov::test {
namespace {

TEST(Cli, VersionAndHelp) {
    auto v = rtprov("--version");
    EXPECT_EQ(v.exit_code, 0);
    EXPECT_NE(v.out.find("rtprov "), std::string::npos);
    auto h = rtprov("--help");
    EXPECT_EQ(h.exit_code, 0);
    EXPECT_NE(h.out.find("build"), std::string::npos);
}

TEST(Cli, NoSubcommandIsAUsageError) {
    EXPECT_EQ(rtprov("").exit_code, 1);
}

// Every subcommand in --help is documented in README.md, and README documents no command that
// does not exist.
TEST(Cli, ReadmeAndHelpListTheSameCommands) {
    const auto help = rtprov("--help").out;
    const std::string readme = read_text_file(kSource / "README.md");
    std::regex sub_line(R"(^\s{2}(\w[\w-]*)\s{2,})");
    std::set<std::string> from_help;
    std::istringstream lines(help.substr(help.find("Subcommands:")));
    for (std::string line; std::getline(lines, line);) {
        std::smatch m;
        if (std::regex_search(line, m, sub_line))
            from_help.insert(m[1]);
    }
    ASSERT_FALSE(from_help.empty()) << help;
    std::set<std::string> from_readme;
    std::regex row(R"(\| `rtprov ([\w-]+)` \|)");
    for (std::sregex_iterator it(readme.begin(), readme.end(), row), end; it != end; ++it) {
        from_readme.insert((*it)[1]);
    }
    EXPECT_EQ(from_help, from_readme);
    for (const auto& name : from_help) {
        EXPECT_NE(readme.find("### rtprov " + name), std::string::npos) << name;
    }
}

TEST(Cli, BuildWithoutAppIsAUsageError) {
    auto r = rtprov("build --device mimxrt1020 -o /dev/null");
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_EQ(r.err,
              "rtprov: error: build needs --device and --app (or a project file with -c); see "
              "`rtprov build --help`\n");
}

TEST(Cli, MissingInputIsBadInputAndNamesTheFile) {
    TempDir t;
    auto r = rtprov("build --device mimxrt1020 --app " + (t / "nope.bin").string() +
                    " --app-address 0x60002000 -o " + (t / "out.bin").string());
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_NE(r.err.find("nope.bin: cannot open"), std::string::npos) << r.err;
    EXPECT_FALSE(std::filesystem::exists(t / "out.bin"));
}

TEST(Cli, UnwritableOutputFailsWithoutLeavingFiles) {
    TempDir t;
    const auto app = kSource / "examples/rt1020-evk/app/blinky.srec";
    auto r = rtprov("build --device mimxrt1020 --app " + app.string() + " -o " +
                    (t / "missing-dir" / "out.bin").string());
    EXPECT_EQ(r.exit_code, 5) << r.err;
    EXPECT_NE(r.err.find("cannot create"), std::string::npos) << r.err;
    EXPECT_TRUE(std::filesystem::is_empty(t.path()));
}

TEST(Cli, JsonErrorsAreMachineReadable) {
    auto r = rtprov("devices nosuchpart --json");
    EXPECT_EQ(r.exit_code, 1);
    auto doc = nlohmann::json::parse(r.out);
    EXPECT_EQ(doc["error"]["code"], "usage");
    EXPECT_EQ(doc["error"]["exit_code"], 1);
}

// build -> info --json: what info reads back equals what build was asked for and reported.
TEST(Cli, InfoRoundTripsTheDemoProject) {
    TempDir t;
    const auto out = t / "demo.bin";
    auto b = rtprov("build --json -c " + (kSource / "examples/rt1020-evk/project.yaml").string() +
                    " -o " + out.string());
    ASSERT_EQ(b.exit_code, 0) << b.err;
    const auto built = nlohmann::json::parse(b.out);
    auto i = rtprov("info --json " + out.string());
    ASSERT_EQ(i.exit_code, 0) << i.err;
    const auto info = nlohmann::json::parse(i.out);

    EXPECT_EQ(info["ivt"], built["ivt"]);
    EXPECT_EQ(info["boot_data"], built["boot_data"]);
    EXPECT_EQ(info["file"], built["file"]);
    EXPECT_EQ(info["app"]["address"], built["app"]["address"]);
    EXPECT_EQ(info["app"]["size"], built["app"]["size"]);
    // The settings given: app linked at 0x60002000 (blinky.ld), the rt1020-evk FCB preset.
    EXPECT_EQ(info["app"]["address"], 0x60002000);
    EXPECT_EQ(info["ivt"]["self"], 0x60001000);
    EXPECT_EQ(info["ivt"]["entry"], 0x60002041);  // blinky's reset vector
    EXPECT_EQ(info["fcb"]["tag"], 0x42464346);
    EXPECT_TRUE(info["dcd"].is_null());
    EXPECT_TRUE(info["csf"].is_null());
}

TEST(Cli, InfoRefusesGarbage) {
    TempDir t;
    write_bytes(t / "junk.bin", Bytes(100, 0x11));
    auto r = rtprov("info " + (t / "junk.bin").string());
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_NE(r.err.find("junk.bin: no IVT found"), std::string::npos) << r.err;
}

// No board is attached here: the scan must give an empty list, not fail.
TEST(Cli, DevicesScanWithoutBoardsIsAnEmptyList) {
    auto r = rtprov("devices --scan --json");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    auto doc = nlohmann::json::parse(r.out);
    EXPECT_TRUE(doc["devices"].is_array());
}

TEST(Cli, DevicesListsTheFamily) {
    auto r = rtprov("devices --json");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    auto doc = nlohmann::json::parse(r.out);
    std::set<std::string> names;
    for (const auto& d : doc["devices"])
        names.insert(d["name"]);
    for (auto n : {"mimxrt1010", "mimxrt1015", "mimxrt1020", "mimxrt1024", "mimxrt1040",
                   "mimxrt1050", "mimxrt1060", "mimxrt1064"}) {
        EXPECT_TRUE(names.count(n)) << n;
    }
    auto text = rtprov("devices mimxrt1050");
    EXPECT_EQ(text.exit_code, 0);
    EXPECT_NE(text.out.find("flexspi-nor"), std::string::npos);
}

}  // namespace
}  // namespace rtprov::test
