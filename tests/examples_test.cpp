// The ready projects in examples/: each board's project builds, places its boot structures where
// that board's boot ROM looks for them (flash window, IVT at +0x1000, app at +0x2000), carries
// the board's FlexSPI NOR config block, and its signed variant verifies against the SRK fuses of a
// PKI made by `rtprov keys`. The board facts below come from the boards' reference manuals and
// schematics (FlexSPI window of the part, flash on the board), not from rtprov's device database.

#include <filesystem>
#include <ostream>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "cli_support.hpp"
#include "rtprov/input/formats.hpp"
#include "rtprov/util/file.hpp"

namespace rtprov::test {
namespace {

struct Board {
    const char* folder;
    const char* part;
    const char* fcb_preset;
    std::uint32_t flash_base;  // where the board's boot flash is mapped (XIP)
};

// RT1064: the in-package flash sits on FlexSPI2, mapped at 0x70000000 (RT1064 RM, memory map).
constexpr Board kBoards[] = {
    {"rt1020-evk", "mimxrt1020", "rt1020-evk", 0x60000000},
    {"rt1050-evkb", "mimxrt1050", "rt1050-evkb", 0x60000000},
    {"rt1060-evk", "mimxrt1060", "rt1060-evk", 0x60000000},
    {"rt1064-evk", "mimxrt1064", "rt1064", 0x70000000},
};

// ctest lists the board by its folder, not as raw bytes.
void PrintTo(const Board& board, std::ostream* os) {
    *os << board.folder;
}

class Example : public ::testing::TestWithParam<Board> {
  protected:
    void SetUp() override {
        dir_ = tmp_.path() / GetParam().folder;
        std::filesystem::copy(kSource / "examples" / GetParam().folder, dir_,
                              std::filesystem::copy_options::recursive);
    }
    std::string path(const char* name) const { return (dir_ / name).string(); }

    TempDir tmp_;
    std::filesystem::path dir_;
};

std::uint32_t le32(const Bytes& b, std::size_t at) {
    return b[at] | b[at + 1] << 8 | b[at + 2] << 16 | static_cast<std::uint32_t>(b[at + 3]) << 24;
}

TEST_P(Example, BuildsABootableXipImageForTheBoard) {
    const Board& board = GetParam();
    const std::string out = path("out.bin");
    const auto built = rtprov("build -c " + path("project.yaml") + " -o " + out);
    ASSERT_EQ(built.exit_code, 0) << built.err;
    EXPECT_NE(built.out.find(std::string(board.part) + " flexspi-nor"), std::string::npos)
        << built.out;

    const auto info = rtprov("info --json " + out);
    ASSERT_EQ(info.exit_code, 0) << info.err;
    const auto j = nlohmann::json::parse(info.out);
    EXPECT_EQ(j["ivt"]["self"], board.flash_base + 0x1000);
    EXPECT_EQ(j["boot_data"]["start"], board.flash_base);
    EXPECT_EQ(j["app"]["address"], board.flash_base + 0x2000);

    // The app as linked (read with our S-record reader) sits at flash offset 0x2000, and the IVT
    // enters it through its own reset vector (a Thumb address inside the app).
    const Bytes image = read_file(out);
    const auto app = input::load_file(dir_ / "app/blinky.srec");
    const auto app_bytes = app.read(board.flash_base + 0x2000, 124);
    ASSERT_TRUE(app_bytes.has_value());
    ASSERT_GE(image.size(), 0x2000u + app_bytes->size());
    EXPECT_TRUE(std::equal(app_bytes->begin(), app_bytes->end(), image.begin() + 0x2000));
    const std::uint32_t reset_vector = le32(image, 0x2004);
    EXPECT_EQ(j["ivt"]["entry"], reset_vector);
    EXPECT_EQ(reset_vector & 1u, 1u);
    EXPECT_GT(reset_vector, board.flash_base + 0x2000);

    // Flash offset 0: the board's FlexSPI NOR config block, as `rtprov fcb PRESET` writes it.
    const auto fcb = rtprov(std::string("fcb ") + board.fcb_preset + " -o " + path("board.fcb"));
    ASSERT_EQ(fcb.exit_code, 0) << fcb.err;
    const Bytes expected_fcb = read_file(dir_ / "board.fcb");
    ASSERT_EQ(expected_fcb.size(), 512u);
    EXPECT_TRUE(std::equal(expected_fcb.begin(), expected_fcb.end(), image.begin()));
}

TEST_P(Example, SignedVariantVerifiesAgainstTheSrkFuses) {
    write_file_atomic(dir_ / "pass.txt", std::string_view("example key password\n"));
    const auto keys = rtprov("keys -o " + path("pki") + " --password-file " + path("pass.txt"));
    ASSERT_EQ(keys.exit_code, 0) << keys.err;
    const std::string out = path("signed.bin");
    const auto built = rtprov("build -c " + path("project_signed.yaml") + " -o " + out);
    ASSERT_EQ(built.exit_code, 0) << built.err;
    const auto verified = rtprov("verify " + out + " --srk-hash " + path("pki/srk/SRK_fuses.bin"));
    EXPECT_EQ(verified.exit_code, 0) << verified.out << verified.err;
    // Another PKI's fuses must not accept it (the check can fail).
    const auto other = rtprov("keys -o " + path("other") + " --password-file " + path("pass.txt"));
    ASSERT_EQ(other.exit_code, 0) << other.err;
    EXPECT_EQ(rtprov("verify " + out + " --srk-hash " + path("other/srk/SRK_fuses.bin")).exit_code,
              4);
}

INSTANTIATE_TEST_SUITE_P(Boards, Example, ::testing::ValuesIn(kBoards), [](const auto& test_info) {
    std::string name = test_info.param.folder;
    std::erase(name, '-');
    return name;
});

}  // namespace
}  // namespace rtprov::test
