// Golden tests: every `build` row of $RTPROV_VECTORS/recipes.tsv (NXP reference outputs and the
// rtprov command line that must reproduce them) is run and compared byte for byte.

#include <fstream>
#include <sstream>
#include <vector>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "cli_support.hpp"
#include "rtprov/util/file.hpp"

namespace rtprov::test {
namespace {

struct Recipe {
    std::string name, capability, expected, command;
};

std::vector<Recipe> read_recipes(const std::filesystem::path& file) {
    std::ifstream in(file);
    std::vector<Recipe> rows;
    std::string line;
    while (std::getline(in, line)) {
        if (line.empty() || line[0] == '#')
            continue;
        std::istringstream fields(line);
        Recipe r;
        std::getline(fields, r.name, '\t');
        std::getline(fields, r.capability, '\t');
        std::getline(fields, r.expected, '\t');
        std::getline(fields, r.command);
        rows.push_back(r);
    }
    return rows;
}

std::string substitute(std::string text, const std::string& var, const std::string& value) {
    for (std::size_t pos = 0; (pos = text.find(var, pos)) != std::string::npos;
         pos += value.size()) {
        text.replace(pos, var.size(), value);
    }
    return text;
}

// Offset of the first differing byte, or the shorter size when one is a prefix of the other.
std::string describe_difference(const Bytes& got, const Bytes& want) {
    const std::size_t n = std::min(got.size(), want.size());
    for (std::size_t i = 0; i < n; ++i) {
        if (got[i] != want[i]) {
            return fmt::format("first difference at offset 0x{:X}: got {:02X}, want {:02X}", i,
                               got[i], want[i]);
        }
    }
    return fmt::format("sizes differ: got {} bytes, want {}", got.size(), want.size());
}

void run_capability(const std::string& capability) {
    const auto vectors = vectors_dir();
    if (!vectors)
        GTEST_SKIP() << "RTPROV_VECTORS is not set: NXP compatibility suite skipped";
    const auto recipes = read_recipes(*vectors / "recipes.tsv");
    int checked = 0;
    for (const auto& r : recipes) {
        if (r.capability != capability)
            continue;
        SCOPED_TRACE(r.name);
        TempDir tmp;
        const auto out = tmp / "out.bin";
        std::string cmd = r.command;
        // $OUT before $T? No variable is a prefix of another except $T/$OUT, which are distinct.
        cmd = substitute(cmd, "$RTPROV", kRtprov);
        cmd = substitute(cmd, "$OUT", out.string());
        cmd = substitute(cmd, "$V", vectors->string());
        cmd = substitute(cmd, "$T", tmp.path().string());
        const auto result = run_command(cmd);
        ASSERT_EQ(result.exit_code, 0) << cmd << "\n" << result.err;
        const Bytes got = read_file(out);
        const Bytes want = read_file(*vectors / r.expected);
        EXPECT_TRUE(got == want) << r.name << ": " << describe_difference(got, want);
        ++checked;
        std::printf("[ golden ] %s: %s\n", r.name.c_str(), got == want ? "identical" : "DIFFERS");
    }
    EXPECT_GT(checked, 0) << "no '" << capability << "' rows in recipes.tsv";
}

TEST(Golden, EveryBuildRecipeReproducesNxpOutput) {
    run_capability("build");
}

TEST(Golden, EveryConvertRecipeReproducesNxpOutput) {
    run_capability("convert");
}

TEST(Golden, EverySignRecipeReproducesNxpOutput) {
    run_capability("sign");
}

}  // namespace
}  // namespace rtprov::test
