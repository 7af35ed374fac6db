// `rtprov completion bash|zsh`: the scripts parse, and the bash one completes what `--help` lists
// (run through bash with COMP_WORDS set as readline would).

#include <set>
#include <sstream>

#include <gtest/gtest.h>

#include "cli_support.hpp"
#include "help_text.hpp"

namespace rtprov::test {
namespace {

std::set<std::string> words_of(const std::string& text) {
    std::set<std::string> out;
    std::istringstream in(text);
    for (std::string w; in >> w;)
        out.insert(w);
    return out;
}

class BashCompletion : public ::testing::Test {
  protected:
    void SetUp() override {
        const auto r = rtprov("completion bash");
        ASSERT_EQ(r.exit_code, 0) << r.err;
        script_ = r.out;
        write_text(dir_ / "rtprov.bash", script_);
    }

    // What bash offers for the words of a command line whose last word is being completed.
    std::set<std::string> complete(const std::vector<std::string>& words) {
        std::string array;
        for (const auto& w : words)
            array += " '" + w + "'";
        const std::string program = "source '" + (dir_ / "rtprov.bash").string() +
                                    "'; COMP_WORDS=(" + array +
                                    "); COMP_CWORD=" + std::to_string(words.size() - 1) +
                                    "; _rtprov; printf '%s\\n' \"${COMPREPLY[@]}\"";
        write_text(dir_ / "run.sh", program);
        const auto r = run_command("bash " + (dir_ / "run.sh").string());
        EXPECT_EQ(r.exit_code, 0) << r.err;
        return words_of(r.out);
    }

    TempDir dir_;
    std::string script_;
};

TEST_F(BashCompletion, ScriptIsValidBash) {
    const auto r = run_command("bash -n " + (dir_ / "rtprov.bash").string());
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(script_.find("complete -F _rtprov rtprov"), std::string::npos);
}

TEST_F(BashCompletion, OffersEveryCommandAndEveryOption) {
    const auto help = rtprov("--help").out;
    const auto listed = help_subcommands(help);
    ASSERT_FALSE(listed.empty());
    const auto offered = complete({"rtprov", ""});
    for (const auto& name : listed) {
        EXPECT_NE(script_.find(name), std::string::npos) << name;
        EXPECT_TRUE(offered.contains(name)) << "`rtprov <TAB>` does not offer " << name;
        const auto options = complete({"rtprov", name, "--"});
        for (const auto& option : help_long_options(rtprov(name + " --help").out)) {
            EXPECT_TRUE(options.contains(option))
                << "`rtprov " << name << " --<TAB>` does not offer " << option;
        }
        EXPECT_TRUE(options.contains("--json")) << name;
    }
}

TEST_F(BashCompletion, FollowsSubcommandsAndKnowsChoices) {
    EXPECT_EQ(complete({"rtprov", "pkg", ""}), (std::set<std::string>{"diff", "migrate"}));
    EXPECT_EQ(complete({"rtprov", "pkg", "diff", "--e"}), (std::set<std::string>{"--exit-code"}));
    EXPECT_EQ(complete({"rtprov", "convert", "--from", ""}),
              (std::set<std::string>{"bd", "spsdk"}));
    EXPECT_EQ(complete({"rtprov", "completion", ""}), (std::set<std::string>{"bash", "zsh"}));
    EXPECT_EQ(complete({"rtprov", "--json", "sim", ""}),
              (std::set<std::string>{"serve", "inspect"}));
    // An option's value is skipped when finding the subcommand: "call" is the --port value here.
    EXPECT_EQ(complete({"rtprov", "mboot", "-p", "call", "write-m"}),
              (std::set<std::string>{"write-memory"}));
}

// Names from the device database: parts, boot devices, FCB presets; a file when none matches.
TEST_F(BashCompletion, OffersPartsBootDevicesAndFcbPresets) {
    const auto parts = complete({"rtprov", "build", "--device", "mimxrt10"});
    for (const char* part : {"mimxrt1010", "mimxrt1020", "mimxrt1050", "mimxrt1064"})
        EXPECT_TRUE(parts.contains(part)) << part;
    EXPECT_TRUE(complete({"rtprov", "init", "--device", ""}).contains("mimxrt1060"));
    EXPECT_EQ(complete({"rtprov", "devices", "mimxrt105"}),
              (std::set<std::string>{"mimxrt1050"}));
    const auto boot = complete({"rtprov", "init", "--boot-device", ""});
    for (const char* dev : {"flexspi-nor", "serial-downloader", "sd", "semc-nand"})
        EXPECT_TRUE(boot.contains(dev)) << dev;
    EXPECT_EQ(complete({"rtprov", "build", "--fcb", "rt1050-"}),
              (std::set<std::string>{"rt1050-evkb"}));
    EXPECT_TRUE(complete({"rtprov", "fcb", "rt10"}).contains("rt1020-evk"));
    // --fcb takes a 512-byte file too: a name that is no preset completes as a file.
    write_text(dir_ / "my_fcb.bin", "x");
    EXPECT_EQ(complete({"rtprov", "build", "--fcb", (dir_ / "my_f").string()}),
              (std::set<std::string>{(dir_ / "my_fcb.bin").string()}));
}

TEST(ZshCompletion, ScriptIsValidZsh) {
    const auto r = rtprov("completion zsh");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_TRUE(r.out.starts_with("#compdef rtprov\n"));
    for (const auto& name : help_subcommands(rtprov("--help").out))
        EXPECT_NE(r.out.find("'" + name + ":"), std::string::npos) << name;
    if (run_command("command -v zsh").exit_code != 0)
        GTEST_SKIP() << "zsh is not installed: the zsh script was not parsed";
    TempDir dir;
    write_text(dir / "_rtprov", r.out);
    const auto check = run_command("zsh -n " + (dir / "_rtprov").string());
    EXPECT_EQ(check.exit_code, 0) << check.err;
}

TEST(Completion, UnknownShellIsAUsageError) {
    EXPECT_EQ(rtprov("completion fish").exit_code, 1);
    EXPECT_EQ(rtprov("completion").exit_code, 1);
}

}  // namespace
}  // namespace rtprov::test
