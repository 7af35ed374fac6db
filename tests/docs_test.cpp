// docs/commands/ against the binary: every subcommand `rtprov --help` lists has a page that names
// every long option its `--help` prints (and its sub-subcommands with their options), and every
// page belongs to a command that exists. A new command or option fails here until documented.

#include <filesystem>
#include <set>

#include <gtest/gtest.h>

#include "cli_support.hpp"
#include "help_text.hpp"
#include "rtprov/util/file.hpp"

namespace rtprov::test {
namespace {

const std::filesystem::path kPages = kSource / "docs" / "commands";

std::vector<std::string> commands() {
    const auto help = rtprov("--help");
    EXPECT_EQ(help.exit_code, 0) << help.err;
    return help_subcommands(help.out);
}

// Every long option `rtprov <path> --help` lists appears on `page`.
void expect_options_documented(const std::string& path, const std::string& page_name,
                               const std::string& page) {
    const auto help = rtprov(path + " --help");
    ASSERT_EQ(help.exit_code, 0) << "rtprov " << path << " --help: " << help.err;
    for (const auto& option : help_long_options(help.out)) {
        EXPECT_TRUE(mentions(page, option))
            << "docs/commands/" << page_name << " does not mention " << option << ", which `rtprov "
            << path << " --help` lists";
    }
}

TEST(Docs, HelpListsCommands) {
    EXPECT_GE(commands().size(), 10u);
}

TEST(Docs, EveryCommandHasAPageNamingEveryOption) {
    for (const auto& name : commands()) {
        const auto file = kPages / (name + ".md");
        if (!std::filesystem::exists(file)) {
            ADD_FAILURE() << "docs/commands/" << name << ".md is missing: `rtprov " << name
                          << "` has no page";
            continue;
        }
        const std::string page = read_text_file(file);
        EXPECT_TRUE(mentions(page, "rtprov " + name))
            << "docs/commands/" << name << ".md never says `rtprov " << name << "`";
        expect_options_documented(name, name + ".md", page);
        // Sub-subcommands (pkg diff, sdp write-file, mboot read-memory, ...) live on the same page.
        for (const auto& sub : help_subcommands(rtprov(name + " --help").out)) {
            EXPECT_TRUE(mentions(page, sub))
                << "docs/commands/" << name << ".md does not mention `" << sub
                << "`, which `rtprov " << name << " --help` lists";
            expect_options_documented(name + " " + sub, name + ".md", page);
        }
    }
}

TEST(Docs, EveryPageIsACommand) {
    const auto listed = commands();
    const std::set<std::string> known(listed.begin(), listed.end());
    ASSERT_TRUE(std::filesystem::is_directory(kPages)) << kPages;
    for (const auto& entry : std::filesystem::directory_iterator(kPages)) {
        if (entry.path().extension() != ".md")
            continue;
        const std::string stem = entry.path().stem().string();
        EXPECT_TRUE(known.contains(stem)) << "docs/commands/" << stem << ".md documents `rtprov "
                                          << stem << "`, which `rtprov --help` does not list";
    }
}

// The docs index links every command page.
TEST(Docs, IndexLinksEveryPage) {
    const std::string index = read_text_file(kSource / "docs" / "README.md");
    for (const auto& name : commands()) {
        EXPECT_TRUE(mentions(index, "commands/" + name + ".md"))
            << "docs/README.md does not link commands/" << name << ".md";
    }
}

}  // namespace
}  // namespace rtprov::test
