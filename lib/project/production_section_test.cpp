#include <gtest/gtest.h>

#include "rtprov/project/project_file.hpp"
#include "rtprov/util/error.hpp"

namespace rtprov::project {
namespace {

const std::string kBase = "device: mimxrt1020\napp: app.bin\n";

std::string error_of(const std::string& yaml) {
    try {
        parse_project(kBase + yaml, "/p/project.yaml");
    } catch (const Error& e) {
        return e.what();
    }
    return "no error";
}

TEST(ProductionSection, PerBoardValuesAndQuota) {
    const BuildSpec s = parse_project(kBase + R"(per_board:
  - name: serial
    source: counter
    start: 1000
    address: 0x60100000
  - name: mac
    source: csv
    column: mac
    format: hex
    size: 6
    fuses: [MAC0, MAC1]
  - name: uid
    source: uid
    fuses: GP1
production:
  quota: 500
)",
                                      "/p/project.yaml");
    ASSERT_EQ(s.per_board.size(), 3u);
    EXPECT_EQ(s.per_board[0].name, "serial");
    EXPECT_EQ(s.per_board[0].source, "counter");
    EXPECT_EQ(s.per_board[0].start, 1000u);
    EXPECT_EQ(s.per_board[0].address, 0x60100000u);
    EXPECT_FALSE(s.per_board[0].format);
    EXPECT_EQ(s.per_board[0].where, "/p/project.yaml:4:5");
    EXPECT_EQ(s.per_board[1].column, "mac");
    EXPECT_EQ(s.per_board[1].format, "hex");
    EXPECT_EQ(s.per_board[1].size, 6u);
    EXPECT_EQ(s.per_board[1].fuses, (std::vector<std::string>{"MAC0", "MAC1"}));
    EXPECT_EQ(s.per_board[2].fuses, (std::vector<std::string>{"GP1"}));
    EXPECT_EQ(s.quota, 500u);
}

TEST(ProductionSection, ErrorsNameTheLine) {
    EXPECT_EQ(error_of("per_board:\n  - name: serial\n    source: dice\n    address: 0x0\n"),
              "/p/project.yaml:5:13: 'per_board[0].source': 'dice' is not counter, csv or uid");
    EXPECT_EQ(error_of("per_board:\n  - name: serial\n    source: counter\n"),
              "/p/project.yaml:4:5: per_board[0] (serial): give either 'address' (flash) or "
              "'fuses'");
    EXPECT_EQ(error_of("per_board:\n  - name: mac\n    source: csv\n    fuses: [MAC0]\n"),
              "/p/project.yaml:4:5: 'per_board[0].column' is missing: the CSV column of the "
              "value");
    EXPECT_EQ(error_of("per_board:\n  - name: a\n    source: uid\n    fuses: GP1\n"
                       "  - name: a\n    source: uid\n    fuses: GP2\n"),
              "/p/project.yaml:7:11: per_board: 'a' is named twice");
    EXPECT_EQ(error_of("per_board:\n  - name: a\n    source: uid\n    colour: red\n"),
              "/p/project.yaml:6:5: unknown key 'colour' in per_board[0]; known keys: name, "
              "source, start, column, format, size, address, fuses");
    EXPECT_EQ(error_of("production:\n  quota: 0\n"),
              "/p/project.yaml:4:10: 'production.quota': 0 boards: give at least 1");
}

}  // namespace
}  // namespace rtprov::project
