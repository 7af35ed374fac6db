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

// Options that a project file also sets are refused with -c rather than silently ignored.
TEST(Cli, BuildWithProjectRefusesEveryBuildSettingOption) {
    TempDir t;
    const std::string project = (kSource / "examples/rt1020-evk/project.yaml").string();
    for (const std::string option :
         {"--entry 0x60002001", "--app-format srec", "--app-address 0x60002000", "--boot-device sd",
          "--device mimxrt1050", "--fcb rt1020-evk"}) {
        auto r = rtprov("build -c " + project + " " + option + " -o " + (t / "out.bin").string());
        EXPECT_EQ(r.exit_code, 1) << option;
        EXPECT_NE(r.err.find("not both"), std::string::npos) << option << ": " << r.err;
    }
    EXPECT_FALSE(std::filesystem::exists(t / "out.bin"));
}

// A CSF version that does not fit the one header byte is refused, not cut to 0x42.
TEST(Cli, SignRefusesACsfVersionOutsideHab4) {
    auto r = rtprov(
        "sign --image x.bin --srk-table t.bin --csf-key a --csf-cert b --img-key c "
        "--img-cert d --csf-version 0x142 -o /dev/null");
    EXPECT_EQ(r.exit_code, 1) << r.err;
    EXPECT_NE(r.err.find("--csf-version 0x142: a HAB4 CSF header version is 0x40 .. 0x4F"),
              std::string::npos)
        << r.err;
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
    write_text(t / "a-file", "not a folder\n");
    const auto app = kSource / "examples/rt1020-evk/app/blinky.srec";
    auto r = rtprov("build --device mimxrt1020 --app " + app.string() + " -o " +
                    (t / "a-file" / "out.bin").string());
    EXPECT_EQ(r.exit_code, 5) << r.err;
    EXPECT_NE(r.err.find("cannot create"), std::string::npos) << r.err;
    EXPECT_EQ(std::distance(std::filesystem::directory_iterator(t.path()),
                            std::filesystem::directory_iterator()),
              1);
}

// The output's folder is made when it is missing.
TEST(Cli, AMissingOutputFolderIsCreated) {
    TempDir t;
    const auto app = kSource / "examples/rt1020-evk/app/blinky.srec";
    auto r = rtprov("build --device mimxrt1020 --app " + app.string() + " -o " +
                    (t / "out/images/signed.bin").string());
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_TRUE(std::filesystem::is_regular_file(t / "out/images/signed.bin"));
}

// A second `keys` into the same folder must not silently replace keys whose SRK hash may already
// be burned into boards; --force does, and a bad --device stops before any file is written.
TEST(Cli, KeysNeverReplacesAnExistingPkiWithoutForce) {
    TempDir t;
    write_file_atomic(t / "pass.txt", std::string_view("test password\n"));
    const std::string keys = "keys --srk-count 1 --password-file " + (t / "pass.txt").string();
    const auto fuses = t / "pki" / "srk" / "SRK_fuses.bin";
    ASSERT_EQ(rtprov(keys + " -o " + (t / "pki").string()).exit_code, 0);
    const Bytes first = read_file(fuses);

    auto again = rtprov(keys + " -o " + (t / "pki").string());
    EXPECT_EQ(again.exit_code, 1) << again.err;
    EXPECT_NE(again.err.find("already exists"), std::string::npos) << again.err;
    EXPECT_NE(again.err.find("--force"), std::string::npos) << again.err;
    EXPECT_EQ(read_file(fuses), first);

    const std::string cert = (t / "pki" / "crts" / "SRK1_sha256_2048_65537_v3_ca_crt.pem").string();
    auto table = rtprov("keys --from-certs " + cert + " -o " + (t / "pki" / "srk").string());
    EXPECT_EQ(table.exit_code, 1) << table.err;
    EXPECT_NE(table.err.find("SRK_table.bin already exists"), std::string::npos) << table.err;

    ASSERT_EQ(rtprov(keys + " --force -o " + (t / "pki").string()).exit_code, 0);
    EXPECT_NE(read_file(fuses), first);  // a new PKI: new random keys, another hash

    auto bad_device = rtprov(keys + " --device nosuch -o " + (t / "other").string());
    EXPECT_EQ(bad_device.exit_code, 1) << bad_device.err;
    EXPECT_FALSE(std::filesystem::exists(t / "other"));
}

TEST(Cli, JsonErrorsAreMachineReadable) {
    auto r = rtprov("devices nosuchpart --json");
    EXPECT_EQ(r.exit_code, 1);
    auto doc = nlohmann::json::parse(r.out);
    EXPECT_EQ(doc["error"]["code"], "usage");
    EXPECT_EQ(doc["error"]["exit_code"], 1);
}

// -q leaves stdout empty on success; a failure with --json is still one JSON document, holding
// what the command found (verify's checks) and the error.
TEST(Cli, QuietPrintsNothingAndAFailedVerifyIsOneJsonDocument) {
    TempDir t;
    const std::string image = (t / "app.bin").string();
    auto quiet = rtprov("-q build -c " + (kSource / "examples/rt1020-evk/project.yaml").string() +
                        " -o " + image);
    ASSERT_EQ(quiet.exit_code, 0) << quiet.err;
    EXPECT_EQ(quiet.out, "");

    auto r = rtprov("verify " + image + " --json");
    EXPECT_EQ(r.exit_code, 4) << r.err;
    nlohmann::json doc;
    ASSERT_NO_THROW(doc = nlohmann::json::parse(r.out)) << r.out;  // throws on a second document
    EXPECT_EQ(doc["ok"], false);
    EXPECT_FALSE(doc["checks"].empty());
    EXPECT_EQ(doc["error"]["code"], "verification");
    EXPECT_EQ(doc["error"]["exit_code"], 4);
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
