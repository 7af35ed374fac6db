#include "rtprov/util/text.hpp"

#include <functional>

#include <gtest/gtest.h>

#include "rtprov/util/error.hpp"

namespace rtprov {
namespace {

std::string error_of(const std::function<void()>& fn, ErrorCode code) {
    try {
        fn();
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), code) << e.what();
        return e.what();
    }
    return "no error";
}

TEST(Text, ControlCharactersAreEscapedForTerminals) {
    EXPECT_EQ(printable("line-1"), "line-1");
    EXPECT_EQ(printable("a\x1b[2Jb\r\\"), "a\\x1b[2Jb\\x0d\\\\");
    EXPECT_EQ(printable(std::string("n\0x\x7f", 4)), "n\\x00x\\x7f");
}

TEST(Text, NamesWithControlCharactersAreRefusedNamingTheOption) {
    require_printable("line 1 (ä)", "--station");
    EXPECT_EQ(
        error_of([] { require_printable("x\x1b]0;pwned\x07", "--station"); }, ErrorCode::Usage),
        "--station: control character 0x1b at byte 1 ('x\\x1b]0;pwned\\x07'): names are "
        "shown on terminals and stored in records, give printable text");
}

TEST(Text, JsonNestingIsBoundedBeforeParsing) {
    check_json_depth(R"({"a": [[{"b": "[[[[[[[[\"{{{{"}]]})", "m.json", 4);
    EXPECT_EQ(error_of([] { check_json_depth("[[[[[]]]]]", "m.json", 4); }, ErrorCode::BadInput),
              "m.json: JSON nested deeper than 4 levels (at byte 4)");
    // 300,000 levels: refused at the 65th, nothing recursive ever sees them.
    const std::string deep = std::string(300000, '[') + std::string(300000, ']');
    EXPECT_EQ(error_of([&] { check_json_depth(deep, "manifest.json"); }, ErrorCode::BadInput),
              "manifest.json: JSON nested deeper than 64 levels (at byte 64)");
    check_json_depth(std::string(64, '{') + std::string(64, '}'), "m.json");
}

TEST(ClosestNames, TyposFindTheNameAndUnrelatedWordsNothing) {
    EXPECT_EQ(edit_distance("biuld", "build"), 2u);
    EXPECT_EQ(edit_distance("", "abc"), 3u);
    EXPECT_EQ(edit_distance("kitten", "sitting"), 3u);
    const std::vector<std::string_view> names = {"build", "sign", "info", "import-pkg",
                                                 "export-pkg"};
    EXPECT_EQ(closest_names(names, "biuld"), (std::vector<std::string_view>{"build"}));
    EXPECT_EQ(closest_names(names, "port-pkg"),
              (std::vector<std::string_view>{"import-pkg", "export-pkg"}));  // tied: both
    EXPECT_TRUE(closest_names(names, "frobnicate").empty());
    EXPECT_TRUE(closest_names({}, "build").empty());
}

}  // namespace
}  // namespace rtprov
