// One rule across commands: a command line rtprov cannot use is "rtprov: error: …" with exit 1
// (CLI11's own messages too), a missing input file is bad input (exit 2) whichever command reads
// it, an unknown command is named with the ones it is close to, and --version tells what was
// built (checked against git, independently of rtprov).

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "cli_support.hpp"

namespace rtprov::test {
namespace {

// Every command that takes an input file, given one that does not exist: 2, naming the file.
TEST(CliRules, AMissingInputFileIsBadInputInEveryCommand) {
    TempDir t;
    const std::string missing = (t / "missing.file").string();
    const std::string out = (t / "out").string();
    const std::vector<std::string> lines = {
        "build --device mimxrt1020 --app " + missing + " -o " + out,
        "build -c " + missing + " -o " + out,
        "sign --image " + missing + " -o " + out +
            " --srk-table x --csf-key x --csf-cert x --img-key x --img-cert x",
        "verify " + missing,
        "info " + missing,
        "convert " + missing + " -o " + out,
        "sb info " + missing,
        "export-pkg -c " + missing + " -o " + out,
        "import-pkg " + missing,
        "pkg diff " + missing + " " + missing,
        "write " + missing + " --port uart:/dev/null --dry-run",
        "--json info " + missing,
    };
    for (const auto& line : lines) {
        const auto r = rtprov(line);
        EXPECT_EQ(r.exit_code, 2) << line << "\n" << r.err;
        EXPECT_TRUE(r.err.starts_with("rtprov: error: ")) << line << "\n" << r.err;
        EXPECT_NE(r.err.find(missing + ": cannot open: No such file or directory"),
                  std::string::npos)
            << line << "\n" << r.err;
    }
    const auto folder = rtprov("export-pkg -c " + t.path().string() + " -o " + out);
    EXPECT_EQ(folder.exit_code, 2) << folder.err;
    EXPECT_NE(folder.err.find(": cannot open: a folder"), std::string::npos) << folder.err;
}

TEST(CliRules, CliElevensMessagesHaveRtprovsFormAndNameTheCommand) {
    const auto extra = rtprov("build --bogus");
    EXPECT_EQ(extra.exit_code, 1);
    EXPECT_EQ(extra.err,
              "rtprov: error: build: The following argument was not expected: --bogus; see "
              "`rtprov build --help`\n");
    const auto required = rtprov("info");
    EXPECT_EQ(required.exit_code, 1);
    EXPECT_EQ(required.err,
              "rtprov: error: info: image is required; see `rtprov info --help`\n");
    const auto nested = rtprov("pkg diff onlyone.zip");
    EXPECT_EQ(nested.exit_code, 1);
    EXPECT_TRUE(nested.err.starts_with("rtprov: error: pkg diff: ")) << nested.err;
    EXPECT_EQ(rtprov("").err, "rtprov: error: a command is required; see `rtprov --help`\n");
    // With --json the failure is the one JSON document on stdout.
    const auto json = rtprov("--json info");
    EXPECT_EQ(json.exit_code, 1);
    const auto doc = nlohmann::json::parse(json.out);
    EXPECT_EQ(doc["error"]["code"], "usage");
    EXPECT_EQ(doc["error"]["exit_code"], 1);
}

TEST(CliRules, AnUnknownCommandIsNamedWithTheClosestOnes) {
    const auto typo = rtprov("-v biuld --device mimxrt1020");
    EXPECT_EQ(typo.exit_code, 1);
    EXPECT_EQ(typo.err,
              "rtprov: error: unknown command 'biuld'; did you mean 'build'?; `rtprov --help` "
              "lists the commands\n");
    const auto far = rtprov("frobnicate");
    EXPECT_EQ(far.exit_code, 1);
    EXPECT_EQ(far.err,
              "rtprov: error: unknown command 'frobnicate'; `rtprov --help` lists the "
              "commands\n");
    EXPECT_NE(rtprov("import-pk x.zip").err.find("did you mean 'import-pkg'?"),
              std::string::npos);
}

// The commit is git's, read here with git; the library versions are those Debian's packages
// say (mbedTLS 2.28 as the guide requires), not only some string.
TEST(CliRules, VersionGivesCommitBuildDateAndLibraries) {
    const auto text = rtprov("--version");
    ASSERT_EQ(text.exit_code, 0) << text.err;
    EXPECT_TRUE(text.out.starts_with("rtprov " RTPROV_VERSION " (commit ")) << text.out;
    const auto r = rtprov("--version --json");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const auto doc = nlohmann::json::parse(r.out);
    EXPECT_EQ(doc["version"], RTPROV_VERSION);
    EXPECT_EQ(doc.value("build_date", "").size(), 10u) << doc.dump();  // YYYY-MM-DD
    const auto git =
        run_command("git -C '" + kSource.string() + "' rev-parse --short=12 HEAD 2>/dev/null");
    if (git.exit_code == 0) {
        const std::string head = git.out.substr(0, git.out.find('\n'));
        EXPECT_TRUE(doc.value("commit", "").starts_with(head)) << doc.dump() << " vs " << head;
    }
    for (const char* lib :
         {"mbedtls", "libzip", "sqlite", "hidapi", "yaml-cpp", "nlohmann_json", "fmt", "cli11"})
        EXPECT_TRUE(doc["libraries"].contains(lib)) << lib;
    EXPECT_TRUE(doc["libraries"].value("mbedtls", "").starts_with("2.28.")) << doc.dump();
    const auto dpkg = run_command("dpkg-query -W -f='${Version}' libzip-dev 2>/dev/null");
    if (dpkg.exit_code == 0 && !dpkg.out.empty()) {
        EXPECT_TRUE(dpkg.out.starts_with(doc["libraries"].value("libzip", "?"))) << dpkg.out;
    }
    EXPECT_NE(text.out.find("mbedtls " + doc["libraries"].value("mbedtls", "")),
              std::string::npos)
        << text.out;
}

}  // namespace
}  // namespace rtprov::test
